// Pre-LN transformer block: x + Attn(LN(x)); x + MLP(LN(x)).
#include "model/block.h"

#include "kernels/dropout.h"
#include "kernels/gelu.h"

#include <cmath>
#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

namespace seqpe {

BlockImpl::BlockImpl(const BlockOptions& o, int64_t layer_index) : o_(o), layer_(layer_index) {
    namespace nn = torch::nn;
    ln1 = register_module("ln1",
                          nn::LayerNorm(nn::LayerNormOptions({o.d_model}).eps(o.norm_eps).elementwise_affine(true)));
    ln2 = register_module("ln2",
                          nn::LayerNorm(nn::LayerNormOptions({o.d_model}).eps(o.norm_eps).elementwise_affine(true)));
    qkv = register_module("qkv", nn::Linear(nn::LinearOptions(o.d_model, 3 * o.d_model).bias(o.bias)));
    proj = register_module("proj", nn::Linear(nn::LinearOptions(o.d_model, o.d_model).bias(o.bias)));
    fc = register_module("fc", nn::Linear(nn::LinearOptions(o.d_model, o.mlp_hidden).bias(o.bias)));
    fc_out = register_module("fc_out", nn::Linear(nn::LinearOptions(o.mlp_hidden, o.d_model).bias(o.bias)));
    if (!o.bias) {
        // LayerNorm without bias: keep the parameter but freeze it at zero.
        ln1->bias.set_requires_grad(false);
        ln2->bias.set_requires_grad(false);
    }
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, PositionEncodingImpl& pe, KvCache* cache,
                                 AttentionCapture* capture, int64_t query_chunk) {
    const int64_t B = x.size(0), T = x.size(1), C = o_.d_model, H = o_.n_head, Dh = C / H;
    // q, k, v: (B, H, T, Dh)
    auto parts = qkv->forward(ln1->forward(x)).view({B, T, 3, H, Dh}).permute({2, 0, 3, 1, 4}).unbind(0);
    torch::Tensor q = parts[0], k = parts[1], v = parts[2];
    pe.apply_qk(layer_, q, k); // may widen q and k (attn_scalar); v keeps Dh
    AttentionOptions ao;
    ao.scale = 1.0 / std::sqrt(static_cast<double>(Dh));
    ao.causal = o_.causal;
    ao.dropout = o_.attn_dropout;
    ao.training = is_training();
    ao.query_chunk = query_chunk;
    if (cache) {
        auto& ck = cache->k[static_cast<size_t>(layer_)];
        auto& cv = cache->v[static_cast<size_t>(layer_)];
        ao.q_offset = ck.defined() ? ck.size(2) : 0;
        k = ck.defined() ? torch::cat({ck, k}, 2) : k;
        v = cv.defined() ? torch::cat({cv, v}, 2) : v;
        ck = k; // k: (B, H, cached + T, Dqk), the cached keys first
        cv = v; // v: (B, H, cached + T, Dh)
    }
    torch::Tensor probs;
    torch::Tensor a = attend(q, k, v, pe.bias(layer_), ao, capture ? &probs : nullptr); // (B, H, T, Dh)
    if (capture) capture->probs.push_back(probs.detach());
    a = a.transpose(1, 2).reshape({B, T, C}); // heads concatenated: (B, T, C)
    torch::Tensor h = x + seqpe::dropout(proj->forward(a), o_.dropout, is_training() && o_.dropout > 0);
    torch::Tensor m = fc_out->forward(gelu_tanh(fc->forward(ln2->forward(h)))); // (B, T, C)
    return h + seqpe::dropout(m, o_.dropout, is_training() && o_.dropout > 0);
}

void init_block(BlockImpl& b, double std, int64_t n_layer) {
    torch::NoGradGuard ng;
    const double resid_std = std / std::sqrt(2.0 * static_cast<double>(n_layer));
    for (auto* lin : {&b.qkv, &b.fc}) torch::nn::init::normal_((*lin)->weight, 0.0, std);
    for (auto* lin : {&b.proj, &b.fc_out}) torch::nn::init::normal_((*lin)->weight, 0.0, resid_std);
    for (auto* lin : {&b.qkv, &b.proj, &b.fc, &b.fc_out})
        if ((*lin)->bias.defined()) (*lin)->bias.zero_();
    for (auto* ln : {&b.ln1, &b.ln2}) {
        (*ln)->weight.fill_(1.0);
        (*ln)->bias.zero_();
    }
}

} // namespace seqpe
