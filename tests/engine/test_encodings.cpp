// Baseline encodings and the SeqPE application maths (docs/METHOD.md §9; §11 facts 9, 10, 12,
// 20-23).
#include "model/attention.h"
#include "pe/absolute.h"
#include "pe/alibi.h"
#include "pe/rope.h"
#include "pe/seqpe/seqpe.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using torch::indexing::Slice;

namespace {

PeModelInfo info(int dims, int64_t d_model = 64, int64_t heads = 1, int64_t layers = 1, int64_t train_len = 8) {
    PeModelInfo i;
    i.dims = dims;
    i.d_model = d_model;
    i.n_head = heads;
    i.n_layer = layers;
    i.train_length = train_len;
    return i;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

// q.k of one head after rotating q at position pq and k at position pk.
double rotated_score(RopeImpl& rope, const Layout& lq, const Layout& lk, const torch::Tensor& qv,
                     const torch::Tensor& kv) {
    torch::Tensor q = qv.view({1, 1, 1, -1}).clone(), k = kv.view({1, 1, 1, -1}).clone(), dummy = q.clone();
    rope.begin(lq, lq);
    rope.apply_qk(0, q, dummy);
    rope.begin(lk, lk);
    dummy = k.clone();
    rope.apply_qk(0, dummy, k);
    return (q * k).sum().item<double>();
}

} // namespace

TEST(Sinusoidal, KnownValues) { // §11.21
    const torch::Tensor pos = torch::tensor({0.0, 1.0, 7.0}, torch::kDouble);
    const torch::Tensor s = sinusoid_1d(pos, 8, 10000.0);
    ASSERT_EQ(s.sizes(), (std::vector<int64_t>{3, 8}));
    for (int j = 0; j < 8; ++j) EXPECT_FLOAT_EQ(s[0][j].item<float>(), j % 2 ? 1.0f : 0.0f);
    EXPECT_NEAR(s[1][0].item<float>(), std::sin(1.0), 1e-6);
    EXPECT_NEAR(s[1][1].item<float>(), std::cos(1.0), 1e-6);
    EXPECT_NEAR(s[2][2].item<float>(), std::sin(7.0 / std::pow(10000.0, 2.0 / 8)), 1e-6);
    EXPECT_NEAR(s[2][7].item<float>(), std::cos(7.0 / std::pow(10000.0, 6.0 / 8)), 1e-6);
    // 2D axial: the first half encodes the row, the second the column.
    SinusoidalImpl two(info(2, 16), 10000.0, false, 1.0);
    const torch::Tensor e = two.embeddings(torch::tensor({{3, 5}}, torch::kLong));
    EXPECT_LT(max_diff(e.index({0, Slice(0, 8)}), sinusoid_1d(torch::tensor({3.0}), 8, 1e4)[0]), 1e-6);
    EXPECT_LT(max_diff(e.index({0, Slice(8, 16)}), sinusoid_1d(torch::tensor({5.0}), 8, 1e4)[0]), 1e-6);
}

TEST(Rope, ScoreDependsOnlyOnTheOffset1D) { // §11.22
    RopeImpl rope(info(1, 16), RopeOptions{10000.0, false});
    torch::manual_seed(0);
    const torch::Tensor q = torch::randn({16}), k = torch::randn({16});
    const double s1 = rotated_score(rope, layout_1d(1, 3), layout_1d(1, 1), q, k);
    const double s2 = rotated_score(rope, layout_1d(1, 1003), layout_1d(1, 1001), q, k);
    const double s3 = rotated_score(rope, layout_1d(1, 4), layout_1d(1, 1), q, k);
    EXPECT_NEAR(s1, s2, 1e-3);
    EXPECT_GT(std::abs(s1 - s3), 1e-3); // and it does depend on the offset
    // Position 0 is the identity; rotating by p0 then p1 equals rotating by p0 + p1 (llama.cpp's test).
    torch::Tensor x = q.view({1, 1, 1, 16}).clone(), y = x.clone();
    rope.begin(layout_1d(1, 0), layout_1d(1, 0));
    rope.apply_qk(0, x, y);
    EXPECT_LT(max_diff(x, q.view({1, 1, 1, 16})), 1e-6);
    torch::Tensor a = q.view({1, 1, 1, 16}).clone(), b = a.clone();
    rope.begin(layout_1d(1, 5), layout_1d(1, 5));
    rope.apply_qk(0, a, b);
    rope.begin(layout_1d(1, 9), layout_1d(1, 9));
    rope.apply_qk(0, a, b);
    torch::Tensor c = q.view({1, 1, 1, 16}).clone(), d = c.clone();
    rope.begin(layout_1d(1, 14), layout_1d(1, 14));
    rope.apply_qk(0, c, d);
    EXPECT_LT(max_diff(a, c), 1e-4);
}

TEST(Rope, ScoreDependsOnlyOnTheOffsetPerAxis2D) {
    for (bool mixed : {false, true}) {
        torch::manual_seed(1);
        RopeImpl rope(info(2, 16), RopeOptions{100.0, mixed});
        const torch::Tensor q = torch::randn({16}), k = torch::randn({16});
        auto at = [](int64_t r, int64_t c) {
            Layout l = layout_2d(1, 1, 0, r, c);
            return l;
        };
        const double s1 = rotated_score(rope, at(2, 3), at(5, 1), q, k);
        const double s2 = rotated_score(rope, at(12, 13), at(15, 11), q, k);
        EXPECT_NEAR(s1, s2, 1e-3) << (mixed ? "mixed" : "axial");
        const double s3 = rotated_score(rope, at(2, 4), at(5, 1), q, k); // column offset differs
        const double s4 = rotated_score(rope, at(3, 3), at(5, 1), q, k); // row offset differs
        EXPECT_GT(std::abs(s1 - s3), 1e-4);
        EXPECT_GT(std::abs(s1 - s4), 1e-4);
    }
    // The class token (prefix) is not rotated.
    RopeImpl rope(info(2, 16), RopeOptions{100.0, false});
    torch::Tensor q = torch::randn({1, 1, 5, 16}), k = q.clone();
    const torch::Tensor orig = q.clone();
    rope.begin(layout_2d(2, 2, 1), layout_2d(2, 2, 1));
    rope.apply_qk(0, q, k);
    EXPECT_LT(max_diff(q.index({Slice(), Slice(), 0}), orig.index({Slice(), Slice(), 0})), 1e-7);
    EXPECT_GT(max_diff(q.index({Slice(), Slice(), 4}), orig.index({Slice(), Slice(), 4})), 1e-4);
}

TEST(Alibi, SlopesAreThePapersGeometricSequence) { // §11.20
    const auto s8 = AlibiImpl::slopes(8);
    for (int i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(s8[static_cast<size_t>(i)], std::pow(2.0, -(i + 1)));
    const std::vector<double> s12_expected = {0.5,       0.25,       0.125,     0.0625,    0.03125,   0.015625,
                                              0.0078125, 0.00390625, 0.7071068, 0.3535534, 0.1767767, 0.0883883};
    const auto s12 = AlibiImpl::slopes(12);
    ASSERT_EQ(s12.size(), 12u);
    for (size_t i = 0; i < 12; ++i) EXPECT_NEAR(s12[i], s12_expected[i], 1e-7);
}

TEST(Alibi, BiasGrowsWithDistanceIn1DAnd2D) {
    AlibiImpl one(info(1, 32, 4), false);
    one.begin(layout_1d(6), layout_1d(6));
    const torch::Tensor b = one.bias(0); // (1, H, 6, 6)
    ASSERT_EQ(b.sizes(), (std::vector<int64_t>{1, 4, 6, 6}));
    for (int h = 0; h < 4; ++h) {
        EXPECT_FLOAT_EQ(b[0][h][5][5].item<float>(), 0.0f);
        EXPECT_LT(b[0][h][5][0].item<float>(), b[0][h][5][3].item<float>());
        EXPECT_NEAR(b[0][h][5][2].item<float>(), -3.0 * AlibiImpl::slopes(4)[static_cast<size_t>(h)], 1e-6);
    }
    // Official scaling divides by sqrt(d_head) (§12.7).
    AlibiImpl off(info(1, 32, 4), true);
    off.begin(layout_1d(6), layout_1d(6));
    EXPECT_NEAR(off.bias(0)[0][0][5][2].item<float>(), b[0][0][5][2].item<float>() / std::sqrt(8.0), 1e-6);
    // Under a causal mask, -slope*(i-j) and the official slope*j give the same probabilities.
    torch::Tensor alt =
        (torch::arange(6).to(torch::kFloat) * AlibiImpl::slopes(4)[0]).view({1, 1, 1, 6}).expand({1, 1, 6, 6});
    torch::Tensor mask = torch::ones({6, 6}).triu(1).to(torch::kBool);
    auto probs = [&](const torch::Tensor& bias) { return torch::softmax(bias.masked_fill(mask, -INFINITY), -1); };
    EXPECT_LT(max_diff(probs(b.index({Slice(), Slice(0, 1)})), probs(alt)), 1e-6);
    // 2D: Euclidean patch distance; the class token has no bias.
    AlibiImpl two(info(2, 32, 4), false);
    two.begin(layout_2d(3, 3, 1), layout_2d(3, 3, 1));
    const torch::Tensor b2 = two.bias(0); // tokens: cls, (0,0) .. (2,2)
    EXPECT_FLOAT_EQ(b2[0][0][0][5].item<float>(), 0.0f);
    EXPECT_NEAR(b2[0][0][1][9].item<float>(), -std::sqrt(8.0) * 0.25, 1e-6); // (0,0)-(2,2), slope 2^-2 for 4 heads
    EXPECT_NEAR(b2[0][0][1][2].item<float>(), -1.0 * 0.25, 1e-6);
}

TEST(Learned, LinearInterpolationPastTheTable) { // §11.23
    PeModelInfo i = info(1, 4, 1, 1, 512);
    LearnedImpl pe(i);
    torch::NoGradGuard ng;
    pe.table.copy_(torch::arange(512 * 4, torch::kFloat).view({512, 4}));
    const torch::Tensor in = pe.table;
    const torch::Tensor out = pe.embeddings(torch::arange(1024, torch::kLong).view({1024, 1}));
    EXPECT_LT(max_diff(out[0], in[0]), 1e-4);
    EXPECT_LT(max_diff(out[1], 0.75 * in[0] + 0.25 * in[1]), 1e-3);
    EXPECT_LT(max_diff(out[2], 0.25 * in[0] + 0.75 * in[1]), 1e-3);
    EXPECT_LT(max_diff(out[3], 0.75 * in[1] + 0.25 * in[2]), 1e-3);
    EXPECT_LT(max_diff(out[1023], in[511]), 1e-3);
    // Inside the table: the rows themselves.
    EXPECT_LT(max_diff(pe.embeddings(torch::tensor({{5}}, torch::kLong))[0], in[5]), 1e-7);
}

TEST(Learned, BicubicResizeOfTheGrid) {
    PeModelInfo i = info(2, 2, 1, 1, 4);
    LearnedImpl pe(i);
    torch::NoGradGuard ng;
    pe.table.copy_(torch::arange(32, torch::kFloat).view({4, 4, 2}));
    // Same grid: exact rows; a larger grid is a smooth resize that keeps the corners near the
    // originals and the values in order along each axis.
    Layout same = layout_2d(4, 4, 0);
    pe.begin(same, same);
    const torch::Tensor x = torch::zeros({1, 16, 2});
    EXPECT_LT(max_diff(pe.add_input(x)[0], pe.table.view({16, 2})), 1e-6);
    Layout big = layout_2d(8, 8, 0);
    pe.begin(big, big);
    const torch::Tensor y = pe.add_input(torch::zeros({1, 64, 2}))[0].view({8, 8, 2});
    EXPECT_LT(y[0][0][0].item<float>(), y[0][7][0].item<float>());
    EXPECT_LT(y[0][0][0].item<float>(), y[7][0][0].item<float>());
}

TEST(SeqPeApply, IdentitiesWithNeutralPositionVectors) { // §11.9, §11.10
    torch::manual_seed(3);
    const int64_t B = 2, H = 2, T = 5, D = 4;
    const torch::Tensor q0 = torch::randn({B, H, T, D}), k0 = torch::randn({B, H, T, D});
    const torch::Tensor zeros = torch::zeros({1, H, T, D}), ones = torch::ones({1, H, T, D});
    auto scores = [](const torch::Tensor& q, const torch::Tensor& k) {
        return torch::matmul(q, k.transpose(-2, -1)) / 2.0;
    };
    const torch::Tensor vanilla = scores(q0, k0);
    for (auto [m, pe] : {std::pair{SeqPeApply::AttnScalar, zeros}, std::pair{SeqPeApply::AttnMul, ones},
                         std::pair{SeqPeApply::AttnAdd, zeros}}) {
        torch::Tensor q = q0.clone(), k = k0.clone();
        apply_pe_to_qk(m, q, k, pe, pe, 1.0);
        EXPECT_LT(max_diff(scores(q, k), vanilla), 1e-6);
    }
    // attn_scalar equals q.k + s * pq.pk, i.e. one product of [q, sqrt(s) pq] and [k, sqrt(s) pk].
    const torch::Tensor pq = torch::randn({1, H, T, D}), pk = torch::randn({1, H, T, D});
    torch::Tensor q = q0.clone(), k = k0.clone();
    apply_pe_to_qk(SeqPeApply::AttnScalar, q, k, pq, pk, 2.5);
    EXPECT_EQ(q.size(-1), 2 * D);
    const torch::Tensor expected =
        torch::matmul(q0, k0.transpose(-2, -1)) + 2.5 * torch::matmul(pq, pk.transpose(-2, -1));
    EXPECT_LT(max_diff(torch::matmul(q, k.transpose(-2, -1)), expected), 1e-4);
}

TEST(SeqPeApply, ExampleUsesLayoutBatchIndexModG) { // §11.12
    const int64_t B = 6, H = 1, T = 2, D = 1, G = 3;
    torch::Tensor q = torch::ones({B, H, T, D}), k = torch::ones({B, H, T, D});
    const torch::Tensor pq = torch::arange(G, torch::kFloat).view({G, 1, 1, 1}).expand({G, H, T, D}) + 10;
    apply_pe_to_qk(SeqPeApply::AttnMul, q, k, pq, pq, 1.0);
    for (int64_t b = 0; b < B; ++b) EXPECT_FLOAT_EQ(q[b][0][0][0].item<float>(), 10.0f + static_cast<float>(b % G));
}

TEST(Attention, QueryChunksEqualTheFullComputation) {
    torch::manual_seed(4);
    const torch::Tensor q = torch::randn({2, 3, 37, 8}), k = torch::randn({2, 3, 37, 8}),
                        v = torch::randn({2, 3, 37, 8});
    const torch::Tensor bias = torch::randn({1, 3, 37, 37});
    AttentionOptions o;
    o.scale = 0.3;
    const torch::Tensor full = attend(q, k, v, bias, o);
    torch::NoGradGuard ng;
    o.query_chunk = 10;
    EXPECT_LT(max_diff(attend(q, k, v, bias, o), full), 1e-5);
    torch::Tensor probs;
    o.query_chunk = 0;
    attend(q, k, v, bias, o, &probs);
    EXPECT_LT(max_diff(probs.sum(-1), torch::ones({2, 3, 37})), 1e-5); // rows sum to one
    EXPECT_EQ(probs.index({Slice(), Slice(), 3, Slice(4, torch::indexing::None)}).abs().max().item<float>(),
              0.0f); // causal
}
