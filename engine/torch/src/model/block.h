#pragma once
// A pre-LayerNorm transformer block (GPT-2 / ViT style) whose attention lets the position
// encoding act on q and k and add a bias.
#include "model/attention.h"
#include "pe/encoding.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace seqpe {

struct BlockOptions {
    int64_t d_model = 128;
    int64_t n_head = 4;
    int64_t mlp_hidden = 512;
    double dropout = 0.0;
    double attn_dropout = 0.0;
    bool bias = true;
    bool causal = true;
    double norm_eps = 1e-5;
};

// Where attention probabilities go when a view asks for them (layer -> (B, H, Tq, Tk)).
struct AttentionCapture {
    std::vector<torch::Tensor> probs;
};

class BlockImpl : public torch::nn::Module {
public:
    BlockImpl(const BlockOptions& o, int64_t layer_index);
    // x: (B, T, C) -> (B, T, C)
    torch::Tensor forward(const torch::Tensor& x, PositionEncodingImpl& pe, KvCache* cache = nullptr,
                          AttentionCapture* capture = nullptr, int64_t query_chunk = 0);

    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc{nullptr}, fc_out{nullptr};

private:
    BlockOptions o_;
    int64_t layer_;
};
TORCH_MODULE(Block);

// GPT-2 initialisation: N(0, std) for linear weights, std / sqrt(2 * n_layer) for the projections
// that write into the residual stream, zero biases, unit LayerNorms.
void init_block(BlockImpl& b, double std, int64_t n_layer);

} // namespace seqpe
