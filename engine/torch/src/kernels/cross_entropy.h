#pragma once
// Cross-entropy over the rows of a logits matrix, reading bf16 or fp32 logits directly.
//
// Why: under bf16 autocast the language model's head gives (B T, V) bf16 logits; the library's loss
// needs an fp32 copy of them, its fp32 log-softmax, and in the backward an fp32 gradient that is
// cast back to bf16: four passes over 8 M elements a quickstart step (34 MB each in fp32). This
// kernel computes each row's log-sum-exp in fp32 registers from the stored logits and keeps one
// float per row; the backward writes softmax - one-hot straight into the logits' dtype.
#include <torch/types.h>

namespace seqpe {

// logits: (R, V), target: (R) int64. Rows whose target is ignore_index count for nothing.
// mean: the mean over the counted rows (0 when none; PyTorch's mean gives NaN there); otherwise the
// per-row loss (R) fp32 with 0 at ignored rows. Differentiable in logits (mean only). CPU fp32/bf16
// logits use the kernel; anything else the library's cross-entropy in fp32.
torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& target, bool mean = true,
                            int64_t ignore_index = -100);

} // namespace seqpe
