// Evaluation: perplexity of a uniform predictor, chunking that covers every token once, reports.
#include "data/lm_data.h"
#include "model/lm.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/run_dir.h"
#include "seqpe/trainer.h"
#include "test_util.h"
#include "train/checkpoint.h"
#include "train/task.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {
struct Quiet : Observer {};

std::filesystem::path trained_run(const TempDir& tmp, const RunConfig& c, const std::filesystem::path& data) {
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    Quiet q;
    auto t = make_trainer(c, o);
    EXPECT_EQ(t->run(q, {}).outcome, RunOutcome::Completed);
    return o.run_dir;
}
} // namespace

TEST(Eval, UniformPredictorHasPerplexityEqualToTheVocabularySize) {
    TempDir tmp("uniform");
    const int64_t V = 37;
    const auto data = write_text_dataset(tmp / "data", V, 4000, 1000, 1001);
    RunConfig c = tiny_lm_config("learned");
    c.train.steps = 1;
    const auto run = trained_run(tmp, c, data);
    { // Zero every weight: all logits are 0, so every token has probability 1/V.
        auto task = make_task(resolve_config(c), data, torch::kCPU);
        torch::NoGradGuard ng;
        for (auto& p : task->module().parameters()) p.zero_();
        TrainerState st;
        st.step = 1;
        save_checkpoint(RunPaths{run}, task->module(), nullptr, st, 2);
    }
    EvalOptions o;
    o.dataset_dir = data;
    o.lengths = {16, 40};
    Quiet q;
    const EvalReport r = evaluate_run(run, o, q);
    ASSERT_EQ(r.rows.size(), 2u);
    for (const auto& row : r.rows) EXPECT_NEAR(row.ppl, double(V), 1e-3 * V);
}

TEST(Eval, ChunksCoverEveryTestTokenExactlyOnce) {
    TempDir tmp("chunks");
    const int64_t test_tokens = 1001; // not a multiple of any length below
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, test_tokens);
    RunConfig c = tiny_lm_config("rope");
    c.train.steps = 2;
    const auto run = trained_run(tmp, c, data);
    EvalOptions o;
    o.dataset_dir = data;
    o.lengths = {16, 48, 1000, 1100};
    o.mode = "both";
    Quiet q;
    const EvalReport r = evaluate_run(run, o, q);
    ASSERT_EQ(r.rows.size(), 8u);
    for (const auto& row : r.rows) EXPECT_EQ(row.count, test_tokens - 1) << row.mode << " " << row.length;
    EXPECT_EQ(r.loss_by_position_length, 1100);
    EXPECT_TRUE(std::filesystem::exists(RunPaths{run}.eval() / "extrapolation.csv"));
    const auto back = eval_report_from_json(read_file(RunPaths{run}.eval() / "extrapolation.json"), "x");
    ASSERT_EQ(back.rows.size(), 8u);
    EXPECT_DOUBLE_EQ(back.rows[3].ppl, r.rows[3].ppl);
    // Its measurement error (docs/METHOD.md §14): a bootstrap over the windows, 62 full windows of
    // 16 and a last one of 8 at L = 16; one window at L = 1100: no interval.
    EXPECT_EQ(r.rows[0].items, 63);
    EXPECT_LT(r.rows[0].lo, r.rows[0].ppl);
    EXPECT_GT(r.rows[0].hi, r.rows[0].ppl);
    EXPECT_EQ(r.rows[3].items, 1);
    EXPECT_TRUE(std::isnan(r.rows[3].lo));
    EXPECT_DOUBLE_EQ(back.rows[0].lo, r.rows[0].lo);
    EXPECT_TRUE(std::isnan(back.rows[3].hi)); // null in the JSON, NaN again
    // Per byte and character: the pieces "t0".."t63" are 2 or 3 ASCII bytes; no word starts.
    const EvalRow& row = r.rows[0];
    EXPECT_GE(row.bytes, 2 * row.count);
    EXPECT_LE(row.bytes, 3 * row.count);
    EXPECT_EQ(row.chars, row.bytes);
    EXPECT_NEAR(row.bits_per_byte * std::log(2.0) * double(row.bytes), row.loss * double(row.count), 1e-6 * row.count);
    EXPECT_EQ(row.words, 0);
    EXPECT_TRUE(std::isnan(row.word_ppl));
    // The same evaluation again: the same interval (the bootstrap is seeded by length and mode).
    EXPECT_DOUBLE_EQ(evaluate_run(run, o, q).rows[0].hi, r.rows[0].hi);
    // max_tokens caps the scored tokens.
    o.max_tokens = 100;
    o.mode = "extend";
    o.lengths = {16};
    EXPECT_EQ(evaluate_run(run, o, q).rows[0].count, 100);
}

