// Causal softmax over score rows in fp32 registers (kernels/softmax.h).
#include "kernels/softmax.h"

#include "kernels/cpu_loops.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <torch/autograd.h>
#include <vector>

namespace seqpe {

namespace {

using kernels::exp_nonpositive;
using kernels::row_max;

// out = e^(x - m) (flushed to 0 below e^-87), returns the sum.
SEQPE_CLONES float exp_row(const float* x, float* out, int64_t n, float m) {
    float s = 0.f;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) {
        const float e = exp_nonpositive(x[i] - m);
        out[i] = e;
        s += e;
    }
    return s;
}

SEQPE_CLONES void scale_row(float* x, int64_t n, float k) {
    for (int64_t i = 0; i < n; ++i) x[i] *= k;
}

} // namespace

bool causal_softmax_has_kernel(const torch::Tensor& scores) {
    return scores.device().is_cpu() && scores.dim() >= 2 &&
           (scores.scalar_type() == torch::kFloat || scores.scalar_type() == torch::kBFloat16);
}

torch::Tensor causal_softmax_cpu(const torch::Tensor& scores_in, bool causal, int64_t q_offset) {
    const torch::Tensor scores = scores_in.contiguous();
    torch::Tensor out = torch::empty_like(scores);
    const int64_t Tk = scores.size(-1), Tq = scores.size(-2), rows = scores.numel() / std::max<int64_t>(1, Tk);
    const bool bf16 = scores.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, 8, [&](int64_t b, int64_t e) {
        std::vector<float> in(static_cast<size_t>(bf16 ? Tk : 0)), tmp(static_cast<size_t>(bf16 ? Tk : 0));
        for (int64_t r = b; r < e; ++r) {
            // Visible keys of this row: a prefix of the row when causal.
            const int64_t i = r % Tq;
            const int64_t n = causal ? std::clamp<int64_t>(q_offset + i + 1, 0, Tk) : Tk;
            const float* x;
            float* y;
            if (bf16) {
                kernels::widen(reinterpret_cast<const uint16_t*>(scores.data_ptr()) + r * Tk, in.data(), n);
                x = in.data();
                y = tmp.data();
            } else {
                x = scores.data_ptr<float>() + r * Tk;
                y = out.data_ptr<float>() + r * Tk;
            }
            if (n > 0) {
                const float m = row_max(x, n);
                scale_row(y, n, 1.f / exp_row(x, y, n, m));
            }
            std::fill(y + n, y + Tk, 0.f);
            if (bf16) kernels::narrow(y, reinterpret_cast<uint16_t*>(out.data_ptr()) + r * Tk, Tk);
        }
    });
    return out;
}

} // namespace seqpe
