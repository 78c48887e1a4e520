// QA datasets (seqpe-data qa), the dataset as a whole: the generator's random draws and option
// parsing, token files and index against the JSONL, determinism, the cache and bad arguments (library
// and binary). What each prompt holds: test_qa_prompt.cpp. Built on the committed fixture corpus
// with the byte tokenizer, so the suite stays fast.
#include "qa_helpers.h"

#include "seqpe/data/util.h"

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <cstring>
#include <regex>
#include <set>

using namespace seqpe;
using namespace seqpe::data;
using namespace seqpe::test;

TEST(DataQa, UniformBelowIsInRangeAndCoversIt) {
    std::mt19937_64 rng(123);
    std::vector<int> seen(7, 0);
    for (int i = 0; i < 7000; ++i) {
        const uint64_t v = uniform_below(rng, 7);
        ASSERT_LT(v, 7u);
        ++seen[v];
    }
    for (const int c : seen) EXPECT_GT(c, 800);
    EXPECT_EQ(uniform_below(rng, 1), 0u);
    // Our own mapping: the same draws from the same seed, whatever the standard library.
    std::mt19937_64 a(5), b(5);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(uniform_below(a, 9000000), uniform_below(b, 9000000));
}

TEST(DataQa, ParseListsAndKeyWords) {
    EXPECT_EQ(parse_int_list("--lengths", "256,512, 1024"), (std::vector<int>{256, 512, 1024}));
    EXPECT_EQ(parse_int_list("--depths", "0"), (std::vector<int>{0}));
    for (const char* bad : {"", "256,", "abc", "1.5", "256;512", "99999999999"}) {
        try {
            parse_int_list("--lengths", bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("--lengths"), std::string::npos) << e.what();
        }
    }
    const auto words =
        key_words({"The nation's Treasury pays seventeen creditors; abc, four fourteenletters, Peace peace "
                   "peace-keeping caf\xC3\xA9s"});
    EXPECT_EQ(words,
              (std::vector<std::string>{"creditors", "four", "keeping", "nation", "pays", "peace", "seventeen"}));
}

TEST(DataQa, TokensAndIndexMatchTheJsonl) {
    QaFixture f;
    const PrepareResult r = f.qa();
    const DatasetManifest& m = r.manifest;
    EXPECT_EQ(m.kind, "qa");
    EXPECT_EQ(m.name, "sotu-excerpt-byte-niah");
    EXPECT_EQ(m.token_dtype, "uint16");
    EXPECT_EQ(m.tokenizer.type, "byte");
    EXPECT_EQ(m.tokenizer.eos_id, 256);
    EXPECT_EQ(read_bytes(r.dir / "pieces.txt"), read_bytes(f.text.dir / "pieces.txt"));
    const auto extra = nlohmann::json::parse(m.extra_json);
    EXPECT_EQ(extra["task"], "niah");
    EXPECT_EQ(extra["train_length"], 512);
    EXPECT_EQ(extra["lengths"], nlohmann::json({512, 1024, 2048}));
    EXPECT_EQ(extra["depths"], nlohmann::json({0, 25, 50, 75, 100}));
    EXPECT_EQ(extra["distractors"], 1);
    EXPECT_EQ(extra["seed"], 7);
    EXPECT_EQ(extra["answer_digits"], 7);
    EXPECT_EQ(extra["source_dataset"]["name"], f.text.manifest.name);
    EXPECT_EQ(extra["source_dataset"]["recipe_hash"], f.text.manifest.recipe_hash);

    std::vector<std::string> names;
    for (const auto& s : m.splits) names.push_back(s.name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"test-1024", "test-2048", "test-512", "train", "valid"}));
    for (const auto& s : m.splits) {
        SCOPED_TRACE(s.name);
        EXPECT_EQ(s.file, s.name + ".jsonl");
        EXPECT_EQ(s.tokens_file, s.name + ".tokens");
        EXPECT_EQ(s.index_file, s.name + ".index");
        const auto rows = read_jsonl(r.dir / s.file);
        const auto tokens = read_tokens(r.dir / s.tokens_file, m.token_dtype);
        const auto index = read_u64s(r.dir / s.index_file);
        ASSERT_EQ(rows.size(), s.count);
        ASSERT_EQ(index.size(), 3 * s.count);
        uint64_t at = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& j = rows[i];
            EXPECT_EQ(j["index"], i);
            const uint64_t start = index[3 * i], prompt = index[3 * i + 1], answer = index[3 * i + 2];
            EXPECT_EQ(start, at) << "examples are packed back to back";
            EXPECT_EQ(prompt, j["length"].get<uint64_t>());
            ASSERT_LE(start + prompt + answer, tokens.size());
            std::string text;
            for (uint64_t t = start; t < start + prompt; ++t) {
                ASSERT_LT(tokens[t], 256u) << "no eos inside the prompt";
                text.push_back(char(tokens[t]));
            }
            EXPECT_EQ(text, j["input"].get<std::string>());
            std::string ans;
            for (uint64_t t = start + prompt; t + 1 < start + prompt + answer; ++t) ans.push_back(char(tokens[t]));
            EXPECT_EQ(ans, " " + j["outputs"][0].get<std::string>());
            EXPECT_EQ(tokens[start + prompt + answer - 1], 256u) << "the answer ends with eos";
            at = start + prompt + answer;
        }
        EXPECT_EQ(at, tokens.size());
    }
}

