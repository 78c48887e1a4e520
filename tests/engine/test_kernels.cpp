// The engine's own CPU kernels against the unfused maths they replace, in double precision as the
// reference: values, gradients, the edges of their ranges, and the dtypes they fall back on.
#include "kernels/cross_entropy.h"
#include "kernels/dropout.h"
#include "kernels/gather_attention.h"
#include "kernels/gelu.h"
#include "kernels/softmax.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <torch/torch.h>

using namespace seqpe;

namespace {

// GELU's tanh form in double, written out (not the library's kernel): the reference.
torch::Tensor gelu_reference(const torch::Tensor& x) {
    const torch::Tensor d = x.to(torch::kDouble);
    return 0.5 * d * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (d + 0.044715 * d.pow(3))));
}

// Its derivative in double by autograd through the written-out form.
torch::Tensor gelu_reference_grad(const torch::Tensor& x, const torch::Tensor& g) {
    torch::Tensor d = x.to(torch::kDouble).detach().requires_grad_(true);
    gelu_reference(d).backward(g.to(torch::kDouble));
    return d.grad();
}

double max_abs(const torch::Tensor& t) {
    return t.abs().max().item<double>();
}

} // namespace

TEST(GeluKernel, Fp32MatchesTheTanhFormToFloatRounding) {
    torch::manual_seed(3);
    const torch::Tensor x = torch::randn({257, 129}) * 4; // odd sizes: loop tails and thread blocks
    const torch::Tensor ref = gelu_reference(x);
    const torch::Tensor y = gelu_tanh_forward_cpu(x);
    ASSERT_EQ(y.scalar_type(), torch::kFloat);
    // Relative to max(1, |y|): about 4 ulp of float. The library's own kernel sits at the same level.
    const torch::Tensor scale = ref.abs().clamp_min(1.0);
    EXPECT_LT(max_abs((y.to(torch::kDouble) - ref) / scale), 5e-7);
    EXPECT_LT(max_abs((torch::gelu(x, "tanh").to(torch::kDouble) - ref) / scale), 5e-7);
}

TEST(GeluKernel, Fp32GradientMatchesTheDerivative) {
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({100, 77}) * 4, g = torch::randn({100, 77});
    const torch::Tensor ref = gelu_reference_grad(x, g);
    const torch::Tensor dx = gelu_tanh_backward_cpu(g, x);
    EXPECT_LT(max_abs((dx.to(torch::kDouble) - ref) / ref.abs().clamp_min(1.0)), 2e-6);
    // Through autograd: gelu_tanh's backward is the kernel's.
    torch::Tensor xa = x.clone().requires_grad_(true);
    gelu_tanh(xa).backward(g);
    EXPECT_TRUE(torch::equal(xa.grad(), dx));
}

