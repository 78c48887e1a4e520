// The tanh-approximated GELU as one vectorisable loop (kernels/gelu.h).
#include "kernels/gelu.h"

#include "kernels/cpu_loops.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <cmath>
#include <torch/autograd.h>

namespace seqpe {

namespace {

using kernels::exp_clamped;
using kernels::kBlock;
using kernels::narrow;
using kernels::widen;

// u = C1 x + C2 x^3 = 2 sqrt(2/pi) (x + 0.044715 x^3); gelu(x) = x sigmoid(u).
constexpr float kC1 = 1.5957691216057308f;             // 2 sqrt(2/pi)
constexpr float kC2 = 1.5957691216057308f * 0.044715f; // 2 sqrt(2/pi) 0.044715

// sigmoid(u) = 1 / (1 + e^-u). Below u = -87 it is 0 (e^-u would overflow: the true value,
// under 1.7e-38, times any finite x, is what the library's tanh form rounds to 0 as well); above
// u = 87 it is 1 to fp32 precision, so clamping there is exact. NaN stays NaN.
inline float sigmoid(float u) {
    const float m = -u;
    const float v = m < -87.f ? -87.f : (m > 87.f ? 87.f : m);
    const float s = 1.f / (1.f + exp_clamped(v));
    return m > 87.f ? 0.f : s;
}

SEQPE_CLONES void forward_loop(const float* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const float a = x[i];
        y[i] = a * sigmoid(a * (kC1 + kC2 * a * a));
    }
}

SEQPE_CLONES void backward_loop(const float* g, const float* x, float* dx, int64_t n) {
    // d/dx [x s(u)] = s + x s (1 - s) u', u' = C1 + 3 C2 x^2
    for (int64_t i = 0; i < n; ++i) {
        const float a = x[i], a2 = a * a;
        const float s = sigmoid(a * (kC1 + kC2 * a2));
        dx[i] = g[i] * (s + a * s * (1.f - s) * (kC1 + 3.f * kC2 * a2));
    }
}

void forward_typed(const torch::Tensor& x, torch::Tensor& y) {
    if (x.scalar_type() == torch::kFloat) {
        const float* xp = x.data_ptr<float>();
        float* yp = y.data_ptr<float>();
        at::parallel_for(0, x.numel(), 16384, [&](int64_t b, int64_t e) { forward_loop(xp + b, yp + b, e - b); });
        return;
    }
    const auto* xp = reinterpret_cast<const uint16_t*>(x.data_ptr());
    auto* yp = reinterpret_cast<uint16_t*>(y.data_ptr());
    at::parallel_for(0, x.numel(), 16384, [&](int64_t b, int64_t e) {
        float in[kBlock], out[kBlock];
        for (int64_t i = b; i < e; i += kBlock) {
            const int64_t n = std::min(kBlock, e - i);
            widen(xp + i, in, n);
            forward_loop(in, out, n);
            narrow(out, yp + i, n);
        }
    });
}

void backward_typed(const torch::Tensor& g, const torch::Tensor& x, torch::Tensor& dx) {
    if (x.scalar_type() == torch::kFloat) {
        const float *gp = g.data_ptr<float>(), *xp = x.data_ptr<float>();
        float* dp = dx.data_ptr<float>();
        at::parallel_for(0, x.numel(), 16384,
                         [&](int64_t b, int64_t e) { backward_loop(gp + b, xp + b, dp + b, e - b); });
        return;
    }
    const auto* gp = reinterpret_cast<const uint16_t*>(g.data_ptr());
    const auto* xp = reinterpret_cast<const uint16_t*>(x.data_ptr());
    auto* dp = reinterpret_cast<uint16_t*>(dx.data_ptr());
    at::parallel_for(0, x.numel(), 16384, [&](int64_t b, int64_t e) {
        float gb[kBlock], xb[kBlock], out[kBlock];
        for (int64_t i = b; i < e; i += kBlock) {
            const int64_t n = std::min(kBlock, e - i);
            widen(gp + i, gb, n);
            widen(xp + i, xb, n);
            backward_loop(gb, xb, out, n);
            narrow(out, dp + i, n);
        }
    });
}

} // namespace

// Outside the anonymous namespace so that profiles name its backward node readably
// (CppNode<seqpe::kernels::GeluTanhFn>).
namespace kernels {

class GeluTanhFn : public torch::autograd::Function<GeluTanhFn> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
        ctx->save_for_backward({x}); // the input only: the backward recomputes sigmoid(u)
        return gelu_tanh_forward_cpu(x);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const torch::Tensor x = ctx->get_saved_variables()[0];
        return {gelu_tanh_backward_cpu(grads[0].to(x.scalar_type()), x)};
    }
};
} // namespace kernels

bool gelu_tanh_has_kernel(const torch::Tensor& x) {
    return x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16);
}

torch::Tensor gelu_tanh_forward_cpu(const torch::Tensor& x_in) {
    const torch::Tensor x = x_in.contiguous();
    torch::Tensor y = torch::empty_like(x);
    forward_typed(x, y);
    return y;
}

torch::Tensor gelu_tanh_backward_cpu(const torch::Tensor& g_in, const torch::Tensor& x_in) {
    const torch::Tensor x = x_in.contiguous(), g = g_in.contiguous();
    torch::Tensor dx = torch::empty_like(x);
    backward_typed(g, x, dx);
    return dx;
}

torch::Tensor gelu_tanh(const torch::Tensor& x) {
    if (!gelu_tanh_has_kernel(x)) return torch::gelu(x, "tanh");
    return kernels::GeluTanhFn::apply(x);
}

} // namespace seqpe
