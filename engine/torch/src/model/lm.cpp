// The decoder-only language model (lm.h): construction and initialisation, the forward pass through
// the position encoding's hooks, and logits from the (tied) head.
#include "model/lm.h"

#include "kernels/dropout.h"

#include "seqpe/config_io.h"

#include <torch/nn/init.h>

namespace seqpe {

LanguageModelImpl::LanguageModelImpl(const ResolvedConfig& c, int64_t vocab_size) : cfg_(c), vocab_(vocab_size) {
    namespace nn = torch::nn;
    const auto& m = c.model;
    wte = register_module("wte", nn::Embedding(vocab_size, m.d_model));
    PeModelInfo info;
    info.dims = 1;
    info.d_model = m.d_model;
    info.n_head = m.n_head;
    info.n_layer = m.n_layer;
    info.train_length = c.train.seq_len;
    if (c.position_encoding.randomize) info.position_range = c.position_encoding.randomize_max;
    info.causal = true;
    info.init_std = m.init_std;
    info.content_rms = m.init_std; // token embeddings ~ N(0, init_std)
    pe = register_module("pe", make_position_encoding(c, info));
    blocks = register_module("blocks", nn::ModuleList());
    BlockOptions bo;
    bo.d_model = m.d_model;
    bo.n_head = m.n_head;
    bo.mlp_hidden = static_cast<int64_t>(m.mlp_ratio * static_cast<double>(m.d_model) + 0.5);
    bo.dropout = m.dropout;
    bo.attn_dropout = m.attn_dropout;
    bo.bias = m.bias;
    bo.causal = true;
    for (int64_t i = 0; i < m.n_layer; ++i) {
        Block b(bo, i);
        init_block(*b, m.init_std, m.n_layer);
        blocks->push_back(b);
    }
    ln_f = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({m.d_model}).eps(1e-5)));
    if (!m.tie_embeddings) {
        head = register_module("head", nn::Linear(nn::LinearOptions(m.d_model, vocab_size).bias(false)));
        torch::NoGradGuard ng;
        nn::init::normal_(head->weight, 0.0, m.init_std);
    }
    torch::NoGradGuard ng;
    nn::init::normal_(wte->weight, 0.0, m.init_std);
    if (!m.bias) ln_f->bias.set_requires_grad(false);
}

torch::Tensor LanguageModelImpl::hidden(const torch::Tensor& idx, const Layout& layout, KvCache* cache,
                                        AttentionCapture* capture) {
    // Keys of a cached forward: all positions so far (the cached ones precede the new tokens):
    // pos (1, cached + T, 1).
    Layout keys = layout;
    if (cache && cache->length > 0) {
        keys.pos =
            layout_1d(cache->length + idx.size(1), layout.pos.index({0, 0, 0}).item<int64_t>() - cache->length).pos;
    }
    pe->begin(layout, keys);
    torch::Tensor x = wte->forward(idx); // (B, T, C)
    x = pe->add_input(x);
    x = seqpe::dropout(x, cfg_.model.dropout, is_training() && cfg_.model.dropout > 0);
    for (const auto& b : *blocks) x = b->as<BlockImpl>()->forward(x, *pe, cache, capture, query_chunk);
    pe->end();
    if (cache) cache->length += idx.size(1);
    return ln_f->forward(x); // (B, T, C)
}

torch::Tensor LanguageModelImpl::logits(const torch::Tensor& h) {
    return head ? head->forward(h) : torch::matmul(h, wte->weight.t()); // (B, T, C) -> (B, T, V)
}

torch::Tensor LanguageModelImpl::forward(const torch::Tensor& idx, const Layout& layout, KvCache* cache,
                                         AttentionCapture* capture) {
    return logits(hidden(idx, layout, cache, capture));
}

} // namespace seqpe
