#pragma once
// SeqPE's sequential position encoder E (docs/METHOD.md §2): digit, slot and (in 2D) axis
// embeddings, a learnable [CLS] appended last, small pre-LN blocks (causal by default), a final
// LayerNorm and an output projection; e(p) = out_proj(h_CLS) / temperature.
#include "model/block.h"
#include "seqpe/position_digits.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

namespace seqpe {

struct EncoderOptions {
    DigitScheme scheme;
    int64_t embed_dim = 128;
    int64_t heads = 2;
    int64_t layers = 2;
    int64_t out_dim = 128;
    bool causal = true;
    bool mask_padding = false;
    bool last_layernorm = true;
    double attn_dropout = 0.0;
    double resid_dropout = 0.1;
    double temperature = 1.0;
    bool trunc_normal_init = false;
    double init_std = 0.02;
};

class SequentialEncoderImpl : public torch::nn::Module {
public:
    explicit SequentialEncoderImpl(const EncoderOptions& o);
    // positions: (M, d) int64 -> e: (M, out_dim). Throws InputError for a position that does not
    // fit the digit scheme. With causal attention and no padding mask (the defaults) the digit
    // states are computed once per distinct prefix (see forward_shared); otherwise per row.
    torch::Tensor forward(const torch::Tensor& positions);
    // Every row's L + 1 tokens through the blocks (the reference computation).
    torch::Tensor forward_dense(const torch::Tensor& positions);
    // Causal attention makes the state of digit j depend only on digits 0..j: positions that share
    // leading digits share those states. Each distinct prefix is computed once; each row then adds
    // only its [CLS] token, and the last block runs only the [CLS] rows' queries, projection and
    // MLP (the nodes serve it as keys and values). Same result as forward_dense (dropout masks are
    // shared by a prefix). On the CPU the attention is kernels/gather_attention.h.
    torch::Tensor forward_shared(const torch::Tensor& positions);
    int64_t tokens_last_forward() const { return tokens_last_; } // tokens through the blocks
    // positions (M, d) -> digit tokens (M, D*d) and pad mask (M, D*d) (1 = real digit).
    std::pair<torch::Tensor, torch::Tensor> tokenize(const torch::Tensor& positions) const;
    const EncoderOptions& options() const { return o_; }

    torch::nn::Embedding tok{nullptr}, slot{nullptr};
    torch::Tensor dim_emb; // (d, E) when d > 1
    torch::Tensor cls;     // (E)
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm ln_f{nullptr};
    torch::nn::Linear out_proj{nullptr};

private:
    EncoderOptions o_;
    std::shared_ptr<PositionEncodingImpl> mask_pe_; // carries the padding mask into the blocks
    torch::Tensor slot_ids_, dim_ids_;
    int64_t tokens_last_ = 0;
    torch::Tensor head(torch::Tensor h); // final LN + out_proj + temperature on (M, E)
};
TORCH_MODULE(SequentialEncoder);

} // namespace seqpe
