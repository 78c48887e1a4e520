// The algorithmic tasks' generator, vocabulary, config fields and validation (torch-free).
#include "mentions.h"
#include "seqpe/algorithmic.h"
#include "seqpe/common/error.h"
#include "seqpe/config_io.h"
#include "seqpe/options.h"
#include "seqpe/paper_tables.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

using namespace seqpe;
using seqpe::test::mentions;

namespace {

AlgoConfig task(const std::string& name) {
    AlgoConfig a;
    a.task = name;
    return a;
}

// The digits between two token indices as a number (most significant first).
uint64_t number(const std::vector<int64_t>& t, size_t from, size_t to) {
    uint64_t v = 0;
    for (size_t i = from; i < to; ++i) v = v * 10 + static_cast<uint64_t>(t[i]);
    return v;
}

RunConfig algorithmic(const std::string& name = "copy") {
    RunConfig c;
    c.task = "algorithmic";
    c.algo.task = name;
    return c;
}

} // namespace

TEST(Algorithmic, CopyReverseAndSortWriteTheirAnswerAfterTheSeparator) {
    for (const std::string name : {"copy", "reverse", "sort"}) {
        const AlgoConfig a = task(name);
        for (int64_t n : {1, 7, 30}) {
            const AlgoInstance in = make_algo_instance(a, n, 42, 3);
            const auto& t = in.tokens;
            ASSERT_EQ(static_cast<int64_t>(t.size()), 2 * n + 3) << name;
            EXPECT_EQ(t.front(), algo::kBos);
            EXPECT_EQ(t[static_cast<size_t>(n + 1)], algo::kSep);
            EXPECT_EQ(t.back(), algo::kEos);
            EXPECT_EQ(in.prompt, n + 2);
            EXPECT_EQ(in.answer(), n);
            EXPECT_EQ(algo_answer_length(a, n), n);
            EXPECT_EQ(algo_positions(a, n), static_cast<int64_t>(t.size()) - 1);
            std::vector<int64_t> input(t.begin() + 1, t.begin() + 1 + n), answer(t.begin() + n + 2, t.end() - 1);
            for (const int64_t x : input) EXPECT_TRUE(x >= 0 && x < a.symbols) << x;
            if (name == "reverse") std::reverse(input.begin(), input.end());
            if (name == "sort") std::sort(input.begin(), input.end());
            EXPECT_EQ(answer, input) << name << " n=" << n;
        }
    }
}

TEST(Algorithmic, AdditionWritesTheSumLeastSignificantDigitFirstOrPlain) {
    AlgoConfig a = task("addition");
    for (int64_t n : {1, 3, 9}) {
        for (uint64_t i = 0; i < 20; ++i) {
            const AlgoInstance in = make_algo_instance(a, n, 7, i);
            const auto& t = in.tokens;
            const size_t N = static_cast<size_t>(n);
            ASSERT_EQ(t.size(), 3 * N + 5);
            EXPECT_EQ(t[N + 1], algo::kPlus);
            EXPECT_EQ(t[2 * N + 2], algo::kEquals);
            EXPECT_EQ(in.prompt, 2 * n + 3);
            const uint64_t x = number(t, 1, N + 1), y = number(t, N + 2, 2 * N + 2);
            std::vector<int64_t> sum(t.begin() + in.prompt, t.end() - 1);
            ASSERT_EQ(sum.size(), N + 1);
            std::reverse(sum.begin(), sum.end()); // reversed: least significant first
            EXPECT_EQ(number(sum, 0, sum.size()), x + y) << x << "+" << y;
        }
    }
    a.addition_order = "plain";
    const AlgoInstance in = make_algo_instance(a, 4, 7, 0);
    const auto& t = in.tokens;
    EXPECT_EQ(number(t, static_cast<size_t>(in.prompt), t.size() - 1), number(t, 1, 5) + number(t, 6, 10));
    // Same draws in either order: only the answer's order differs.
    const AlgoInstance r = make_algo_instance(task("addition"), 4, 7, 0);
    EXPECT_TRUE(std::equal(t.begin(), t.begin() + in.prompt, r.tokens.begin()));
}

