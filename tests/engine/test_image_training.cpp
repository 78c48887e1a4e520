// Image training beyond one resolution: mixup and cutmix draws and their batches, Beta sampling,
// and mixed-resolution training (each step's side, the layout it trains with, SeqPE's samplers on
// a grid other than the reference one, resume).
#include "collect_observer.h"
#include "data/image_mix.h"
#include "seqpe/config.h"
#include "seqpe/config_io.h"
#include "seqpe/engine.h"
#include "seqpe/run_dir.h"
#include "seqpe/trainer.h"
#include "test_util.h"
#include "train/image_task.h"
#include "util/rng.h"

#include <cmath>
#include <gtest/gtest.h>
#include <set>

using namespace seqpe;
using namespace seqpe::test;

TEST(MixSampling, BetaAndGammaDrawsHaveTheirMomentsAndRepeatPerSeed) {
    // Beta(a, b): mean a / (a + b), variance ab / ((a + b)^2 (a + b + 1)); Gamma(k): mean k.
    struct Case {
        double a, b;
    };
    for (const Case k : {Case{0.8, 0.8}, Case{1.0, 1.0}, Case{2.0, 5.0}, Case{0.3, 0.3}}) {
        Rng rng(7);
        const int n = 40000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; ++i) {
            const double x = rng.beta(k.a, k.b);
            ASSERT_GE(x, 0.0);
            ASSERT_LE(x, 1.0);
            s += x;
            s2 += x * x;
        }
        const double mean = s / n, var = s2 / n - mean * mean;
        const double m = k.a / (k.a + k.b), v = k.a * k.b / ((k.a + k.b) * (k.a + k.b) * (k.a + k.b + 1));
        EXPECT_NEAR(mean, m, 4 * std::sqrt(v / n)) << k.a << "," << k.b;
        EXPECT_NEAR(var, v, 0.05 * v) << k.a << "," << k.b;
    }
    Rng g(3);
    double s = 0;
    for (int i = 0; i < 40000; ++i) s += g.gamma(0.5);
    EXPECT_NEAR(s / 40000, 0.5, 0.02); // sd of the mean: sqrt(0.5 / 40000) = 0.0035
    Rng a(11), b(11);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(a.beta(0.8, 0.8), b.beta(0.8, 0.8));
}

TEST(MixSampling, DrawsFollowTheEnabledMethodsAndCutmixLambdaIsTheUncutShare) {
    Rng rng(5);
    EXPECT_FALSE(draw_mix(16, 16, 0, 0, rng).active);
    int cut = 0;
    for (int i = 0; i < 400; ++i) {
        const MixDraw m = draw_mix(16, 16, 0.8, 0, rng);
        ASSERT_TRUE(m.active);
        EXPECT_FALSE(m.cutmix);
        EXPECT_GT(m.lambda, 0.0);
        EXPECT_LT(m.lambda, 1.0);
        const MixDraw c = draw_mix(12, 20, 0, 1.0, rng);
        ASSERT_TRUE(c.cutmix);
        EXPECT_GE(c.box.x, 0);
        EXPECT_GE(c.box.y, 0);
        EXPECT_LE(c.box.x + c.box.w, 20);
        EXPECT_LE(c.box.y + c.box.h, 12);
        EXPECT_DOUBLE_EQ(c.lambda, 1.0 - c.box.w * c.box.h / 240.0); // the pixels each image keeps
        cut += draw_mix(16, 16, 0.8, 1.0, rng).cutmix;
    }
    EXPECT_GT(cut, 160); // p = 0.5 of 400: 200 +- 10 sd
    EXPECT_LT(cut, 240);
}

TEST(MixSampling, MixupBlendsEachImageWithItsMirrorAndCutmixPastesItsBox) {
    // x[b] filled with b + 1: every pixel says which image it came from.
    const torch::Tensor x = torch::arange(1, 5, torch::kFloat).view({4, 1, 1, 1}).expand({4, 2, 6, 8}).contiguous();
    MixDraw m;
    m.active = true;
    m.lambda = 0.75;
    const torch::Tensor mixed = apply_mix(x, m);
    for (int b = 0; b < 4; ++b)
        EXPECT_FLOAT_EQ(mixed[b][1][3][5].item<float>(), 0.75f * (b + 1) + 0.25f * (4 - b)); // partner B-1-b
    MixDraw c;
    c.active = c.cutmix = true;
    c.box = {2, 1, 3, 4}; // x 2..4, y 1..4
    const torch::Tensor cut = apply_mix(x, c);
    for (int b = 0; b < 4; ++b)
        for (int y = 0; y < 6; ++y)
            for (int xx = 0; xx < 8; ++xx) {
                const bool in = xx >= 2 && xx < 5 && y >= 1 && y < 5;
                ASSERT_EQ(cut[b][0][y][xx].item<float>(), in ? 4 - b : b + 1) << b << " " << y << " " << xx;
            }
    EXPECT_TRUE(torch::equal(apply_mix(x, MixDraw{}), x)); // inactive: unchanged
}

