// Row-wise cross-entropy on bf16 or fp32 logits (kernels/cross_entropy.h).
#include "kernels/cross_entropy.h"

#include "kernels/cpu_loops.h"
#include "seqpe/common/error.h"

#include <ATen/Parallel.h>
#include <limits>
#include <string>
#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>
#include <vector>

namespace seqpe {

namespace {

using kernels::exp_nonpositive;
using kernels::row_max;

SEQPE_CLONES float row_sum_exp(const float* x, int64_t n, float m) {
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += exp_nonpositive(x[i] - m);
    return s;
}

// dx = (e^(x - lse) - [i == y]) g
SEQPE_CLONES void row_grad(const float* x, float* dx, int64_t n, float lse, float g) {
    for (int64_t i = 0; i < n; ++i) dx[i] = exp_nonpositive(x[i] - lse) * g;
}

// A row as fp32: the stored row itself, or widened into `buf`.
const float* row_fp32(const torch::Tensor& logits, int64_t r, std::vector<float>& buf) {
    const int64_t V = logits.size(1);
    if (logits.scalar_type() == torch::kFloat) return logits.data_ptr<float>() + r * V;
    kernels::widen(reinterpret_cast<const uint16_t*>(logits.data_ptr()) + r * V, buf.data(), V);
    return buf.data();
}

// lse (R) and the per-row loss (R), both fp32; ignored rows get loss 0.
void forward_rows(const torch::Tensor& logits, const int64_t* y, int64_t ignore, float* lse, float* loss) {
    const int64_t R = logits.size(0), V = logits.size(1);
    at::parallel_for(0, R, 16, [&](int64_t b, int64_t e) {
        std::vector<float> buf(static_cast<size_t>(V));
        for (int64_t r = b; r < e; ++r) {
            const float* x = row_fp32(logits, r, buf);
            const float m = row_max(x, V);
            lse[r] = m + std::log(row_sum_exp(x, V, m));
            loss[r] = y[r] == ignore ? 0.f : lse[r] - x[y[r]];
        }
    });
}

// Checks the shapes and every target; returns how many rows are not ignored.
int64_t check_inputs(const torch::Tensor& logits, const torch::Tensor& target, int64_t ignore) {
    if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0) ||
        target.scalar_type() != torch::kLong)
        throw RunError("cross_entropy: expects logits (R, V) and int64 targets (R)");
    const int64_t* y = target.data_ptr<int64_t>();
    int64_t counted = 0;
    for (int64_t r = 0; r < target.size(0); ++r) {
        if (y[r] == ignore) continue;
        if (y[r] < 0 || y[r] >= logits.size(1))
            throw RunError("cross_entropy: target " + std::to_string(y[r]) + " is not a class index in [0, " +
                           std::to_string(logits.size(1)) + ")");
        ++counted;
    }
    return counted;
}

bool has_kernel(const torch::Tensor& logits) {
    return logits.device().is_cpu() &&
           (logits.scalar_type() == torch::kFloat || logits.scalar_type() == torch::kBFloat16);
}

} // namespace

// Outside the anonymous namespace so that profiles name its backward node readably
// (CppNode<seqpe::kernels::CrossEntropyFn>).
namespace kernels {

class CrossEntropyFn : public torch::autograd::Function<CrossEntropyFn> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                                 const torch::Tensor& target_in, int64_t ignore) {
        const torch::Tensor logits = logits_in.contiguous(), target = target_in.contiguous();
        const int64_t counted = check_inputs(logits, target, ignore);
        const int64_t R = logits.size(0);
        torch::Tensor lse = torch::empty({R}, torch::kFloat), loss = torch::empty({R}, torch::kFloat);
        forward_rows(logits, target.data_ptr<int64_t>(), ignore, lse.data_ptr<float>(), loss.data_ptr<float>());
        ctx->save_for_backward({logits, target, lse});
        ctx->saved_data["ignore"] = ignore;
        ctx->saved_data["counted"] = counted;
        // Summed in double: 32 k rows of fp32 losses keep their last digits.
        return torch::tensor(counted ? loss.sum(torch::kDouble).item<double>() / static_cast<double>(counted) : 0.0,
                             torch::kFloat);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &logits = saved[0], &target = saved[1], &lse = saved[2];
        const int64_t ignore = ctx->saved_data["ignore"].toInt(), counted = ctx->saved_data["counted"].toInt();
        const int64_t R = logits.size(0), V = logits.size(1);
        torch::Tensor dx = torch::empty_like(logits);
        const float g = counted ? grads[0].item<float>() / static_cast<float>(counted) : 0.f;
        const int64_t* y = target.data_ptr<int64_t>();
        const float* l = lse.data_ptr<float>();
        const bool bf16 = logits.scalar_type() == torch::kBFloat16;
        at::parallel_for(0, R, 16, [&](int64_t b, int64_t e) {
            std::vector<float> buf(static_cast<size_t>(V)), out(static_cast<size_t>(V));
            for (int64_t r = b; r < e; ++r) {
                float* d = bf16 ? out.data() : dx.data_ptr<float>() + r * V;
                if (y[r] == ignore) {
                    std::fill(d, d + V, 0.f);
                } else {
                    row_grad(row_fp32(logits, r, buf), d, V, l[r], g);
                    d[y[r]] -= g;
                }
                if (bf16) kernels::narrow(d, reinterpret_cast<uint16_t*>(dx.data_ptr()) + r * V, V);
            }
        });
        return {dx, torch::Tensor(), torch::Tensor()};
    }
};
} // namespace kernels

torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& target, bool mean, int64_t ignore_index) {
    namespace F = torch::nn::functional;
    if (!has_kernel(logits)) {
        auto o = F::CrossEntropyFuncOptions().ignore_index(ignore_index);
        const torch::Tensor f = logits.scalar_type() == torch::kDouble ? logits : logits.to(torch::kFloat);
        return mean ? F::cross_entropy(f, target, o) : F::cross_entropy(f, target, o.reduction(torch::kNone));
    }
    if (mean) return kernels::CrossEntropyFn::apply(logits, target, ignore_index);
    const torch::Tensor l = logits.contiguous(), t = target.contiguous();
    check_inputs(l, t, ignore_index);
    torch::Tensor lse = torch::empty({l.size(0)}, torch::kFloat), loss = torch::empty({l.size(0)}, torch::kFloat);
    forward_rows(l, t.data_ptr<int64_t>(), ignore_index, lse.data_ptr<float>(), loss.data_ptr<float>());
    return loss;
}

} // namespace seqpe
