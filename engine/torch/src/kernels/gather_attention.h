#pragma once
// Attention of each token over its own short list of keys, forward and backward in one pass each.
//
// SeqPE's encoder (pe/seqpe/encoder.cpp) runs over a prefix forest: each token attends to at most
// W = digits + 1 tokens (its ancestors, itself, and for a [CLS] token its row's digits). Written with
// tensor ops this gathers K and V to (T, W, H, Dh) copies, multiplies and sums them, and the backward
// scatters them back with index_add: about 20 ms of a 180 ms SeqPE step at the default recipe. Here
// the scores, an fp32 softmax and the weighted sum are one loop per (token, head), and the backward
// accumulates into the keys' rows directly (one thread per head: the heads own disjoint columns).
#include <torch/types.h>

namespace seqpe {

// qkv: (T, 3 H Dh) fp32 or bf16, a row holding [q | k | v], each H heads of Dh (a fused linear's
// output). The queries are rows [first_query, first_query + Tq) of qkv; keys: (Tq, W) int64 rows of
// qkv, query t attends to its first len[t] of them (len: (Tq) int64, 1 <= len[t] <= W). Returns
// (Tq, H Dh) fp32: softmax(q k^T scale) v per head. Differentiable in qkv. CPU only.
torch::Tensor gathered_attention(const torch::Tensor& qkv, const torch::Tensor& keys, const torch::Tensor& len,
                                 int64_t heads, double scale, int64_t first_query = 0);

} // namespace seqpe