TEST(DataQa, SameSeedSameFilesOtherSeedOthers) {
    QaFixture f;
    const PrepareResult a = f.qa();
    QaOptions o = f.opts;
    o.cache = f.tmp / "cache2"; // a fresh cache: built again, not found
    const PrepareResult b = f.qa(o);
    EXPECT_FALSE(b.cache_hit);
    EXPECT_EQ(a.manifest.recipe_hash, b.manifest.recipe_hash);
    for (const auto& s : a.manifest.splits)
        for (const std::string& file : {s.file, s.tokens_file, s.index_file})
            EXPECT_EQ(read_bytes(a.dir / file), read_bytes(b.dir / file)) << file;

    o.seed = 8;
    const PrepareResult c = f.qa(o);
    EXPECT_NE(c.manifest.recipe_hash, a.manifest.recipe_hash);
    EXPECT_NE(c.dir, a.dir);
    for (const auto& s : a.manifest.splits) EXPECT_NE(read_bytes(a.dir / s.file), read_bytes(c.dir / s.file)) << s.name;

    // More test examples leave the train split as it was (every example has its own generator).
    o = f.opts;
    o.test_examples = 4;
    const PrepareResult d = f.qa(o);
    EXPECT_EQ(read_bytes(a.dir / "train.jsonl"), read_bytes(d.dir / "train.jsonl"));
}

TEST(DataQa, RerunIsACacheHitAndOptionsChangeTheKey) {
    QaFixture f;
    const PrepareResult a = f.qa();
    EXPECT_FALSE(a.cache_hit);
    EXPECT_EQ(a.dir.filename().string(), "sotu-excerpt-byte-niah-" + a.manifest.recipe_hash.substr(0, 12));
    const auto when = fs::last_write_time(a.dir / "train.jsonl");
    const PrepareResult b = f.qa();
    EXPECT_TRUE(b.cache_hit);
    EXPECT_EQ(b.dir, a.dir);
    EXPECT_EQ(fs::last_write_time(b.dir / "train.jsonl"), when);
    QaOptions o = f.opts;
    o.distractors = 0;
    EXPECT_NE(f.qa(o).dir, a.dir);
    // --force rebuilds in place; a truncated index is refused by the reader and rebuilt.
    o = f.opts;
    o.force = true;
    EXPECT_FALSE(f.qa(o).cache_hit);
    const std::string idx = read_bytes(a.dir / "valid.index");
    write_bytes(a.dir / "valid.index", idx.substr(0, idx.size() - 8));
    try {
        read_manifest(a.dir);
        ADD_FAILURE() << "a truncated index was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("valid.index"), std::string::npos) << e.what();
    }
    const PrepareResult c = f.qa();
    EXPECT_FALSE(c.cache_hit);
    EXPECT_EQ(read_bytes(c.dir / "valid.index"), idx);
    // An index whose last example does not end at the end of the tokens file is refused too.
    const std::string toks = read_bytes(a.dir / "valid.tokens");
    write_bytes(a.dir / "valid.tokens", toks + std::string(2, '\0'));
    EXPECT_THROW(read_manifest(a.dir), InputError);
    write_bytes(a.dir / "valid.tokens", toks + std::string(1, '\0'));
    EXPECT_THROW(read_manifest(a.dir), InputError);
}

