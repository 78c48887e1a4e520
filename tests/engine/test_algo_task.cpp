// The algorithmic task in the engine: batches and their targets, exact match against greedy
// generation, the evaluation report, and the inspector on test instances.
#include "seqpe/algorithmic.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/config_io.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/trainer.h"
#include "test_util.h"
#include "train/algo_task.h"
#include "train/checkpoint.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {

struct Quiet : Observer {};

RunConfig algo_config(const std::string& task = "copy", const std::string& encoding = "rope") {
    RunConfig c;
    c.task = "algorithmic";
    c.algo.task = task;
    c.algo.train_min_len = 1;
    c.algo.train_max_len = 4;
    c.algo.symbols = 4;
    c.algo.eval_lengths = {3, 6};
    c.algo.test_examples = 60;
    c.algo.valid_examples = 32;
    c.position_encoding.type = encoding;
    c.model.n_layer = 2;
    c.model.d_model = 32;
    c.model.n_head = 2;
    c.train.steps = 20;
    c.train.batch_size = 16;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 0;
    c.train.snapshot_every = 0;
    c.train.diagnostics_every = 0;
    c.optim.lr = 3e-3;
    c.optim.warmup_steps = 10;
    c.runtime.threads = 1;
    c.runtime.precision = "fp32";
    c.eval.after_training = false;
    return c;
}

std::filesystem::path train(const TempDir& tmp, const RunConfig& c, const std::string& name = "run") {
    TrainerOptions o;
    o.run_dir = tmp / name; // no dataset: the task generates its instances
    Quiet q;
    auto t = make_trainer(c, o);
    EXPECT_EQ(t->run(q, {}).outcome, RunOutcome::Completed);
    return o.run_dir;
}

// Greedy decoding, one full forward pass per token (no cache): what a user of the model would run.
std::vector<int64_t> greedy(LanguageModelImpl& m, const AlgoInstance& in) {
    std::vector<int64_t> seq(in.tokens.begin(), in.tokens.begin() + in.prompt);
    for (int64_t k = 0; k <= in.answer(); ++k) {
        const int64_t T = static_cast<int64_t>(seq.size());
        const torch::Tensor logits = m.forward(torch::tensor(seq, torch::kLong).view({1, T}), layout_1d(T));
        const int64_t next = logits[0][T - 1].argmax().item<int64_t>();
        seq.push_back(next);
        if (next == algo::kEos) break;
    }
    return {seq.begin() + in.prompt, seq.end()};
}

} // namespace

TEST(AlgoTask, BatchesTargetTheAnswerAndEndOnlyAndSplitIntoTheSameInstances) {
    const ResolvedConfig c = resolve_config(algo_config("reverse"));
    AlgoTask task(c, torch::kCPU);
    const TrainBatch b = task.batch(3, 0, 1);
    ASSERT_EQ(b.x.sizes(), (std::vector<int64_t>{16, c.train.seq_len}));
    int64_t real = 0;
    for (int64_t i = 0; i < 16; ++i) {
        const AlgoInstance in = algo_train_instance(c.algo, static_cast<uint64_t>(c.train.seed), 3, i);
        const int64_t n = static_cast<int64_t>(in.tokens.size()) - 1;
        real += n;
        for (int64_t t = 0; t < c.train.seq_len; ++t) {
            const int64_t x = b.x[i][t].item<int64_t>(), y = b.y[i][t].item<int64_t>();
            EXPECT_EQ(x, t < n ? in.tokens[static_cast<size_t>(t)] : algo::kPad) << i << "," << t;
            const bool scored = t >= in.prompt - 1 && t < n; // predicts the answer and </s>
            EXPECT_EQ(y, scored ? in.tokens[static_cast<size_t>(t + 1)] : -100) << i << "," << t;
        }
    }
    EXPECT_EQ(b.tokens, real);
    // Micro-batches are slices of the same step's instances.
    const TrainBatch second = task.batch(3, 1, 2);
    EXPECT_TRUE(torch::equal(second.x, b.x.narrow(0, 8, 8)));
    EXPECT_TRUE(torch::equal(second.y, b.y.narrow(0, 8, 8)));
}

TEST(AlgoTask, AZeroModelScoresChanceAnswerLossAndTheDigitZeroByPosition) {
    // All logits 0: every token has probability 1/V and the argmax is token 0, so an answer
    // position is right exactly where the test instance has a 0 there, and nothing ends right.
    const ResolvedConfig c = resolve_config(algo_config("copy"));
    AlgoTask task(c, torch::kCPU);
    torch::NoGradGuard ng;
    for (auto& p : task.module().parameters()) p.zero_();
    std::vector<AlgoInstance> in;
    for (int64_t i = 0; i < 60; ++i) in.push_back(algo_test_instance(c.algo, 6, i));
    AlgoTask::Scored s;
    task.score(in, "extend", 7, s, {}); // batches of 7: a partial last batch
    EXPECT_EQ(s.count, 60);
    EXPECT_EQ(s.targets, 60 * 7);
    EXPECT_NEAR(s.nll / static_cast<double>(s.targets), std::log(double(algo::kVocab)), 1e-5);
    for (const double h : s.hits) EXPECT_EQ(h, 0.0);
    ASSERT_EQ(s.by_answer.size(), 6u);
    for (size_t k = 0; k < 6; ++k) {
        double zeros = 0;
        for (const auto& x : in) zeros += x.tokens[static_cast<size_t>(x.prompt) + k] == 0;
        EXPECT_EQ(s.by_answer[k], zeros) << k;
    }
}

