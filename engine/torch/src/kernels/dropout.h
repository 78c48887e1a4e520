#pragma once
// Dropout whose mask is a hash of (key, element index): drawn in one vectorised pass, never stored.
//
// Why: LibTorch 1.13's CPU bernoulli_ draws element by element from a locked generator (about 3 ms
// for one (3300, 128) mask on 2 cores, 11 ms of a SeqPE step), and autograd keeps each mask for the
// backward pass. Here each call takes one 64-bit key from the default generator (which the trainer
// seeds from (seed, step), so a resumed run draws the same masks), and element i is kept when a
// 24-bit hash of (key, i) is at least p 2^24: the forward and the backward recompute the same mask.
// Off the CPU, or for dtypes other than fp32 and bf16, it is the library's dropout.
#include <torch/types.h>

namespace seqpe {

// x * keep / (1 - p) when training and p > 0, else x; differentiable. p in [0, 1].
torch::Tensor dropout(const torch::Tensor& x, double p, bool training);

// The kernel's mask of n elements under `key` (1 = kept), for the tests.
torch::Tensor dropout_mask(uint64_t key, int64_t n, double p);
// x * mask(key) / (1 - p) for contiguous CPU fp32 or bf16 x: the forward, and (applied to the
// gradient) the backward.
torch::Tensor dropout_apply_cpu(const torch::Tensor& x, uint64_t key, double p);

} // namespace seqpe
