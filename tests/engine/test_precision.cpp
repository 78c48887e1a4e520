// bf16 on the CPU: what runtime.precision resolves to, what autocast computes in, and that a
// bf16 run trains, records its precision and stays close to fp32 (docs/PERFORMANCE.md has the
// full-size comparison).
#include "collect_observer.h"
#include "model/attention.h"
#include "seqpe/common/error.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/run_dir.h"
#include "seqpe/runtime.h"
#include "seqpe/trainer.h"
#include "test_util.h"
#include "train/device.h"

#include <cmath>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>

using namespace seqpe;
using namespace seqpe::test;

TEST(Precision, AutoIsBf16ExactlyOnCpusWithNativeBf16) {
    EXPECT_EQ(resolve_precision("auto", /*cuda=*/false, /*native_bf16=*/true), "bf16");
    EXPECT_EQ(resolve_precision("auto", false, false), "fp32");
    EXPECT_EQ(resolve_precision("auto", true, true), "fp32");   // GPUs: bf16/fp16 only when asked for
    EXPECT_EQ(resolve_precision("bf16", false, false), "bf16"); // asked for: emulated, with a warning
    EXPECT_EQ(resolve_precision("fp32", false, true), "fp32");
    EXPECT_EQ(resolve_precision("fp16", true, false), "fp16");
    EXPECT_THROW(resolve_precision("fp16", false, true), InputError);
    // This machine: the CPUID answer and the runtime facts agree.
    EXPECT_EQ(runtime_info().cpu_bf16, cpu_has_native_bf16());
    EXPECT_EQ(effective_precision(torch::kCPU, "auto"), cpu_has_native_bf16() ? "bf16" : "fp32");
}

TEST(Precision, CpuAutocastComputesMatmulsInBf16AndEndsWithItsScope) {
    torch::manual_seed(1);
    torch::nn::Linear lin(8, 4);
    const torch::Tensor x = torch::randn({3, 8});
    {
        AutocastScope scope(torch::kCPU, "bf16");
        EXPECT_TRUE(scope.active());
        const torch::Tensor y = lin->forward(x);
        EXPECT_EQ(y.scalar_type(), torch::kBFloat16);
        // Close to the fp32 product to bf16's 8 bits of mantissa.
        const torch::Tensor ref = torch::addmm(lin->bias, x, lin->weight.t());
        EXPECT_LT((y.to(torch::kFloat) - ref).abs().max().item<double>(), 0.02 * ref.abs().max().item<double>() + 1e-3);
        {
            AutocastScope inner(torch::kCPU, "fp32"); // a no-op scope keeps the outer one
            EXPECT_FALSE(inner.active());
            EXPECT_EQ(lin->forward(x).scalar_type(), torch::kBFloat16);
        }
    }
    EXPECT_EQ(lin->forward(x).scalar_type(), torch::kFloat);
    AutocastScope off(torch::kCPU, "fp32");
    EXPECT_FALSE(off.active());
}

TEST(Precision, AttentionProbabilitiesAreFp32UnderBf16Autocast) {
    // The softmax of bf16 scores runs in fp32: each row sums to 1 to fp32 precision.
    torch::manual_seed(2);
    const torch::Tensor q = torch::randn({1, 2, 64, 8}), k = torch::randn({1, 2, 64, 8}),
                        v = torch::randn({1, 2, 64, 8});
    AttentionOptions o;
    o.scale = 1.0 / std::sqrt(8.0);
    o.causal = true;
    torch::Tensor probs;
    AutocastScope scope(torch::kCPU, "bf16");
    const torch::Tensor out = attend(q, k, v, {}, o, &probs);
    EXPECT_EQ(probs.scalar_type(), torch::kFloat);
    EXPECT_LT((probs.sum(-1) - 1).abs().max().item<double>(), 1e-5);
    EXPECT_EQ(out.sizes(), q.sizes());
}

namespace {

double last_valid_loss(const std::vector<Record>& rs) {
    double v = NAN;
    for (const auto& r : rs)
        if (r.kind == "eval") v = r.get("loss").value_or(NAN);
    return v;
}

} // namespace

TEST(Precision, Bf16RunTrainsRecordsItsPrecisionAndStaysNearFp32) {
    TempDir tmp("bf16run");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 4000, 4000);
    double valid[2] = {0, 0};
    const char* precisions[2] = {"fp32", "bf16"};
    for (int i = 0; i < 2; ++i) {
        RunConfig c = tiny_lm_config("seqpe");
        c.runtime.precision = precisions[i];
        c.train.steps = 40;
        c.train.eval_every = 40;
        c.train.checkpoint_every = 40;
        c.train.snapshot_every = 0;
        TrainerOptions o;
        o.run_dir = tmp / precisions[i];
        o.dataset_dir = data;
        Collect obs;
        const RunResult r = make_trainer(c, o)->run(obs, {});
        ASSERT_EQ(r.outcome, RunOutcome::Completed) << r.message;
        valid[i] = last_valid_loss(obs.records);
        ASSERT_TRUE(std::isfinite(valid[i]));
        // The run directory says what the run computed in.
        EXPECT_EQ(read_run_config(RunPaths{o.run_dir}).runtime.precision, precisions[i]);
        // Evaluation follows the run's precision and says so in the report.
        EvalOptions eo;
        eo.dataset_dir = data;
        eo.lengths = {16, 32};
        eo.max_tokens = 512;
        const EvalReport rep = evaluate_run(o.run_dir, eo, obs, {});
        EXPECT_EQ(rep.precision, precisions[i]);
        ASSERT_EQ(rep.rows.size(), 2u);
        EXPECT_TRUE(std::isfinite(rep.rows[1].loss));
    }
    // Same seed, same data: bf16 autocast lands within 2% of fp32's validation loss (the loss
    // starts at log 64 = 4.16 and falls below 3.5 in 40 steps, so a broken bf16 path is far off).
    EXPECT_LT(valid[0], 3.9);
    EXPECT_NEAR(valid[1], valid[0], 0.02 * valid[0]);
}

TEST(Precision, AutoResolvesInTheRunsConfig) {
    TempDir tmp("autoprec");
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, 1000);
    RunConfig c = tiny_lm_config("learned");
    c.runtime.precision = "auto";
    short_run(c, 2);
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    Collect obs;
    ASSERT_EQ(make_trainer(c, o)->run(obs, {}).outcome, RunOutcome::Completed);
    EXPECT_EQ(read_run_config(RunPaths{o.run_dir}).runtime.precision, cpu_has_native_bf16() ? "bf16" : "fp32");
}

TEST(Precision, Bf16RunsAreReproducibleForAGivenSeedAndThreadCount) {
    TempDir tmp("bf16repro");
    const auto data = write_text_dataset(tmp / "data", 64, 8000, 2000, 2000);
    std::vector<double> losses[2];
    for (int i = 0; i < 2; ++i) {
        RunConfig c = tiny_lm_config("seqpe");
        c.runtime.precision = "bf16";
        c.runtime.threads = 2;
        short_run(c, 6);
        TrainerOptions o;
        o.run_dir = tmp / ("run" + std::to_string(i));
        o.dataset_dir = data;
        Collect obs;
        ASSERT_EQ(make_trainer(c, o)->run(obs, {}).outcome, RunOutcome::Completed);
        for (const auto& r : obs.records)
            if (r.kind == "train") losses[i].push_back(r.get("loss").value_or(NAN));
    }
    ASSERT_EQ(losses[0].size(), 6u);
    EXPECT_EQ(losses[0], losses[1]); // bit-identical
}
