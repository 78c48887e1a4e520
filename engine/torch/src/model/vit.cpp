// The vision transformer (vit.h): construction and initialisation, the layout of an image's patch
// grid, and the forward pass from pixels to class logits.
#include "model/vit.h"

#include "kernels/dropout.h"

#include "util/precision.h"

#include "seqpe/common/error.h"
#include "seqpe/config_io.h"

#include <cmath>
#include <torch/nn/init.h>

namespace seqpe {

VisionTransformerImpl::VisionTransformerImpl(const ResolvedConfig& c, int64_t channels, int64_t classes) : cfg_(c) {
    namespace nn = torch::nn;
    const auto& m = c.model;
    const int64_t D = m.d_model, p = m.patch_size;
    patch = register_module("patch", nn::Conv2d(nn::Conv2dOptions(channels, D, p).stride(p).bias(true)));
    if (m.class_token) cls = register_parameter("cls", torch::empty({D}));
    PeModelInfo info;
    info.dims = 2;
    info.d_model = D;
    info.n_head = m.n_head;
    info.n_layer = m.n_layer;
    info.train_length = c.data.image_size / p; // training grid side
    if (c.position_encoding.randomize) info.position_range = c.position_encoding.randomize_max;
    info.causal = false;
    info.init_std = m.init_std;
    // Patch embeddings of normalised pixels: a sum of C*p*p unit inputs times N(0, init_std) weights.
    info.content_rms = m.init_std * std::sqrt(static_cast<double>(channels * p * p));
    pe = register_module("pe", make_position_encoding(c, info));
    blocks = register_module("blocks", nn::ModuleList());
    BlockOptions bo;
    bo.d_model = D;
    bo.n_head = m.n_head;
    bo.mlp_hidden = static_cast<int64_t>(m.mlp_ratio * static_cast<double>(D) + 0.5);
    bo.dropout = m.dropout;
    bo.attn_dropout = m.attn_dropout;
    bo.bias = m.bias;
    bo.causal = false;
    bo.norm_eps = 1e-6;
    for (int64_t i = 0; i < m.n_layer; ++i) {
        Block b(bo, i);
        init_block(*b, m.init_std, m.n_layer);
        blocks->push_back(b);
    }
    ln_f = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({D}).eps(1e-6)));
    head = register_module("head", nn::Linear(D, classes));
    torch::NoGradGuard ng;
    nn::init::normal_(patch->weight, 0.0, m.init_std);
    patch->bias.zero_();
    if (cls.defined()) nn::init::normal_(cls, 0.0, m.init_std);
    nn::init::normal_(head->weight, 0.0, m.init_std);
    head->bias.zero_();
}

Layout VisionTransformerImpl::layout_for(int64_t height, int64_t width) const {
    const int64_t p = cfg_.model.patch_size;
    if (height % p != 0 || width % p != 0)
        throw InputError("image size " + std::to_string(height) + "x" + std::to_string(width) +
                         " is not a multiple of model.patch_size " + std::to_string(p));
    Layout l = layout_2d(height / p, width / p, cls.defined() ? 1 : 0);
    l.trained_length = cfg_.data.image_size / p;
    return l;
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images, const Layout& layout,
                                             AttentionCapture* capture) {
    const int64_t B = images.size(0);
    // tokens: (B, N, D) row-major over the grid: patch t <-> (t / W, t % W)
    // The residual stream stays fp32 under autocast (the patch convolution returns bf16 there).
    torch::Tensor x = at_least_fp32(patch->forward(images).flatten(2).transpose(1, 2));
    // with a class token: (B, 1 + N, D), the class token first
    if (cls.defined()) x = torch::cat({cls.view({1, 1, -1}).expand({B, 1, x.size(2)}), x}, 1);
    pe->begin(layout, layout);
    x = pe->add_input(x);
    x = seqpe::dropout(x, cfg_.model.dropout, is_training() && cfg_.model.dropout > 0);
    for (const auto& b : *blocks) x = b->as<BlockImpl>()->forward(x, *pe, nullptr, capture);
    pe->end();
    x = ln_f->forward(x);
    const torch::Tensor pooled = cls.defined() ? x.select(1, 0) : x.mean(1); // (B, D)
    return head->forward(pooled);                                            // (B, classes)
}

} // namespace seqpe