namespace {

RunConfig mixed_config(const std::string& encoding) {
    RunConfig c = tiny_image_config(encoding);
    c.data.image_size = 16;
    c.data.mixed_resolution = true;
    c.data.size_min = 8;
    c.data.size_max = 24; // grids 2x2 .. 6x6 around the 4x4 reference
    c.train.steps = 12;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 0;
    return c;
}

} // namespace

TEST(MixedResolution, TrainingSizesAreThePatchMultiplesInTheRangeAndValidationNamesBadRanges) {
    RunConfig c = mixed_config("learned");
    EXPECT_EQ(image_train_sizes(c), (std::vector<int64_t>{8, 12, 16, 20, 24}));
    c.data.mixed_resolution = false;
    EXPECT_EQ(image_train_sizes(c), (std::vector<int64_t>{16}));
    EXPECT_TRUE(validate(mixed_config("seqpe")).empty());

    auto first_error = [](const RunConfig& bad) {
        for (const auto& d : validate(bad))
            if (d.severity == Diagnostic::Severity::Error) return d.path + ": " + d.message;
        return std::string();
    };
    RunConfig bad = mixed_config("learned");
    bad.data.size_min = 28;
    EXPECT_NE(first_error(bad).find("data.size_min: 28 is above data.size_max 24"), std::string::npos)
        << first_error(bad);
    bad = mixed_config("learned");
    bad.data.size_max = 22;
    EXPECT_NE(first_error(bad).find("data.size_max: 22 is not a multiple of model.patch_size 4; use 20 or 24"),
              std::string::npos)
        << first_error(bad);
    bad = mixed_config("learned");
    bad.data.size_min = 20;
    EXPECT_NE(first_error(bad).find("data.image_size: 16 lies outside the mixed-resolution range [20, 24]"),
              std::string::npos)
        << first_error(bad);
    // SeqPE's automatic max_position covers the largest training grid (6x6) and evaluated one.
    RunConfig s = mixed_config("seqpe");
    s.position_encoding.seqpe.max_position = 0;
    s.eval.image_sizes = {16, 20};
    EXPECT_EQ(resolve_config(s).position_encoding.seqpe.max_position, 36);
}

TEST(MixedResolution, EachStepTrainsAtItsDrawnSideWithThatGridAndLearnedTableGradients) {
    TempDir tmp("mixed-res");
    const auto data = write_image_dataset(tmp / "data", 64, 16, 16);
    const ResolvedConfig c = resolve_config(mixed_config("learned"));
    ImageTask task(c, data, read_manifest(data), torch::kCPU);
    std::set<int64_t> seen;
    for (int64_t step = 0; step < 40; ++step) {
        const TrainBatch b = task.batch(step, 0, 1);
        const int64_t side = b.x.size(2);
        ASSERT_EQ(b.x.size(3), side);
        ASSERT_EQ(side % 4, 0);
        ASSERT_GE(side, 8);
        ASSERT_LE(side, 24);
        seen.insert(side);
        const Layout l = task.train_layout(b);
        ASSERT_EQ(l.grid, (std::vector<int64_t>{side / 4, side / 4}));
        EXPECT_EQ(b.tokens, 16 * (side / 4) * (side / 4));
        EXPECT_EQ(task.batch(step, 0, 1).x.size(2), side) << "the side is a function of (seed, step)";
    }
    EXPECT_EQ(seen.size(), 5u); // 40 draws from 5 sides miss one with p < 1e-3
    // A step off the reference grid reads the 4x4 table resampled, and its gradient reaches the table.
    int64_t step = 0;
    while (task.batch(step, 0, 1).x.size(2) == 16) ++step;
    const TrainBatch b = task.batch(step, 0, 1);
    task.module().zero_grad();
    task.loss(b, task.train_layout(b)).backward();
    const torch::Tensor table = task.module().named_parameters()["pe.table"];
    ASSERT_TRUE(table.grad().defined());
    EXPECT_GT(table.grad().abs().sum().item<double>(), 0.0);
    EXPECT_EQ(table.sizes(), (std::vector<int64_t>{4, 4, 32}));
}

TEST(MixedResolution, MixedLossIsTheLambdaWeightedCrossEntropyOfBothLabels) {
    TempDir tmp("mix-loss");
    const auto data = write_image_dataset(tmp / "data", 64, 16, 16);
    RunConfig raw = tiny_image_config("rope");
    raw.data.mixup_alpha = 0.8;
    const ResolvedConfig c = resolve_config(raw);
    ImageTask task(c, data, read_manifest(data), torch::kCPU);
    const TrainBatch b = task.batch(2, 0, 1);
    ASSERT_TRUE(b.y_mix.defined());
    EXPECT_TRUE(torch::equal(b.y_mix, b.y.flip({0}))); // each image's partner is its mirror
    EXPECT_GT(b.mix_lambda, 0.0);
    EXPECT_LT(b.mix_lambda, 1.0);
    torch::NoGradGuard ng;
    const Layout l = task.train_layout(b);
    const torch::Tensor logp = torch::log_softmax(task.model()->forward(b.x, l), 1); // (B, 4)
    const double want = -(b.mix_lambda * logp.gather(1, b.y.view({-1, 1})).mean().item<double>() +
                          (1 - b.mix_lambda) * logp.gather(1, b.y_mix.view({-1, 1})).mean().item<double>());
    EXPECT_NEAR(task.loss(b, l).item<double>(), want, 1e-5);
}