TEST(GeluKernel, Bf16IsTheFp32ResultRoundedOnce) {
    torch::manual_seed(5);
    const torch::Tensor xb = (torch::randn({64, 300}) * 3).to(torch::kBFloat16);
    const torch::Tensor y = gelu_tanh_forward_cpu(xb);
    ASSERT_EQ(y.scalar_type(), torch::kBFloat16);
    // The kernel computes in fp32 and rounds once: it equals the fp32 kernel's output rounded to
    // bf16 exactly, and lies within half a bf16 ulp (2^-9 relative) of the exact value.
    EXPECT_TRUE(torch::equal(y, gelu_tanh_forward_cpu(xb.to(torch::kFloat)).to(torch::kBFloat16)));
    const torch::Tensor ref = gelu_reference(xb);
    EXPECT_LT(max_abs((y.to(torch::kDouble) - ref) / ref.abs().clamp_min(1e-3)), std::ldexp(1.0, -8));
    const torch::Tensor g = torch::randn({64, 300}).to(torch::kBFloat16);
    const torch::Tensor dx = gelu_tanh_backward_cpu(g, xb);
    ASSERT_EQ(dx.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(
        torch::equal(dx, gelu_tanh_backward_cpu(g.to(torch::kFloat), xb.to(torch::kFloat)).to(torch::kBFloat16)));
}

TEST(GeluKernel, SaturatesAndPropagatesNonFiniteValues) {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const torch::Tensor x =
        torch::tensor({-1e30f, -200.f, -30.f, -0.f, 0.f, 1e-30f, 30.f, 200.f, 1e30f, -inf, inf, nan});
    const torch::Tensor y = gelu_tanh_forward_cpu(x);
    const auto a = y.accessor<float, 1>();
    EXPECT_EQ(a[0], 0.f); // -1e30 * sigmoid(-huge) = -0
    EXPECT_EQ(a[1], 0.f);
    EXPECT_NEAR(a[2], 0.f, 1e-30);
    EXPECT_EQ(a[3], 0.f);
    EXPECT_EQ(a[4], 0.f);
    EXPECT_FLOAT_EQ(a[5], 0.5e-30f);
    EXPECT_EQ(a[6], 30.f);
    EXPECT_EQ(a[7], 200.f);
    EXPECT_EQ(a[8], 1e30f);
    EXPECT_TRUE(std::isnan(a[9])); // -inf * 0, as the library gives
    EXPECT_EQ(a[10], inf);
    EXPECT_TRUE(std::isnan(a[11]));
    const torch::Tensor yb = gelu_tanh_forward_cpu(x.to(torch::kBFloat16)).to(torch::kFloat);
    EXPECT_TRUE(std::isnan(yb[11].item<float>()));
    EXPECT_EQ(yb[10].item<float>(), inf);
    // The derivative: 0 far left, 1 far right, 0.5 at 0.
    const torch::Tensor dx = gelu_tanh_backward_cpu(torch::ones({3}), torch::tensor({-200.f, 0.f, 200.f}));
    EXPECT_EQ(dx[0].item<float>(), 0.f);
    EXPECT_FLOAT_EQ(dx[1].item<float>(), 0.5f);
    EXPECT_EQ(dx[2].item<float>(), 1.f);
}

TEST(GeluKernel, NonContiguousInputAndOtherDtypesGiveTheLibrarysAnswer) {
    torch::manual_seed(6);
    const torch::Tensor x = torch::randn({40, 60});
    const torch::Tensor xt = x.t(); // non-contiguous view
    EXPECT_TRUE(torch::equal(gelu_tanh(xt), gelu_tanh(xt.contiguous())));
    EXPECT_EQ(gelu_tanh(xt).sizes(), xt.sizes());
    // Double is not the kernel's: the library's gelu exactly (the golden tests rely on it).
    const torch::Tensor xd = x.to(torch::kDouble);
    EXPECT_FALSE(gelu_tanh_has_kernel(xd));
    EXPECT_TRUE(torch::equal(gelu_tanh(xd), torch::gelu(xd, "tanh")));
    torch::Tensor a = xd.clone().requires_grad_(true), b = xd.clone().requires_grad_(true);
    gelu_tanh(a).sum().backward();
    torch::gelu(b, "tanh").sum().backward();
    EXPECT_TRUE(torch::equal(a.grad(), b.grad()));
}

TEST(GeluKernel, EmptyAndTinyTensors) {
    EXPECT_EQ(gelu_tanh_forward_cpu(torch::empty({0, 5})).numel(), 0);
    const torch::Tensor one = torch::tensor({1.f});
    EXPECT_NEAR(gelu_tanh_forward_cpu(one).item<float>(), gelu_reference(one).item<double>(), 1e-6);
}

// ---- dropout --------------------------------------------------------------------------------------

TEST(DropoutKernel, DropsTheRequestedShareIndependentlyOfPositionAndKey) {
    const int64_t n = 1 << 20;
    for (const double p : {0.1, 0.5}) {
        const torch::Tensor m = dropout_mask(0x1234abcd5678ef01ull, n, p).to(torch::kDouble);
        const double kept = m.mean().item<double>(), sd = std::sqrt(p * (1 - p) / static_cast<double>(n));
        EXPECT_NEAR(kept, 1 - p, 5 * sd) << "p=" << p;
        // Neighbours, and the same index under the next key, are uncorrelated (|r| < 5 / sqrt(n)).
        const torch::Tensor c = m - m.mean();
        const double var = c.pow(2).mean().item<double>();
        const double r_next = (c.narrow(0, 0, n - 1) * c.narrow(0, 1, n - 1)).mean().item<double>() / var;
        const torch::Tensor m2 = dropout_mask(0x1234abcd5678ef02ull, n, p).to(torch::kDouble);
        const double r_key = (c * (m2 - m2.mean())).mean().item<double>() / var;
        EXPECT_LT(std::abs(r_next), 5 / std::sqrt(static_cast<double>(n)));
        EXPECT_LT(std::abs(r_key), 5 / std::sqrt(static_cast<double>(n)));
    }
    EXPECT_EQ(dropout_mask(7, 4096, 0.0).sum().item<int64_t>(), 4096);
}

TEST(DropoutKernel, KeptValuesAreScaledAndTheBackwardUsesTheSameMask) {
    torch::manual_seed(21);
    const torch::Tensor x = torch::rand({300, 70}) + 0.5; // no zeros: a zero output means dropped
    torch::Tensor xa = x.clone().requires_grad_(true);
    torch::manual_seed(99);
    const torch::Tensor y = seqpe::dropout(xa, 0.25, true);
    const torch::Tensor kept = y.ne(0);
    EXPECT_TRUE(torch::allclose(y.masked_select(kept), x.masked_select(kept) * (1.0 / 0.75), 0, 0));
    const double share = kept.to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(share, 0.75, 0.02);
    const torch::Tensor g = torch::randn({300, 70});
    y.backward(g);
    EXPECT_TRUE(torch::equal(xa.grad(), torch::where(kept, g * (1.0 / 0.75), torch::zeros_like(g))));
    // The same generator state gives the same mask (the trainer seeds it from (seed, step)).
    torch::manual_seed(99);
    EXPECT_TRUE(torch::equal(seqpe::dropout(x, 0.25, true), y.detach()));
    torch::manual_seed(100);
    EXPECT_FALSE(torch::equal(seqpe::dropout(x, 0.25, true), y.detach()));
}

TEST(DropoutKernel, Bf16RoundsTheFp32ResultAndEvaluationPassesThrough) {
    torch::manual_seed(22);
    const torch::Tensor xb = torch::randn({123, 45}).to(torch::kBFloat16);
    EXPECT_TRUE(torch::equal(dropout_apply_cpu(xb, 42, 0.1),
                             dropout_apply_cpu(xb.to(torch::kFloat), 42, 0.1).to(torch::kBFloat16)));
    const torch::Tensor x = torch::randn({10, 10});
    EXPECT_TRUE(seqpe::dropout(x, 0.5, false).is_same(x));
    EXPECT_TRUE(seqpe::dropout(x, 0.0, true).is_same(x));
    EXPECT_EQ(seqpe::dropout(x, 1.0, true).abs().sum().item<double>(), 0.0);
    // A double tensor (the golden tests) goes through the same mask by the generic path.
    const torch::Tensor xd = torch::rand({64}, torch::kDouble) + 1;
    const torch::Tensor yd = dropout_apply_cpu(xd, 5, 0.3);
    const torch::Tensor m = dropout_mask(5, 64, 0.3).to(torch::kBool);
    EXPECT_TRUE(torch::equal(yd.ne(0), m));
}

// ---- attention over per-token key lists -------------------------------------------------------------

namespace {

// The same attention with tensor ops in double: queries rows [q0, q0 + Tq) of qkv.
torch::Tensor gathered_reference(const torch::Tensor& qkv, const torch::Tensor& keys, const torch::Tensor& len,
                                 int64_t H, double scale, int64_t q0) {
    const int64_t T = qkv.size(0), E = qkv.size(1) / 3, Dh = E / H, Tq = keys.size(0), W = keys.size(1);
    const auto parts = qkv.to(torch::kDouble).view({T, 3, H, Dh}).unbind(1);
    const torch::Tensor kg = parts[1].index_select(0, keys.reshape({-1})).view({Tq, W, H, Dh});
    const torch::Tensor vg = parts[2].index_select(0, keys.reshape({-1})).view({Tq, W, H, Dh});
    const torch::Tensor invalid = torch::arange(W).view({1, W}).ge(len.view({Tq, 1})).unsqueeze(-1);
    const torch::Tensor s = (kg * parts[0].narrow(0, q0, Tq).unsqueeze(1)).sum(-1) * scale; // (Tq, W, H)
    const torch::Tensor p = torch::softmax(s.masked_fill(invalid, -INFINITY), 1);
    return (p.unsqueeze(-1) * vg).sum(1).reshape({Tq, E});
}

struct Lists {
    torch::Tensor keys, len;
};

Lists random_lists(int64_t Tq, int64_t W, int64_t T) {
    Lists l;
    l.keys = torch::randint(0, T, {Tq, W}, torch::kLong);
    l.len = torch::randint(1, W + 1, {Tq}, torch::kLong);
    return l;
}

} // namespace

TEST(GatheredAttention, ValuesAndGradientsMatchTheTensorFormula) {
    torch::manual_seed(31);
    const int64_t T = 90, H = 2, Dh = 16, W = 5;
    for (const int64_t q0 : {int64_t{0}, int64_t{40}}) { // all rows query, or only the last 50
        const Lists l = random_lists(T - q0, W, T);
        const torch::Tensor qkv = torch::randn({T, 3 * H * Dh});
        torch::Tensor a = qkv.clone().requires_grad_(true), b = qkv.to(torch::kDouble).requires_grad_(true);
        const torch::Tensor y = gathered_attention(a, l.keys, l.len, H, 0.25, q0);
        const torch::Tensor ref = gathered_reference(b, l.keys, l.len, H, 0.25, q0);
        ASSERT_EQ(y.sizes(), ref.sizes());
        EXPECT_LT(max_abs(y.to(torch::kDouble) - ref), 1e-5) << "q0=" << q0;
        const torch::Tensor g = torch::randn(ref.sizes(), torch::kDouble);
        y.backward(g.to(torch::kFloat));
        ref.backward(g);
        EXPECT_LT(max_abs(a.grad().to(torch::kDouble) - b.grad()), 1e-5) << "q0=" << q0;
        if (q0 > 0) { // rows that are never queried get gradients only through their k and v
            EXPECT_EQ(max_abs(a.grad().narrow(0, 0, q0).narrow(1, 0, H * Dh)), 0.0);
        }
    }
}

TEST(GatheredAttention, Bf16InputComputesInFp32AndReturnsBf16Gradients) {
    torch::manual_seed(32);
    const int64_t T = 64, H = 4, Dh = 8;
    const Lists l = random_lists(T, 4, T);
    const torch::Tensor qkv = torch::randn({T, 3 * H * Dh}).to(torch::kBFloat16).requires_grad_(true);
    const torch::Tensor y = gathered_attention(qkv, l.keys, l.len, H, 0.3);
    EXPECT_EQ(y.scalar_type(), torch::kFloat);
    // The same bf16 values as fp32 input give the same result: the kernel widens before any maths.
    EXPECT_TRUE(torch::equal(y, gathered_attention(qkv.detach().to(torch::kFloat), l.keys, l.len, H, 0.3)));
    y.sum().backward();
    EXPECT_EQ(qkv.grad().scalar_type(), torch::kBFloat16);
}

TEST(GatheredAttention, RejectsListsThatPointOutsideTheRows) {
    const torch::Tensor qkv = torch::randn({4, 12});
    const torch::Tensor ok_keys = torch::zeros({4, 2}, torch::kLong), ok_len = torch::ones({4}, torch::kLong);
    EXPECT_NO_THROW(gathered_attention(qkv, ok_keys, ok_len, 2, 1.0));
    EXPECT_THROW(gathered_attention(qkv, ok_keys, torch::zeros({4}, torch::kLong), 2, 1.0), std::exception);
    EXPECT_THROW(gathered_attention(qkv, ok_keys, torch::full({4}, 3, torch::kLong), 2, 1.0), std::exception);
    EXPECT_THROW(gathered_attention(qkv, torch::full({4, 2}, 4, torch::kLong), ok_len, 2, 1.0), std::exception);
    EXPECT_THROW(gathered_attention(qkv, ok_keys, ok_len, 2, 1.0, /*first_query=*/1), std::exception);
    EXPECT_THROW(gathered_attention(qkv.to(torch::kDouble), ok_keys, ok_len, 2, 1.0), std::exception);
}

// ---- cross-entropy ----------------------------------------------------------------------------------

TEST(CrossEntropyKernel, Fp32LossAndGradientMatchTheLibrary) {
    namespace F = torch::nn::functional;
    torch::manual_seed(41);
    const torch::Tensor logits = torch::randn({67, 301}) * 5, target = torch::randint(0, 301, {67}, torch::kLong);
    torch::Tensor a = logits.clone().requires_grad_(true), b = logits.to(torch::kDouble).requires_grad_(true);
    const torch::Tensor la = seqpe::cross_entropy(a, target), lb = F::cross_entropy(b, target);
    EXPECT_NEAR(la.item<double>(), lb.item<double>(), 2e-6 * std::abs(lb.item<double>()));
    (la * 3).backward();
    (lb * 3).backward();
    EXPECT_LT(max_abs(a.grad().to(torch::kDouble) - b.grad()), 1e-7);
    // Per row, with ignored rows at 0.
    torch::Tensor t2 = target.clone();
    t2.narrow(0, 0, 5).fill_(-100);
    const torch::Tensor rows = seqpe::cross_entropy(logits, t2, /*mean=*/false);
    const torch::Tensor ref =
        F::cross_entropy(logits.to(torch::kDouble), t2, F::CrossEntropyFuncOptions().reduction(torch::kNone));
    EXPECT_LT(max_abs(rows.to(torch::kDouble) - ref), 1e-5);
    EXPECT_EQ(max_abs(rows.narrow(0, 0, 5)), 0.0);
}

TEST(CrossEntropyKernel, IgnoredRowsCountForNothingAndGetNoGradient) {
    namespace F = torch::nn::functional;
    torch::manual_seed(42);
    const torch::Tensor logits = torch::randn({20, 9});
    torch::Tensor target = torch::randint(0, 9, {20}, torch::kLong);
    target.narrow(0, 10, 10).fill_(-100);
    torch::Tensor a = logits.clone().requires_grad_(true);
    const torch::Tensor l = seqpe::cross_entropy(a, target, true, -100);
    EXPECT_NEAR(l.item<double>(),
                F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().ignore_index(-100)).item<double>(), 1e-6);
    l.backward();
    EXPECT_EQ(max_abs(a.grad().narrow(0, 10, 10)), 0.0);
    // Every row ignored: zero loss and zero gradient (the library's mean would be 0/0).
    torch::Tensor c = logits.clone().requires_grad_(true);
    const torch::Tensor none = seqpe::cross_entropy(c, torch::full({20}, -100, torch::kLong));
    EXPECT_EQ(none.item<double>(), 0.0);
    none.backward();
    EXPECT_EQ(max_abs(c.grad()), 0.0);
    EXPECT_THROW(seqpe::cross_entropy(logits, torch::full({20}, 9, torch::kLong)), std::exception);
    EXPECT_THROW(seqpe::cross_entropy(logits, torch::zeros({19}, torch::kLong)), std::exception);
}

