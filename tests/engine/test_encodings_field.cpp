// The field's encodings and RoPE's context extensions (docs/METHOD.md §9): properties that hold
// whatever the learned parameters are. Golden values from the independent reference are in
// test_golden.cpp.
#include "pe/alibi.h"
#include "pe/fire.h"
#include "pe/kerple.h"
#include "pe/rope.h"
#include "pe/t5_bias.h"
#include "pe/xpos.h"
#include "seqpe/encodings.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;

namespace {

PeModelInfo info(int dims, int64_t d_model = 32, int64_t heads = 4, int64_t train_len = 16, bool causal = true) {
    PeModelInfo i;
    i.dims = dims;
    i.d_model = d_model;
    i.n_head = heads;
    i.n_layer = 1;
    i.train_length = train_len;
    i.causal = causal;
    return i;
}

// The bias an encoding adds over positions first..first+n-1: (H, n, n).
torch::Tensor bias_over(PositionEncodingImpl& pe, int64_t n, int64_t first = 0) {
    torch::NoGradGuard ng;
    const Layout l = layout_1d(n, first);
    pe.begin(l, l);
    torch::Tensor b = pe.bias(0)[0];
    pe.end();
    return b;
}

} // namespace

TEST(FieldEncodings, EveryRowOfTheTableHasAnImplementation) {
    for (const EncodingInfo& e : encoding_table()) EXPECT_TRUE(has_implementation(e.name)) << e.name;
    EXPECT_FALSE(has_implementation("nope"));
}

TEST(T5Bias, BucketsAreHfT5sAndGrowWithDistance) {
    // Causal (one-sided), 32 buckets up to 128: 16 exact, then log-spaced; rel = key - query.
    auto one = [](double rel, bool bidirectional) {
        return T5BiasImpl::bucket(torch::tensor({rel}, torch::kDouble), bidirectional, 32, 128).item<int64_t>();
    };
    for (int n = 0; n < 16; ++n) EXPECT_EQ(one(-n, false), n);
    EXPECT_EQ(one(-16, false), 16);
    EXPECT_EQ(one(-32, false), 21); // 16 + floor(ln 2 / ln 8 * 16)
    EXPECT_EQ(one(-127, false), 31);
    EXPECT_EQ(one(-128, false), 31); // the last bucket from max_distance on
    EXPECT_EQ(one(-100000, false), 31);
    EXPECT_EQ(one(5, false), 0); // a later key (masked anyway): bucket 0
    // Bidirectional (images): the upper half for keys after the query, 8 exact per side.
    EXPECT_EQ(one(3, true), 19);
    EXPECT_EQ(one(-3, true), 3);
    EXPECT_EQ(one(20, true), 26); // 16 + 8 + floor(ln 2.5 / ln 16 * 8)
    // Monotone in distance: a farther key never gets an earlier bucket.
    const torch::Tensor d = torch::arange(0, 5000, torch::kDouble);
    const torch::Tensor b = T5BiasImpl::bucket(-d, false, 32, 128);
    EXPECT_TRUE((b.slice(0, 1) >= b.slice(0, 0, -1)).all().item<bool>());
}

TEST(T5Bias, BiasIsTheTableAtEachPairsBucketAndSharedPastTheLastOne) {
    torch::manual_seed(3);
    T5BiasImpl t5(info(1), 8, 16);
    const torch::Tensor b = bias_over(t5, 40); // (H, 40, 40)
    for (int64_t h = 0; h < 4; ++h) {
        EXPECT_FLOAT_EQ(b[h][5][5].item<float>(), t5.table[h][0].item<float>());  // distance 0
        EXPECT_FLOAT_EQ(b[h][5][2].item<float>(), t5.table[h][3].item<float>());  // distance 3 < 4 exact
        EXPECT_FLOAT_EQ(b[h][39][0].item<float>(), t5.table[h][7].item<float>()); // beyond max_distance
        EXPECT_FLOAT_EQ(b[h][39][10].item<float>(), t5.table[h][7].item<float>());
    }
    // 2D: the row table at the row offset's bucket plus the column table at the column offset's.
    T5BiasImpl two(info(2, 32, 2, 4, false), 8, 16);
    torch::NoGradGuard ng;
    const Layout g = layout_2d(3, 3, 0);
    two.begin(g, g);
    const torch::Tensor b2 = two.bias(0)[0]; // (H, 9, 9)
    two.end();
    // query (0, 0) = index 0, key (2, 1) = index 7: row offset +2 -> bucket 4 + 2, column +1 -> 5.
    for (int64_t h = 0; h < 2; ++h)
        EXPECT_NEAR(b2[h][0][7].item<float>(), (two.table[0][h][6] + two.table[1][h][5]).item<float>(), 1e-6);
}