TEST(DataQa, BadOptionsAreInputErrors) {
    QaFixture f;
    auto with = [&](auto change) {
        QaOptions o = f.opts;
        change(o);
        return expect_qa_input_error(f, o);
    };
    std::string msg = with([](QaOptions& o) { o.lengths = {512, 32}; });
    EXPECT_NE(msg.find("--lengths 32 is below the minimum of 64"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.train_length = 10; });
    EXPECT_NE(msg.find("--train-length 10"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.lengths = {512, 4096}; });
    EXPECT_NE(msg.find("--lengths 4096 is longer than the test documents"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.train_length = 4096; });
    EXPECT_NE(msg.find("--train-length 4096 is longer than the valid documents"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.lengths = {128}; }); // byte tokens: two needles and the question need ~190
    EXPECT_NE(msg.find("--lengths 128 is too short"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.depths = {50, 101}; });
    EXPECT_NE(msg.find("--depths 101"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.depths = {50, 50}; });
    EXPECT_NE(msg.find("twice"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.task = "squad"; });
    EXPECT_NE(msg.find("--task"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.distractors = 99; });
    EXPECT_NE(msg.find("--distractors 99"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.test_examples = 0; });
    EXPECT_NE(msg.find("--test-examples 0"), std::string::npos) << msg;
    msg = with([&](QaOptions& o) { o.from = (f.tmp / "nowhere").string(); });
    EXPECT_NE(msg.find("--from"), std::string::npos) << msg;
    // A changed source document is noticed (its hash no longer matches the text dataset's).
    ScratchDir other;
    copy_txt(sotu_excerpt(), other / "corpus");
    TextOptions t;
    t.source = (other / "corpus").string();
    t.tokenizer = "byte";
    t.cache = other / "cache";
    Reporter quiet;
    const PrepareResult text = prepare_text(t, quiet);
    write_bytes(other / "corpus" / "1979_jimmy_carter_d.txt", "Changed. Entirely.\n");
    msg = with([&](QaOptions& o) { o.from = text.dir.string(); });
    EXPECT_NE(msg.find("1979_jimmy_carter_d.txt: changed since"), std::string::npos) << msg;
    // Nothing half-written is left behind.
    for (const auto& e : list_dir(f.tmp / "cache" / "datasets")) EXPECT_EQ(e.find(".tmp."), std::string::npos) << e;
}

TEST(DataQa, CliBadArgumentsExit2WithOneLine) {
    QaFixture f;
    const std::map<std::string, std::string> env = {{"SEQPE_CACHE", (f.tmp / "cache").string()}};
    auto one_error = [&](const std::vector<std::string>& args, const std::string& needle) {
        SCOPED_TRACE(needle);
        const ToolRun r = run_tool(args, env);
        EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
        ASSERT_FALSE(r.events.empty()) << r.out;
        size_t errors = 0;
        for (const auto& e : r.events) errors += e["event"] == "error";
        EXPECT_EQ(errors, 1u);
        const auto& last = r.events.back();
        EXPECT_EQ(last["event"], "error");
        EXPECT_EQ(last["exit"], 2);
        const std::string msg = last["message"];
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    };
    const std::string from = f.text.dir.string();
    one_error({"qa", "--from", from, "--lengths", "32,512", "--distractors", "1"},
              "--lengths 32 is below the minimum of 64");
    one_error({"qa", "--from", from, "--lengths", "512,x"}, "--lengths: 'x' is not a whole number");
    one_error({"qa", "--from", from, "--train-length", "512", "--lengths", "8192", "--distractors", "1"},
              "--lengths 8192 is longer than the test documents");
    one_error({"qa", "--from", (f.tmp / "cache").string()}, "--from");
    one_error({"qa", "--from", from, "--source", "sotu"}, "--from");
    one_error({"qa", "--from", from, "--task", "squad"}, "--task");
    // A qa dataset is not a text dataset.
    const PrepareResult q = f.qa();
    one_error({"qa", "--from", q.dir.string()}, "is a qa dataset, not a text dataset");
    EXPECT_EQ(list_dir(f.tmp / "cache" / "datasets").size(), 2u) << "nothing new was written";
}

TEST(DataQa, CliDoneLineAndCacheHit) {
    ScratchDir tmp;
    const std::vector<std::string> args = {"qa",
                                           "--source",
                                           sotu_excerpt().string(),
                                           "--tokenizer",
                                           "byte",
                                           "--train-length",
                                           "512",
                                           "--lengths",
                                           "512,2048,1024",
                                           "--train-examples",
                                           "10",
                                           "--valid-examples",
                                           "3",
                                           "--test-examples",
                                           "2",
                                           "--depths",
                                           "0,100",
                                           "--distractors",
                                           "1",
                                           "--cache",
                                           (tmp / "cache").string(),
                                           "--json"};
    ToolRun r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(r.all_lines_json);
    const auto& done = r.events.back();
    EXPECT_EQ(done["event"], "done");
    EXPECT_EQ(done["kind"], "qa");
    EXPECT_EQ(done["cache_hit"], false);
    // nlohmann::json sorts keys on parse, so look at the line itself: train, valid, then test-<L> by length.
    EXPECT_NE(r.out.find(R"("splits":{"train":10,"valid":3,"test-512":4,"test-1024":4,"test-2048":4})"),
              std::string::npos)
        << r.out;
    bool saw_generate = false;
    for (const auto& e : r.events)
        if (e["event"] == "progress" && e["stage"] == "generate" && e["total"] == 25) saw_generate = true;
    EXPECT_TRUE(saw_generate);
    const fs::path dir = done["dataset"].get<std::string>();
    EXPECT_NO_THROW(read_manifest(dir));
    r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.events.back()["cache_hit"], true);
    EXPECT_EQ(r.events.back()["dataset"], dir.string());
    r = run_tool({"info", dir.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0]["kind"], "qa");
    EXPECT_EQ(r.events[0]["splits"]["test-1024"]["index_file"], "test-1024.index");
}
