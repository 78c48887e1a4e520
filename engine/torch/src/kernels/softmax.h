#pragma once
// Causal softmax over attention scores, one pass in and one out, for evaluation.
//
// Why: under bf16 autocast an evaluation at 16x the training length spends most of its non-matmul
// time on the (Tq, Tk) score blocks: adding the causal mask, converting to fp32, the softmax, and
// converting the probabilities back to bf16 for the value product (six passes over memory in mixed
// dtypes, several of them slow bf16 elementwise kernels on LibTorch 1.13). This kernel reads each
// score once, masks by index, normalises in fp32 registers and writes the probabilities in the
// scores' dtype. No autograd: training keeps the library's ops (and their backward).
#include <torch/types.h>

namespace seqpe {

// scores: (..., Tq, Tk) fp32 or bf16 on the CPU. With causal, query i (0-based in this block) sees
// keys j <= q_offset + i; the others get probability 0 (a row with no visible key is all 0).
// Returns softmax over the last dimension in the scores' dtype, computed in fp32.
torch::Tensor causal_softmax_cpu(const torch::Tensor& scores, bool causal, int64_t q_offset);
bool causal_softmax_has_kernel(const torch::Tensor& scores); // CPU fp32/bf16, no autograd wanted

} // namespace seqpe
