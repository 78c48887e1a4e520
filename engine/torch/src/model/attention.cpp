// Attention core. On LibTorch 1.13 (CPU) this is the hand-written masked softmax, measured faster
// than the private SDPA there; LibTorch >= 2.1 uses the fused kernel where it applies.
#include "model/attention.h"

#include "kernels/dropout.h"
#include "kernels/softmax.h"

#include "util/precision.h"

#include <cmath>
#include <limits>
#include <torch/nn/functional/dropout.h>
#include <torch/version.h>

namespace seqpe {

namespace {

// Additive causal mask (Tq, Tk): 0 where key j <= q_offset + i, -inf elsewhere. Cached per shape.
torch::Tensor causal_mask(int64_t tq, int64_t tk, int64_t offset, const torch::Device& dev, torch::ScalarType dt) {
    thread_local torch::Tensor cached;
    thread_local int64_t c_tq = -1, c_tk = -1, c_off = -1;
    if (cached.defined() && c_tq == tq && c_tk == tk && c_off == offset && cached.device() == dev &&
        cached.scalar_type() == dt)
        return cached;
    auto opts = torch::TensorOptions().device(dev);
    const torch::Tensor i = torch::arange(tq, opts.dtype(torch::kLong)).unsqueeze(1) + offset; // (Tq, 1)
    const torch::Tensor j = torch::arange(tk, opts.dtype(torch::kLong)).unsqueeze(0);          // (1, Tk)
    cached = torch::zeros({tq, tk}, opts.dtype(dt)).masked_fill(j > i, -std::numeric_limits<double>::infinity());
    c_tq = tq;
    c_tk = tk;
    c_off = offset;
    return cached;
}

torch::Tensor attend_block(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                           const torch::Tensor& bias, const AttentionOptions& o, int64_t q_offset,
                           torch::Tensor* probs_out) {
    // scores: (B, H, Tq, Tk); scaling q first touches Tq*D values instead of Tq*Tk.
    torch::Tensor scores = torch::matmul(q * o.scale, k.transpose(-2, -1));
    const bool dropping = o.training && o.dropout > 0;
    if (!bias.defined() && !probs_out && !dropping && !torch::GradMode::is_enabled() &&
        causal_softmax_has_kernel(scores)) {
        // Evaluation without a bias: mask, fp32 softmax and the cast back in one pass (kernels/softmax.h).
        return torch::matmul(causal_softmax_cpu(scores, o.causal, q_offset), v); // (B, H, Tq, Dv)
    }
    if (bias.defined()) scores = scores + bias;
    if (o.causal) scores = scores + causal_mask(q.size(2), k.size(2), q_offset, q.device(), scores.scalar_type());
    // Softmax in fp32 whatever the scores' dtype (bf16 under autocast): the row sums of long
    // causal rows lose several bits in bf16; the probabilities go back to bf16 at the next matmul.
    torch::Tensor probs = softmax_fp32(scores, -1);
    if (probs_out) *probs_out = probs;
    if (dropping) probs = seqpe::dropout(probs, o.dropout, true);
    return torch::matmul(probs, v); // (B, H, Tq, Dv)
}

} // namespace

torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& bias,
                     const AttentionOptions& o, torch::Tensor* probs_out) {
    const int64_t tq = q.size(2);
#if (TORCH_VERSION_MAJOR > 2) || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    // Fused kernel (flash / memory-efficient on CUDA) when nobody needs the probabilities.
    if (!probs_out && q.is_cuda() && q.size(-1) == v.size(-1) && o.q_offset == 0) {
        std::optional<torch::Tensor> mask;
        if (bias.defined()) mask = bias.to(q.scalar_type());
        const bool is_causal = o.causal && !bias.defined() && tq == k.size(2);
        if (o.causal && !is_causal) {
            torch::Tensor cm = causal_mask(tq, k.size(2), 0, q.device(), q.scalar_type());
            mask = mask ? *mask + cm : cm;
        }
        return at::scaled_dot_product_attention(q, k, v, mask, o.training ? o.dropout : 0.0, is_causal, o.scale);
    }
#endif
    const bool chunked = o.query_chunk > 0 && tq > o.query_chunk && !torch::GradMode::is_enabled() && !probs_out;
    if (!chunked) return attend_block(q, k, v, bias, o, o.q_offset, probs_out);
    // Long evaluation: blocks of queries bound the (Tq, Tk) score memory to (chunk, Tk).
    std::vector<torch::Tensor> outs;
    using torch::indexing::Slice;
    for (int64_t s = 0; s < tq; s += o.query_chunk) {
        const int64_t e = std::min(tq, s + o.query_chunk);
        torch::Tensor b;
        if (bias.defined()) b = bias.size(-2) == 1 ? bias : bias.index({"...", Slice(s, e), Slice()});
        // Causal: queries s..e-1 see keys up to q_offset + e - 1 only.
        const int64_t kt = o.causal ? std::min(k.size(2), o.q_offset + e) : k.size(2);
        // kk: (B, H, kt, Dqk), vv: (B, H, kt, Dv); b: (..., e - s or 1, kt or 1)
        const torch::Tensor kk = k.index({"...", Slice(0, kt), Slice()});
        const torch::Tensor vv = v.index({"...", Slice(0, kt), Slice()});
        if (b.defined() && b.size(-1) != 1) b = b.index({"...", Slice(0, kt)});
        outs.push_back(attend_block(q.index({"...", Slice(s, e), Slice()}), kk, vv, b, o, o.q_offset + s, nullptr));
    }
    return torch::cat(outs, 2); // (B, H, Tq, Dv)
}

} // namespace seqpe
