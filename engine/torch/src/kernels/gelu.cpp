// The tanh-approximated GELU as one vectorisable loop (kernels/gelu.h).
#include "kernels/gelu.h"

#include "kernels/cpu_loops.h"

#include <ATen/Parallel.h>
#include <cmath>
#include <torch/autograd.h>

namespace seqpe {

namespace {

using kernels::exp_clamped;

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
    kernels::map_blocks<1>({x}, y, 16384,
                           [](const float* const* in, float* out, int64_t, int64_t n) { forward_loop(in[0], out, n); });
    return y;
}

torch::Tensor gelu_tanh_backward_cpu(const torch::Tensor& g_in, const torch::Tensor& x_in) {
    const torch::Tensor x = x_in.contiguous(), g = g_in.contiguous();
    torch::Tensor dx = torch::empty_like(x);
    kernels::map_blocks<2>({g, x}, dx, 16384, [](const float* const* in, float* out, int64_t, int64_t n) {
        backward_loop(in[0], in[1], out, n);
    });
    return dx;
}

torch::Tensor gelu_tanh(const torch::Tensor& x) {
    if (!gelu_tanh_has_kernel(x)) return torch::gelu(x, "tanh");
    return kernels::GeluTanhFn::apply(x);
}

} // namespace seqpe
