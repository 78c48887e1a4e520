#pragma once
// Scaled dot-product attention with an additive bias and a causal mask, written so position
// encodings can act on q and k (which may be wider than v) and on the bias.
#include <cstdint>
#include <torch/types.h>
#include <vector>

namespace seqpe {

struct AttentionOptions {
    double scale = 1.0; // multiplies q.k (1/sqrt(head_dim) of the *unwidened* head)
    bool causal = true;
    int64_t q_offset = 0; // absolute index of the first query among the keys (decoding)
    double dropout = 0.0; // on the probabilities, in training
    bool training = false;
    int64_t query_chunk = 0; // > 0 and no grad: process queries in blocks to bound memory
};

// q: (B, H, Tq, Dqk)  k: (B, H, Tk, Dqk)  v: (B, H, Tk, Dv)  bias: broadcastable to (B, H, Tq, Tk)
// returns (B, H, Tq, Dv); `probs_out`, if given, receives the probabilities (B, H, Tq, Tk).
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& bias,
                     const AttentionOptions& o, torch::Tensor* probs_out = nullptr);

// Per-layer key/value cache for incremental decoding. Keys are stored after the position encoding
// transformed them, so every encoding (attn_scalar included) decodes with the right positions.
struct KvCache {
    std::vector<torch::Tensor> k, v; // per layer: (B, H, T, D)
    int64_t length = 0;              // tokens cached
    void reset(int64_t layers) {
        k.assign(static_cast<size_t>(layers), {});
        v.assign(static_cast<size_t>(layers), {});
        length = 0;
    }
};

} // namespace seqpe