TEST(CrossEntropyKernel, Bf16LogitsGiveTheFp32LossOfTheStoredValuesAndABf16Gradient) {
    namespace F = torch::nn::functional;
    torch::manual_seed(43);
    const torch::Tensor lb = (torch::randn({33, 4096}) * 4).to(torch::kBFloat16);
    const torch::Tensor target = torch::randint(0, 4096, {33}, torch::kLong);
    torch::Tensor a = lb.clone().requires_grad_(true);
    const torch::Tensor l = seqpe::cross_entropy(a, target);
    EXPECT_EQ(l.scalar_type(), torch::kFloat);
    const torch::Tensor wide = lb.to(torch::kDouble).requires_grad_(true);
    const torch::Tensor ref = F::cross_entropy(wide, target);
    EXPECT_NEAR(l.item<double>(), ref.item<double>(), 1e-5 * std::abs(ref.item<double>()));
    l.backward();
    ref.backward();
    ASSERT_EQ(a.grad().scalar_type(), torch::kBFloat16);
    // Each gradient entry is the exact one rounded to bf16: within half a bf16 ulp (2^-9 relative),
    // plus the fp32 error of e^x.
    const torch::Tensor err = (a.grad().to(torch::kDouble) - wide.grad()).abs();
    EXPECT_TRUE((err <= wide.grad().abs() * std::ldexp(1.0, -8) + 1e-9).all().item<bool>());
}