TEST(MixedResolution, SeqPeTrainsOnEveryGridAndAStoppedRunResumesBitIdentically) {
    // SeqPE: distillation on grids smaller than transfer.positions (2x2 has 4 patches), shifted
    // layouts of the largest grid inside max_position; mixup and cutmix draws resume too.
    TempDir tmp("mixed-resume");
    const auto data = write_image_dataset(tmp / "data", 64, 16, 16);
    RunConfig c = mixed_config("seqpe");
    c.data.mixup_alpha = 0.8;
    c.data.cutmix_alpha = 1.0;
    c.position_encoding.seqpe.transfer.positions = 8;
    c.position_encoding.seqpe.transfer.start_step = 0;
    c.position_encoding.seqpe.shift.rate = 0.5;
    ASSERT_TRUE(validate(c).empty()) << validate(c).front().message;
    auto run = [&](const std::filesystem::path& dir, int64_t stop_after) {
        TrainerOptions o;
        o.run_dir = dir;
        o.dataset_dir = data;
        o.stop_after_steps = stop_after;
        Collect obs;
        const RunResult r = make_trainer(c, o)->run(obs, {});
        return std::make_pair(r, obs.losses());
    };
    const auto [full, lf] = run(tmp / "full", 0);
    ASSERT_EQ(full.outcome, RunOutcome::Completed) << full.message;
    for (const double v : lf) EXPECT_TRUE(std::isfinite(v));
    const auto [a, la] = run(tmp / "split", 5);
    ASSERT_EQ(a.outcome, RunOutcome::Cancelled) << a.message;
    const auto [b, lb] = run(tmp / "split", 0);
    ASSERT_EQ(b.outcome, RunOutcome::Completed) << b.message;
    std::vector<double> joined = la;
    joined.insert(joined.end(), lb.begin(), lb.end());
    EXPECT_EQ(joined, lf); // bit-identical
}

TEST(MixedResolution, InterpolatedPositionsSpreadEveryGridOverTheReferenceOne) {
    TempDir tmp("mixed-interp");
    const auto data = write_image_dataset(tmp / "data", 64, 16, 16);
    RunConfig raw = mixed_config("rope");
    raw.data.mixed_positions = "interpolate";
    const ResolvedConfig c = resolve_config(raw);
    ImageTask task(c, data, read_manifest(data), torch::kCPU);
    std::set<int64_t> seen;
    for (int64_t step = 0; step < 40; ++step) {
        const TrainBatch b = task.batch(step, 0, 1);
        const int64_t g = b.x.size(2) / 4;
        const Layout l = task.train_layout(b);
        EXPECT_DOUBLE_EQ(l.scale, 4.0 / static_cast<double>(g)) << g; // the 4x4 reference grid: scale 1
        seen.insert(g);
    }
    EXPECT_EQ(seen.size(), 5u);

    // SeqPE reads an interpolated step through the reference grid's encodings (not the step's
    // prepared integer positions): another loss than extend on a step off the reference grid.
    auto losses = [&](const std::string& positions) {
        RunConfig s = mixed_config("seqpe");
        s.data.mixed_positions = positions;
        s.train.steps = 6;
        TrainerOptions o;
        o.run_dir = tmp / positions;
        o.dataset_dir = data;
        Collect obs;
        const RunResult r = make_trainer(s, o)->run(obs, {});
        EXPECT_EQ(r.outcome, RunOutcome::Completed) << r.message;
        return obs.losses();
    };
    const auto ext = losses("extend"), interp = losses("interpolate");
    ASSERT_EQ(ext.size(), 6u);
    ASSERT_EQ(interp.size(), 6u);
    ImageTask probe(resolve_config(mixed_config("seqpe")), data, read_manifest(data), torch::kCPU);
    bool off_reference_differs = false;
    for (int64_t step = 0; step < 6; ++step) {
        const bool reference = probe.batch(step, 0, 1).x.size(2) == 16;
        if (step == 0 && reference) {
            EXPECT_EQ(ext[0], interp[0]); // same weights, same layout
        }
        if (!reference && ext[static_cast<size_t>(step)] != interp[static_cast<size_t>(step)])
            off_reference_differs = true;
    }
    EXPECT_TRUE(off_reference_differs);
}