// The loss is computed over blocks of 1,024 rows of the logits (evaluate.cpp): a window of 1,100
// tokens spans two blocks and must score what the whole logits give.
TEST(Eval, BlockedLossEqualsTheWholeLogitsCrossEntropy) {
    TempDir tmp("blocked");
    const int64_t L = 1100;
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, L + 1);
    RunConfig c = tiny_lm_config("rope");
    c.train.steps = 3;
    const auto run = trained_run(tmp, c, data);
    EvalOptions o;
    o.dataset_dir = data;
    o.lengths = {L};
    o.mode = "extend";
    Quiet q;
    const EvalReport r = evaluate_run(run, o, q);
    ASSERT_EQ(r.rows.size(), 1u);
    ASSERT_EQ(r.rows[0].count, L);

    auto task = make_task(resolve_config(c), data, torch::kCPU);
    load_weights(run, task->module());
    auto& model = dynamic_cast<LanguageModelImpl&>(task->module());
    model.eval();
    torch::NoGradGuard ng;
    const TokenSplit split(data, read_manifest(data), "test");
    const torch::Tensor seq = split.slice(0, L + 1).view({1, L + 1});
    using torch::indexing::Slice;
    const torch::Tensor logits = model.forward(seq.index({Slice(), Slice(0, L)}), layout_1d(L)); // (1, L, V)
    const double whole = torch::nn::functional::cross_entropy(logits.view({L, -1}).to(torch::kFloat),
                                                              seq.index({0, Slice(1, torch::indexing::None)}))
                             .item<double>();
    EXPECT_GT(whole, 1.0); // a trained model, not a uniform one
    EXPECT_NEAR(r.rows[0].loss, whole, 1e-5 * whole);
}

TEST(Eval, LearnedTableNotesItsInterpolation) {
    TempDir tmp("learned");
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, 1000);
    RunConfig c = tiny_lm_config("learned");
    c.train.steps = 2;
    const auto run = trained_run(tmp, c, data);
    EvalOptions o;
    o.dataset_dir = data;
    o.lengths = {16, 64};
    Quiet q;
    const EvalReport r = evaluate_run(run, o, q);
    EXPECT_TRUE(r.rows[0].note.empty());
    EXPECT_NE(r.rows[1].note.find("interpolated"), std::string::npos);
}

TEST(Eval, ImageRunIsScoredAtEveryResolutionAndMode) {
    TempDir tmp("img-eval");
    const auto data = write_image_dataset(tmp / "data", 1000, 100, 120);
    RunConfig c = tiny_image_config("learned");
    c.train.steps = 200;
    const auto run = trained_run(tmp, c, data);
    EvalOptions o;
    o.dataset_dir = data;
    o.mode = "both";
    Quiet q;
    const EvalReport r = evaluate_run(run, o, q);
    ASSERT_EQ(r.rows.size(), 6u); // {16, 24, 32} x {extend, interpolate}
    EXPECT_EQ(r.metric, "accuracy");
    for (const auto& row : r.rows) {
        EXPECT_EQ(row.count, 120);
        EXPECT_GE(row.accuracy, 0.0);
        EXPECT_LE(row.accuracy, 1.0);
    }
    EXPECT_GT(r.rows[0].accuracy, 0.4); // at the training resolution (4 classes: chance 0.25)
    EXPECT_EQ(r.image_resize, "resize");
    fs::copy_file(run / "eval" / "extrapolation.json", run / "eval" / "legacy.json"); // for below
    // The official protocol (resize to 16 / 0.875 = 18, keep the central 16 x 16) on request: other
    // pixels, so another loss, and the report says which protocol it holds (also through its JSON).
    o.image_resize = "center_crop";
    o.mode = "extend";
    o.lengths = {16};
    const EvalReport cc = evaluate_run(run, o, q);
    ASSERT_EQ(cc.rows.size(), 1u);
    EXPECT_EQ(cc.image_resize, "center_crop");
    EXPECT_NE(cc.rows[0].loss, r.rows[0].loss);
    EXPECT_EQ(eval_report_from_json(eval_report_json(cc), "x").image_resize, "center_crop");
    // Each protocol keeps its newest report: the center-crop evaluation did not replace the resize one.
    const RunPaths rp{run};
    const EvalReport kept = eval_report_from_json(read_file(rp.eval_report("resize")), "resize");
    EXPECT_EQ(kept.image_resize, "resize");
    EXPECT_EQ(kept.rows.size(), 6u);
    EXPECT_EQ(eval_report_from_json(read_file(rp.eval_report("center_crop")), "cc").rows.size(), 1u);
    EXPECT_EQ(eval_report_from_json(read_file(rp.eval_report()), "newest").image_resize, "center_crop");
    // A run evaluated before per-protocol reports existed (its resize report only in
    // extrapolation.json): a centre-crop evaluation keeps that report under its protocol's name.
    fs::remove(rp.eval_report("resize"));
    fs::remove(rp.eval_report("center_crop"));
    fs::copy_file(run / "eval" / "legacy.json", rp.eval_report(), fs::copy_options::overwrite_existing);
    evaluate_run(run, o, q);
    ASSERT_TRUE(fs::exists(rp.eval_report("resize")));
    EXPECT_EQ(eval_report_from_json(read_file(rp.eval_report("resize")), "kept").rows.size(), 6u);
    EXPECT_EQ(eval_report_from_json(read_file(rp.eval_report()), "newest").image_resize, "center_crop");
    o.image_resize.clear();
    o.lengths = {18}; // not a multiple of the patch size
    EXPECT_THROW(evaluate_run(run, o, q), InputError);
}