// ---- causal softmax ---------------------------------------------------------------------------------

TEST(CausalSoftmaxKernel, MatchesTheMaskedSoftmaxInFp32AndBf16) {
    torch::manual_seed(51);
    const int64_t Tq = 37, Tk = 300;
    for (const int64_t offset : {int64_t{0}, int64_t{200}, int64_t{263}}) { // a query block ending at Tk
        const torch::Tensor s = torch::randn({2, 3, Tq, Tk}) * 6;
        const torch::Tensor i = torch::arange(Tq).view({Tq, 1}) + offset, j = torch::arange(Tk).view({1, Tk});
        const torch::Tensor ref = torch::softmax(s.to(torch::kDouble).masked_fill(j > i, -INFINITY), -1)
                                      .nan_to_num(0.0); // rows all masked: 0
        const torch::Tensor p = causal_softmax_cpu(s, true, offset);
        EXPECT_EQ(p.scalar_type(), torch::kFloat);
        // A few fp32 ulp: the sum over up to 300 keys is sequential in an unvectorised (sanitizer) build.
        EXPECT_LT(max_abs(p.to(torch::kDouble) - ref), 3e-6) << "offset " << offset;
        EXPECT_EQ(max_abs(p.masked_select(j > i)), 0.0);
        const torch::Tensor sb = s.to(torch::kBFloat16);
        const torch::Tensor pb = causal_softmax_cpu(sb, true, offset);
        EXPECT_EQ(pb.scalar_type(), torch::kBFloat16);
        // bf16 scores: the fp32 kernel's probabilities of the same stored values, rounded once.
        EXPECT_TRUE(torch::equal(pb, causal_softmax_cpu(sb.to(torch::kFloat), true, offset).to(torch::kBFloat16)));
    }
    // Not causal: the plain softmax; rows sum to 1.
    const torch::Tensor s = torch::randn({4, 5, 70});
    EXPECT_LT(max_abs(causal_softmax_cpu(s, false, 0).to(torch::kDouble) - torch::softmax(s.to(torch::kDouble), -1)),
              6e-7);
    // A row that sees no key (offset -1 for the first query) is all zeros, not NaN.
    const torch::Tensor none = causal_softmax_cpu(torch::randn({1, 2, 8}), true, -1);
    EXPECT_EQ(max_abs(none[0][0]), 0.0);
    EXPECT_NEAR(none[0][1].sum().item<double>(), 1.0, 1e-6);
}