TEST(Algorithmic, ParityAnswersTheCountOfOnesModuloTwo) {
    const AlgoConfig a = task("parity");
    int odd = 0;
    for (uint64_t i = 0; i < 50; ++i) {
        const AlgoInstance in = make_algo_instance(a, 11, 5, i);
        ASSERT_EQ(in.tokens.size(), 15u);
        EXPECT_EQ(in.answer(), 1);
        int64_t ones = 0;
        for (size_t k = 1; k <= 11; ++k) {
            ASSERT_TRUE(in.tokens[k] == 0 || in.tokens[k] == 1);
            ones += in.tokens[k];
        }
        EXPECT_EQ(in.tokens[13], ones % 2);
        odd += static_cast<int>(ones % 2);
    }
    EXPECT_GT(odd, 10); // both answers occur
    EXPECT_LT(odd, 40);
}

TEST(Algorithmic, InstancesAreDeterministicAndTestSetsIgnoreTheTrainingSeed) {
    const AlgoConfig a = task("copy");
    EXPECT_EQ(make_algo_instance(a, 12, 9, 4).tokens, make_algo_instance(a, 12, 9, 4).tokens);
    EXPECT_NE(make_algo_instance(a, 12, 9, 4).tokens, make_algo_instance(a, 12, 9, 5).tokens);
    EXPECT_NE(make_algo_instance(a, 12, 9, 4).tokens, make_algo_instance(a, 12, 10, 4).tokens);
    // Test instances depend on algo.seed only: every run of a project is scored on the same ones.
    EXPECT_EQ(algo_test_instance(a, 30, 7).tokens, algo_test_instance(a, 30, 7).tokens);
    AlgoConfig other = a;
    other.seed = 2;
    EXPECT_NE(algo_test_instance(a, 30, 7).tokens, algo_test_instance(other, 30, 7).tokens);
    // A pinned instance: a change of the generator changes every study's test set; say so in the docs.
    const std::vector<int64_t> pinned = algo_test_instance(a, 5, 0).tokens;
    EXPECT_EQ(pinned.size(), 13u);
    EXPECT_EQ(algo_test_instance(a, 5, 0).tokens, pinned);
}

TEST(Algorithmic, TrainingLengthsCoverTheRangeAndValidationCyclesThroughIt) {
    AlgoConfig a = task("reverse");
    a.train_min_len = 3;
    a.train_max_len = 8;
    std::set<int64_t> seen;
    for (int64_t step = 0; step < 20; ++step)
        for (int64_t b = 0; b < 16; ++b) {
            const AlgoInstance in = algo_train_instance(a, 1234, step, b);
            seen.insert(in.answer());
            EXPECT_EQ(in.tokens, algo_train_instance(a, 1234, step, b).tokens);
        }
    EXPECT_EQ(seen, (std::set<int64_t>{3, 4, 5, 6, 7, 8}));
    EXPECT_NE(algo_train_instance(a, 1234, 0, 0).tokens, algo_train_instance(a, 1, 0, 0).tokens);
    for (int64_t i = 0; i < 12; ++i) EXPECT_EQ(algo_valid_instance(a, i).answer(), 3 + i % 6);
}

TEST(Algorithmic, SymbolsLimitTheAlphabet) {
    AlgoConfig a = task("copy");
    a.symbols = 2;
    std::set<int64_t> used;
    for (uint64_t i = 0; i < 10; ++i)
        for (const int64_t t : make_algo_instance(a, 20, 1, i).tokens)
            if (t < algo::kSymbols) used.insert(t);
    EXPECT_EQ(used, (std::set<int64_t>{0, 1}));
    a.symbols = 36;
    int64_t top = 0;
    for (uint64_t i = 0; i < 10; ++i)
        for (const int64_t t : make_algo_instance(a, 40, 1, i).tokens)
            if (t < algo::kSymbols) top = std::max(top, t);
    EXPECT_GT(top, 30); // letters are drawn too
}