TEST(Kerple, BiasIsZeroAtDistanceZeroAndDecreasesWithDistanceWhateverItsParameters) {
    for (const bool power : {false, true})
        for (int seed : {1, 2, 3}) {
            torch::manual_seed(seed);
            KerpleImpl k(info(1), power);
            const torch::Tensor b = bias_over(k, 64); // (H, 64, 64)
            const torch::Tensor r1 = k.r1(), r2 = k.r2();
            EXPECT_TRUE((r1 > 0).all().item<bool>() && (r2 > 0).all().item<bool>());
            if (power) {
                EXPECT_TRUE((r2 <= 2).all().item<bool>());
            }
            const torch::Tensor row = b.select(1, 63).flip(-1); // (H, 64): distance 0, 1, ..., 63
            EXPECT_LT(row.select(1, 0).abs().max().item<float>(), 1e-6);
            EXPECT_TRUE((row.slice(1, 1) < row.slice(1, 0, -1)).all().item<bool>()) << power << " " << seed;
            // The formula, at distance 7 of head 0.
            const double d = 7, a = r1[0].item<double>(), c = r2[0].item<double>();
            const double want = power ? -a * std::pow(d, c) : -a * std::log1p(c * d);
            EXPECT_NEAR(b[0][20][13].item<float>(), want, 1e-5);
        }
}

TEST(Kerple, PowerGradientsAreFiniteAtDistanceZero) {
    torch::manual_seed(1);
    KerpleImpl k(info(1), true);
    const Layout l = layout_1d(8);
    k.begin(l, l);
    k.bias(0).sum().backward();
    k.end();
    EXPECT_TRUE(torch::isfinite(k.raw1.grad()).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(k.raw2.grad()).all().item<bool>());
}

TEST(Fire, DiagonalIsTheMlpAtZeroAndFarQueriesInterpolateIntoTheUnitInterval) {
    torch::manual_seed(5);
    FireImpl fire(info(1, 32, 4, 16), 8, 0.1, 0.0);
    EXPECT_FLOAT_EQ(fire.threshold.item<float>(), 16.0f); // L starts at the training length
    const torch::Tensor b = bias_over(fire, 64);          // (H, 64, 64)
    torch::NoGradGuard ng;
    const torch::Tensor f0 = fire.fc2->forward(torch::relu(fire.fc1->forward(torch::zeros({1, 1}))))[0]; // (H)
    const torch::Tensor f1 = fire.fc2->forward(torch::relu(fire.fc1->forward(torch::ones({1, 1}))))[0];
    for (int64_t i : {0, 7, 40, 63})
        for (int64_t h = 0; h < 4; ++h) EXPECT_NEAR(b[h][i][i].item<float>(), f0[h].item<float>(), 1e-5);
    // i >= L: the key at distance i (position 0) maps to psi(i) / psi(i) = 1, for every such query.
    for (int64_t i : {20, 40, 63})
        for (int64_t h = 0; h < 4; ++h) EXPECT_NEAR(b[h][i][0].item<float>(), f1[h].item<float>(), 1e-4);
    // The normaliser: psi(d) / psi(max(L, i)) by hand for a query below the threshold.
    const double c = 0.1, L = 16, i = 10, j = 4;
    const torch::Tensor u = torch::tensor({{std::log(c * (i - j) + 1) / (std::log(c * L + 1) + 1e-6)}}, torch::kFloat);
    const torch::Tensor want = fire.fc2->forward(torch::relu(fire.fc1->forward(u)))[0];
    for (int64_t h = 0; h < 4; ++h) EXPECT_NEAR(b[h][10][4].item<float>(), want[h].item<float>(), 1e-5);
}

TEST(Xpos, ScoreIsInvariantToACommonShiftAndDecaysAsZetaToTheDistance) {
    const PeModelInfo in = info(1, 16, 1, 16);
    XposImpl xpos(in, RopeOptions{10000.0, false}, 64.0, 0.4);
    RopeImpl rope(in, RopeOptions{10000.0, false});
    torch::NoGradGuard ng;
    // Score of rotated all-ones q and k, via the encoding's own relative score.
    const torch::Tensor s0 = xpos.relative_score(layout_1d(32), 0, nullptr)[0];      // (32, 32)
    const torch::Tensor s5 = xpos.relative_score(layout_1d(32, 100), 0, nullptr)[0]; // every position + 100
    EXPECT_LT((s0 - s5).abs().max().item<float>(), 2e-4);
    // Per pair i: RoPE's pair score times zeta_i^((n - m) / B).
    const Layout l = layout_1d(32);
    torch::Tensor q = torch::ones({1, 1, 32, 16}), k = q.clone();
    rope.begin(l, l);
    rope.apply_qk(0, q, k);
    rope.end();
    const int64_t n = 20, m = 3;
    double want = 0;
    for (int64_t p = 0; p < 8; ++p) {
        const double zeta = (2.0 * p / 16 + 0.4) / 1.4;
        const double pair =
            (q[0][0][n].slice(0, 2 * p, 2 * p + 2) * k[0][0][m].slice(0, 2 * p, 2 * p + 2)).sum().item<double>();
        want += pair * std::pow(zeta, double(n - m) / 64.0);
    }
    EXPECT_NEAR(s0[n][m].item<float>() * 16, want, 1e-4);
}