TEST(AlgoTask, ExactMatchIsWhatGreedyGenerationProduces) {
    TempDir tmp("algo-greedy");
    RunConfig c = algo_config("copy", "rope");
    c.train.steps = 250;
    const auto run = train(tmp, c);
    const ResolvedConfig r = read_run_config(RunPaths{run});
    AlgoTask task(r, torch::kCPU);
    load_checkpoint(*latest_checkpoint(RunPaths{run}), task.module(), nullptr);
    task.module().eval();
    torch::NoGradGuard ng;
    double right = 0, wrong = 0;
    for (const int64_t n : {3, 6}) {
        std::vector<AlgoInstance> in;
        for (int64_t i = 0; i < 40; ++i) in.push_back(algo_test_instance(r.algo, n, i));
        AlgoTask::Scored s;
        task.score(in, "extend", 16, s, {});
        for (size_t i = 0; i < in.size(); ++i) {
            const std::vector<int64_t> want(in[i].tokens.begin() + in[i].prompt, in[i].tokens.end());
            const bool generated = greedy(*task.model(), in[i]) == want;
            EXPECT_EQ(s.hits[i] == 1.0, generated) << "length " << n << " instance " << i;
            (generated ? right : wrong) += 1;
        }
    }
    // Both outcomes occur, so the comparison above tested something.
    EXPECT_GT(right, 5);
    EXPECT_GT(wrong, 5);
}

TEST(AlgoTask, TrainsWithoutADatasetAndEvaluatesExactMatchByLengthAndPosition) {
    TempDir tmp("algo-eval");
    RunConfig c = algo_config("addition", "alibi");
    c.eval.mode = "both";
    const auto run = train(tmp, c);
    const auto meta = read_file(RunPaths{run}.meta());
    EXPECT_EQ(meta.find("\"dataset\""), std::string::npos); // nothing to record
    EvalOptions o;                                          // no dataset either
    Quiet q;
    const EvalReport rep = evaluate_run(run, o, q);
    EXPECT_EQ(rep.metric, "em");
    EXPECT_EQ(rep.task, "algorithmic");
    EXPECT_EQ(rep.train_length, 4);
    EXPECT_EQ(rep.train_min_length, 1);
    EXPECT_EQ(rep.length_unit, "digits per operand");
    ASSERT_EQ(rep.rows.size(), 4u); // extend and interpolate at 3 and 6
    for (const EvalRow& row : rep.rows) {
        EXPECT_EQ(row.count, 60);
        EXPECT_EQ(row.items, 60);
        EXPECT_EQ(row.by_position.size(), static_cast<size_t>(row.length + 1)); // n + 1 digits
        EXPECT_GE(row.accuracy, 0.0);
        EXPECT_LE(row.lo, row.accuracy + 1e-12);
        EXPECT_GE(row.hi, row.accuracy - 1e-12);
        for (const double a : row.by_position) EXPECT_TRUE(a >= 0 && a <= 1);
        EXPECT_GT(row.loss, 0);
    }
    EXPECT_EQ(rep.rows[0].mode, "extend");
    EXPECT_EQ(rep.rows[0].length, 3);
    const RunPaths p{run};
    const EvalReport back = eval_report_from_json(read_file(p.eval() / "extrapolation.json"), "report");
    EXPECT_EQ(back.rows[1].by_position, rep.rows[1].by_position);
    EXPECT_EQ(back.train_min_length, 1);
    EXPECT_EQ(back.length_unit, "digits per operand");
    const std::string csv = read_file(p.eval() / "accuracy_by_position.csv");
    EXPECT_EQ(csv.rfind("run,encoding,mode,length,position,accuracy\n", 0), 0u);
    EXPECT_NE(csv.find(",interpolate,6,6,"), std::string::npos) << csv; // the last digit of a 6-digit sum
    // Lengths outside the task's range are refused with the field's name.
    o.lengths = {0};
    EXPECT_THROW(evaluate_run(run, o, q), InputError);
}

TEST(AlgoTask, TheInspectorShowsTestInstancesWithTheirLabelsAndTheAnswer) {
    TempDir tmp("algo-inspect");
    const auto run = train(tmp, algo_config("copy", "none"));
    auto in = open_inspector(run);
    const ResolvedConfig c = read_run_config(RunPaths{run});
    const std::vector<int64_t> t = in->sample_tokens(2, 5);
    const AlgoInstance want = algo_test_instance(c.algo, 5, 2);
    EXPECT_EQ(t, std::vector<int64_t>(want.tokens.begin(), want.tokens.end() - 1));
    const AttentionResult a = in->text_attention(t);
    ASSERT_EQ(a.tokens.size(), 12u);
    EXPECT_EQ(a.tokens.front(), "<s>");
    EXPECT_EQ(a.tokens[6], "|");
    EXPECT_EQ(a.answer_start, 7);
    EXPECT_EQ(a.predicted.size(), a.tokens.size());
    EXPECT_EQ(a.probs.shape, (std::vector<int64_t>{2, 2, 12, 12}));
    EXPECT_EQ(in->encode_text("12|"), (std::vector<int64_t>{algo::kBos, 1, 2, algo::kSep}));
    EXPECT_THROW(in->encode_text("1?2"), InputError);
}