TEST(Algorithmic, LabelsAndTypedInstancesRoundTrip) {
    EXPECT_EQ(algo_token_label(3), "3");
    EXPECT_EQ(algo_token_label(10), "a");
    EXPECT_EQ(algo_token_label(algo::kSep), "|");
    EXPECT_EQ(algo_token_label(algo::kBos), "<s>");
    EXPECT_EQ(algo_token_label(algo::kEos), "</s>");
    EXPECT_EQ(algo_token_label(99), "?");
    EXPECT_EQ(parse_algo_text("31 42|"), (std::vector<int64_t>{algo::kBos, 3, 1, 4, 2, algo::kSep}));
    EXPECT_EQ(parse_algo_text("<s>12+9=</s>"),
              (std::vector<int64_t>{algo::kBos, 1, 2, algo::kPlus, 9, algo::kEquals, algo::kEos}));
    EXPECT_EQ(parse_algo_text("Ab|"), (std::vector<int64_t>{algo::kBos, 10, 11, algo::kSep}));
    try {
        parse_algo_text("12*3");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("character 3 ('*')"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_algo_text("   "), InputError);
    // Every generated token has a label that parses back (but <s>/</s>, added around).
    const AlgoInstance in = make_algo_instance(task("addition"), 6, 3, 0);
    std::string typed;
    for (size_t i = 1; i < in.tokens.size() - 1; ++i) typed += algo_token_label(in.tokens[i]);
    std::vector<int64_t> back = parse_algo_text(typed + "</s>");
    EXPECT_EQ(back, in.tokens);
}

TEST(Algorithmic, TheTrainingLengthFollowsTheLongestTrainingInstance) {
    RunConfig c = algorithmic("copy");
    c.train.seq_len = 999; // not the user's for this task
    c.algo.train_max_len = 20;
    c.algo.eval_lengths = {10, 40};
    const RunConfig r = resolve_config(c);
    EXPECT_EQ(r.train.seq_len, 42); // <s> 20 | 20 (the last token is never read)
    EXPECT_EQ(text_eval_lengths(r), (std::vector<int64_t>{22, 82}));
    EXPECT_EQ(r.position_encoding.seqpe.max_position, 82); // SeqPE's budget holds the longest test instance
    EXPECT_FALSE(task_needs_dataset(c));
    EXPECT_TRUE(task_needs_dataset(RunConfig{}));
    c.algo.task = "addition";
    EXPECT_EQ(resolve_config(c).train.seq_len, 3 * 20 + 4);
    c.algo.task = "parity";
    EXPECT_EQ(resolve_config(c).train.seq_len, 20 + 3);
}

TEST(Algorithmic, OptionsAreRelevantOnlyWhereTheyApply) {
    const RunConfig copy = algorithmic("copy"), add = algorithmic("addition"), lm;
    EXPECT_TRUE(find_option("algo.symbols")->relevant(copy));
    EXPECT_FALSE(find_option("algo.symbols")->relevant(add));
    EXPECT_TRUE(find_option("algo.addition_order")->relevant(add));
    EXPECT_FALSE(find_option("algo.addition_order")->relevant(copy));
    EXPECT_FALSE(find_option("algo.task")->relevant(lm));
    for (const char* p : {"train.seq_len", "data.source", "data.tokenizer", "eval.length_multipliers", "eval.split"})
        EXPECT_FALSE(find_option(p)->relevant(copy)) << p;
    EXPECT_TRUE(find_option("model.tie_embeddings")->relevant(copy));
    const auto& tasks = find_option("task")->choices;
    EXPECT_NE(std::find(tasks.begin(), tasks.end(), "algorithmic"), tasks.end());
}

TEST(Algorithmic, BadLengthsNameTheFieldBeforeTraining) {
    RunConfig c = algorithmic();
    EXPECT_FALSE(has_errors(validate(c))) << format_diagnostics(validate(c));
    c.algo.train_min_len = 25;
    EXPECT_TRUE(mentions(validate(c), "algo.train_min_len", "exceeds algo.train_max_len 20"));
    c = algorithmic();
    c.algo.train_max_len = 0;
    EXPECT_TRUE(mentions(validate(c), "algo.train_max_len"));
    c = algorithmic();
    c.algo.eval_lengths = {5, 5000};
    EXPECT_TRUE(mentions(validate(c), "algo.eval_lengths"));
    c = algorithmic();
    c.algo.eval_lengths = {};
    EXPECT_TRUE(mentions(validate(c), "algo.eval_lengths"));
    c = algorithmic();
    c.algo.eval_lengths = {5, 10};
    c.position_encoding.type = "rope"; // SeqPE would also want room past the training length
    const auto d = validate(c);
    EXPECT_FALSE(has_errors(d)) << format_diagnostics(d);
    EXPECT_TRUE(mentions(d, "algo.eval_lengths", "nothing measures length generalization"));
    c = algorithmic();
    c.algo.symbols = 40;
    EXPECT_TRUE(mentions(validate(c), "algo.symbols"));
    c.algo.symbols = 10;
    c.algo.task = "multiply";
    EXPECT_TRUE(mentions(validate(c), "algo.task"));
}

TEST(Algorithmic, APositionBudgetTooSmallForTheLengthsIsAnError) {
    // SeqPE writes positions with max_digits digits: 2 digits cannot reach an 82-position test instance.
    RunConfig c = algorithmic();
    c.position_encoding.type = "seqpe";
    c.algo.eval_lengths = {10, 60};
    c.position_encoding.seqpe.max_digits = 2;
    c.position_encoding.seqpe.max_position = 99;
    EXPECT_TRUE(mentions(validate(c), "algo.eval_lengths", "needs positions up to 121"));
    // A budget below the longest training instance.
    c = algorithmic();
    c.position_encoding.type = "seqpe";
    c.position_encoding.seqpe.max_position = 30;
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.max_position", "below the training length 42"));
}

TEST(Algorithmic, ConfigsRoundTripThroughJson) {
    RunConfig c = algorithmic("addition");
    c.algo.train_min_len = 2;
    c.algo.train_max_len = 12;
    c.algo.eval_lengths = {4, 24};
    c.algo.addition_order = "plain";
    RunConfig back;
    const auto d = config_from_json(config_to_json(c), back);
    EXPECT_FALSE(has_errors(d)) << format_diagnostics(d);
    EXPECT_EQ(back.task, "algorithmic");
    EXPECT_EQ(back.algo.task, "addition");
    EXPECT_EQ(back.algo.train_min_len, 2);
    EXPECT_EQ(back.algo.eval_lengths, (std::vector<int64_t>{4, 24}));
    EXPECT_EQ(back.algo.addition_order, "plain");
    EXPECT_NE(config_hash(resolve_config(c)), config_hash(resolve_config(algorithmic("addition"))));
}

TEST(Algorithmic, PaperTablesNameTheTrainingRangeAndUnit) {
    RunConfig c = algorithmic("addition");
    const TableSetup s = table_setup("algo-addition", c, {1, 2, 3}, "fp32", "abc");
    EXPECT_EQ(s.unit, "digits per operand");
    EXPECT_EQ(s.train_length, 20);
    EXPECT_EQ(s.train_min_length, 1);
    EXPECT_EQ(s.trained, "trained on lengths 1-20 digits per operand");
    GroupSummary g;
    g.group = "rope";
    g.metric = "em";
    for (const int64_t n : {10, 30}) {
        SummaryCell cell;
        cell.mode = "extend";
        cell.length = n;
        cell.values = {0.5, 0.6, 0.7};
        cell.mean = 0.6;
        g.cells.push_back(cell);
    }
    const std::string md = results_markdown({g}, s);
    EXPECT_NE(md.find("trained on lengths 1-20 digits per operand"), std::string::npos) << md;
    EXPECT_NE(md.find("10 (train)"), std::string::npos) << md;
    EXPECT_EQ(md.find("30 (train)"), std::string::npos) << md;
    EXPECT_NE(results_latex({g}, s).find("Encoding / digits per operand"), std::string::npos);
}