TEST(RopeExtensions, AtFactorOneEveryExtensionIsPlainRope) {
    const PeModelInfo in = info(1, 16, 1, 16);
    torch::NoGradGuard ng;
    RopeImpl plain(in, RopeOptions{10000.0, false});
    const torch::Tensor want = plain.relative_score(layout_1d(12), 0, nullptr);
    for (const char* mode : {"ntk", "dynamic-ntk", "yarn"}) {
        Layout l = layout_1d(12); // 12 <= the trained 16: factor 1
        apply_eval_mode(l, mode, 16, 12, 12);
        EXPECT_EQ(l.rope_factor[0], 1.0) << mode;
        RopeImpl r(in, RopeOptions{10000.0, false});
        EXPECT_LT((r.relative_score(l, 0, nullptr) - want).abs().max().item<float>(), 1e-6) << mode;
    }
    // A fine-tuned run's own extension at s = 1 changes nothing either.
    for (const char* mode : {"pi", "ntk", "yarn"}) {
        RopeOptions o{10000.0, false};
        o.run.mode = mode;
        o.run.s = 1.0;
        RopeImpl r(in, o);
        EXPECT_LT((r.relative_score(layout_1d(12), 0, nullptr) - want).abs().max().item<float>(), 1e-6) << mode;
    }
}

TEST(RopeExtensions, NtkIsABaseChangeYarnRampsAndTempers) {
    const double base = 10000, dim = 16, s = 4;
    const torch::Tensor k = torch::arange(0, 16, 2, torch::kDouble);
    const torch::Tensor theta = torch::pow(base, -k / dim);
    RopeExtension ntk{"ntk", s, 16, 1.0, 32.0};
    const torch::Tensor got = extend_frequencies(theta, ntk, base, dim, nullptr);
    const torch::Tensor want = torch::pow(base * std::pow(s, dim / (dim - 2)), -k / dim);
    EXPECT_LT((got - want).abs().max().item<double>(), 1e-12);
    // YaRN with the original length 16: a frequency with more than beta = 32 turns in 16 positions is
    // kept, one with fewer than alpha = 1 turn is divided by s, in between a linear ramp.
    RopeExtension yarn{"yarn", s, 16, 1.0, 32.0};
    double mscale = 1.0;
    const torch::Tensor f = torch::tensor({20.0, 0.1, 2 * M_PI * 16.5 / 16}, torch::kDouble); // 50.9, 0.25, 16.5 turns
    const torch::Tensor y = extend_frequencies(f, yarn, base, dim, &mscale);
    EXPECT_DOUBLE_EQ(y[0].item<double>(), 20.0);
    EXPECT_DOUBLE_EQ(y[1].item<double>(), 0.1 / s);
    const double ramp = (16.5 - 1.0) / 31.0;
    EXPECT_NEAR(y[2].item<double>(), (1 - ramp) * f[2].item<double>() / s + ramp * f[2].item<double>(), 1e-12);
    EXPECT_NEAR(mscale, 0.1 * std::log(s) + 1.0, 1e-12);
}

TEST(RopeExtensions, DynamicNtkFollowsTheLengthOfEachForwardPass) {
    const PeModelInfo in = info(1, 16, 1, 16);
    torch::NoGradGuard ng;
    // A 64-token window: dynamic = ntk at s = 4; a 16-token tail: plain RoPE.
    Layout dyn = layout_1d(64), ntk = layout_1d(64);
    apply_eval_mode(dyn, "dynamic-ntk", 16, 64, 64);
    apply_eval_mode(ntk, "ntk", 16, 64, 64);
    RopeImpl a(in, RopeOptions{10000.0, false}), b(in, RopeOptions{10000.0, false}), c(in, RopeOptions{10000.0, false});
    EXPECT_LT((a.relative_score(dyn, 0, nullptr) - b.relative_score(ntk, 0, nullptr)).abs().max().item<float>(), 1e-6);
    Layout tail = layout_1d(16);
    tail.rope_extension = "dynamic-ntk";
    tail.rope_factor[0] = tail.rope_factor[1] = 4.0; // the window's factor: dynamic ignores it
    EXPECT_LT(
        (a.relative_score(tail, 0, nullptr) - c.relative_score(layout_1d(16), 0, nullptr)).abs().max().item<float>(),
        1e-6);
}

