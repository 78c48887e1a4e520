#pragma once
// Reduced-precision tensors (bf16/fp16 from autocast) go up to fp32 where numerics need it
// (softmax, losses, the residual stream); fp32 and fp64 tensors pass unchanged, so the
// double-precision tests and golden fixtures see exactly the maths they pin.
#include <torch/types.h>

namespace seqpe {

inline bool is_reduced(const torch::Tensor& t) {
    return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf;
}

inline torch::Tensor at_least_fp32(const torch::Tensor& t) {
    return is_reduced(t) ? t.to(torch::kFloat) : t;
}

// Softmax over `dim`, computed in fp32 for reduced-precision input.
inline torch::Tensor softmax_fp32(const torch::Tensor& t, int64_t dim) {
    return is_reduced(t) ? torch::softmax(t, dim, torch::kFloat) : torch::softmax(t, dim);
}

} // namespace seqpe
