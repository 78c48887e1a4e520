#pragma once
// GELU with the tanh approximation (GPT-2's), as one pass over memory on the CPU.
//
// Why: LibTorch 1.13's CPU kernel for the tanh form is slow (its tanh is not vectorised: 4-6x the
// exact erf GELU in fp32), and slower again in bf16 (2.3x its fp32 time, forward and backward),
// where the MLP's hidden activations live under autocast. This kernel computes in fp32 registers
// from fp32 or bf16 storage, with the identity 0.5 (1 + tanh(u)) = sigmoid(2u), and reads and writes
// each element once per direction. Elsewhere (double, CUDA, other dtypes) it calls the library's
// gelu(x, "tanh"), so the double-precision golden tests see the library's maths unchanged.
#include <torch/types.h>

namespace seqpe {

// y = x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)), the same dtype and shape as x; differentiable.
torch::Tensor gelu_tanh(const torch::Tensor& x);

// The kernel alone, forward and backward (tests and the bench compare them with the library's).
// x, g: contiguous CPU fp32 or bf16 of one dtype. gelu_tanh_backward returns dL/dx for dL/dy = g.
torch::Tensor gelu_tanh_forward_cpu(const torch::Tensor& x);
torch::Tensor gelu_tanh_backward_cpu(const torch::Tensor& g, const torch::Tensor& x);
bool gelu_tanh_has_kernel(const torch::Tensor& x); // CPU, fp32 or bf16

} // namespace seqpe