TEST(RandomizedPositions, ASortedDistinctSubsetOfTheRangeDrawnFromTheSeed) {
    Layout a = layout_1d(32), b = layout_1d(32), c = layout_1d(32);
    randomize_positions(a, 256, 7);
    randomize_positions(b, 256, 7);
    randomize_positions(c, 256, 8);
    EXPECT_TRUE(torch::equal(a.pos, b.pos));
    EXPECT_FALSE(torch::equal(a.pos, c.pos));
    const torch::Tensor p = a.pos.view({-1});
    EXPECT_EQ(p.size(0), 32);
    EXPECT_TRUE((p.slice(0, 1) > p.slice(0, 0, -1)).all().item<bool>()); // sorted, distinct
    EXPECT_GE(p.min().item<int64_t>(), 0);
    EXPECT_LT(p.max().item<int64_t>(), 256);
    // 2D: a grid of sorted rows and sorted columns.
    Layout g = layout_2d(4, 5, 1);
    randomize_positions(g, 40, 3);
    ASSERT_EQ(g.pos.sizes(), (std::vector<int64_t>{1, 20, 2}));
    const torch::Tensor rows = g.pos[0].select(1, 0).view({4, 5}), cols = g.pos[0].select(1, 1).view({4, 5});
    EXPECT_TRUE(torch::equal(rows, rows.select(1, 0).unsqueeze(1).expand({4, 5})));
    EXPECT_TRUE(torch::equal(cols, cols.select(0, 0).unsqueeze(0).expand({4, 5})));
    EXPECT_TRUE((rows.select(1, 0).slice(0, 1) > rows.select(1, 0).slice(0, 0, -1)).all().item<bool>());
    EXPECT_EQ(g.prefix, 1);
}

TEST(RandomizedPositions, EvaluationSamplesPerBatchOnlyWhereTheRunAsksForIt) {
    RunConfig c;
    c.position_encoding.type = "rope";
    c.train.seed = 5;
    Layout off = layout_1d(16);
    EXPECT_FALSE(sample_eval_positions(off, resolve_config(c), "extend", 16, 0)); // not a randomized run
    EXPECT_TRUE(torch::equal(off.pos, layout_1d(16).pos));

    c.position_encoding.randomize = true;
    c.position_encoding.randomize_max = 64;
    Layout a = layout_1d(16), b = layout_1d(16), other_batch = layout_1d(16);
    EXPECT_TRUE(sample_eval_positions(a, resolve_config(c), "extend", 16, 0));
    EXPECT_TRUE(sample_eval_positions(b, resolve_config(c), "extend", 16, 0));
    EXPECT_TRUE(sample_eval_positions(other_batch, resolve_config(c), "extend", 16, 1));
    EXPECT_TRUE(torch::equal(a.pos, b.pos)); // an evaluation repeats exactly
    EXPECT_FALSE(torch::equal(a.pos, other_batch.pos));
    const torch::Tensor p = a.pos.view({-1});
    EXPECT_TRUE((p.slice(0, 1) > p.slice(0, 0, -1)).all().item<bool>());
    EXPECT_LT(p.max().item<int64_t>(), 64);
    EXPECT_GT(p.max().item<int64_t>(), 15); // spread over the range, not 0..15

    Layout interp = layout_1d(16), longer = layout_1d(65), consecutive = layout_1d(16);
    EXPECT_FALSE(sample_eval_positions(interp, resolve_config(c), "interpolate", 16, 0)); // scaling modes keep 0..L-1
    EXPECT_FALSE(sample_eval_positions(longer, resolve_config(c), "extend", 65, 0));      // beyond the range: 0..L-1
    c.eval.randomized_positions = "consecutive";
    EXPECT_FALSE(sample_eval_positions(consecutive, resolve_config(c), "extend", 16, 0));
    EXPECT_TRUE(torch::equal(consecutive.pos, layout_1d(16).pos));
}

TEST(EvalModes, InterpolateOnlyCompressesText) {
    Layout shorter = layout_1d(128), longer = layout_1d(2048), grid = layout_2d(5, 5, 1);
    apply_eval_mode(shorter, "interpolate", 512, 128, 128); // a run fine-tuned at 512, read at 128
    apply_eval_mode(longer, "interpolate", 512, 2048, 2048);
    apply_eval_mode(grid, "interpolate", 7, 5, 5); // a 5x5 grid of a model trained on 7x7
    EXPECT_DOUBLE_EQ(shorter.scale, 1.0);
    EXPECT_DOUBLE_EQ(longer.scale, 0.25);
    EXPECT_DOUBLE_EQ(grid.scale, 7.0 / 5.0);
}
