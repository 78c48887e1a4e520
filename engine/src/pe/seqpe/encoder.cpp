#include "pe/seqpe/encoder.h"

#include "seqpe/common/error.h"

#include <torch/nn/init.h>

namespace seqpe {

namespace {

// Hands a key-padding bias to the blocks through the position-encoding hook they already have.
class PaddingBiasImpl : public PositionEncodingImpl {
public:
    PaddingBiasImpl() : PositionEncodingImpl(PeModelInfo{}) {}
    torch::Tensor bias(int64_t) override { return bias_; }
    torch::Tensor bias_; // (M, 1, 1, L+1) or undefined
};

void trunc_normal(torch::Tensor t, double std) {
    // timm trunc_normal_: N(0, std) truncated to [-2, 2] (absolute bounds, as the image code uses).
    torch::NoGradGuard ng;
    t.normal_(0.0, std).clamp_(-2.0, 2.0);
}

} // namespace

SequentialEncoderImpl::SequentialEncoderImpl(const EncoderOptions& o) : o_(o) {
    namespace nn = torch::nn;
    const int64_t E = o.embed_dim, L = o.scheme.length(), d = o.scheme.dims;
    tok = register_module("tok", nn::Embedding(o.scheme.base, E));
    slot = register_module("slot", nn::Embedding(o.scheme.per_dim_slots ? o.scheme.digits : L, E));
    if (d > 1) dim_emb = register_parameter("dim", torch::empty({d, E}));
    cls = register_parameter("cls", torch::empty({E}));
    blocks = register_module("blocks", nn::ModuleList());
    BlockOptions bo;
    bo.d_model = E;
    bo.n_head = o.heads;
    bo.mlp_hidden = 4 * E;
    bo.dropout = o.resid_dropout;
    bo.attn_dropout = o.attn_dropout;
    bo.causal = o.causal;
    for (int64_t i = 0; i < o.layers; ++i) blocks->push_back(Block(bo, i));
    if (o.last_layernorm) ln_f = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({E}).eps(1e-5)));
    out_proj = register_module("out_proj", nn::Linear(E, o.out_dim));
    mask_pe_ = std::make_shared<PaddingBiasImpl>();

    // Initialisation (§2.4): every weight N(0, 0.02) (image: truncated), biases 0, LayerNorms 1/0;
    // no GPT-2 residual rescaling inside the encoder.
    torch::NoGradGuard ng;
    for (auto& p : named_parameters()) {
        const std::string& n = p.key();
        torch::Tensor t = p.value();
        const bool is_norm = n.find("ln") != std::string::npos;
        if (n.size() >= 4 && n.compare(n.size() - 4, 4, "bias") == 0) t.zero_();
        else if (is_norm) t.fill_(1.0);
        else if (o.trunc_normal_init) trunc_normal(t, o.init_std);
        else t.normal_(0.0, o.init_std);
    }
    std::vector<int64_t> slots, dims;
    for (int a = 0; a < d; ++a)
        for (int i = 0; i < o.scheme.digits; ++i) {
            slots.push_back(o.scheme.per_dim_slots ? i : a * o.scheme.digits + i);
            dims.push_back(a);
        }
    slot_ids_ = torch::tensor(slots, torch::kLong);
    dim_ids_ = torch::tensor(dims, torch::kLong);
}

std::pair<torch::Tensor, torch::Tensor> SequentialEncoderImpl::tokenize(const torch::Tensor& positions) const {
    const auto& s = o_.scheme;
    const int64_t M = positions.size(0);
    if (positions.dim() != 2 || positions.size(1) != s.dims)
        throw RunError("SeqPE encoder: positions must be (M, " + std::to_string(s.dims) + ")");
    if (M > 0) {
        const int64_t lo = positions.min().item<int64_t>(), hi = positions.max().item<int64_t>();
        if (lo < 0 || hi > s.max_per_axis())
            throw InputError("SeqPE: position " + std::to_string(lo < 0 ? lo : hi) + " does not fit " +
                             std::to_string(s.digits) + " base-" + std::to_string(s.base) + " digits (max " +
                             std::to_string(s.max_per_axis()) +
                             "); raise position_encoding.seqpe.max_position or max_digits");
    }
    // place values base^(D-1) .. base^0 -> digits (M, d, D), most significant first.
    std::vector<int64_t> pw(static_cast<size_t>(s.digits));
    int64_t v = 1;
    for (int i = s.digits - 1; i >= 0; --i) {
        pw[static_cast<size_t>(i)] = v;
        if (i > 0) v *= s.base;
    }
    const torch::Tensor place = torch::tensor(pw, torch::kLong).to(positions.device()).view({1, 1, -1});
    const torch::Tensor p = positions.unsqueeze(2);                        // (M, d, 1)
    const torch::Tensor digits = p.div(place, "floor").remainder(s.base); // (M, d, D)
    // Real digits: place value <= p, except that 0 has one real digit (the last).
    torch::Tensor real = place.le(torch::clamp_min(p, 1));
    return {digits.reshape({M, -1}), real.reshape({M, -1}).to(torch::kLong)};
}

torch::Tensor SequentialEncoderImpl::forward(const torch::Tensor& positions) {
    const int64_t M = positions.size(0), L = o_.scheme.length(), E = o_.embed_dim;
    auto [tokens, real] = tokenize(positions);
    const auto dev = tok->weight.device();
    tokens = tokens.to(dev);
    // x: (M, L, E) digits + slots (+ axes), then [CLS] appended last: (M, L + 1, E)
    torch::Tensor x = tok->forward(tokens) + slot->forward(slot_ids_.to(dev)).unsqueeze(0);
    if (dim_emb.defined()) x = x + dim_emb.index_select(0, dim_ids_.to(dev)).unsqueeze(0);
    x = torch::cat({x, cls.view({1, 1, E}).expand({M, 1, E})}, 1);
    auto* mask = static_cast<PaddingBiasImpl*>(mask_pe_.get());
    if (o_.mask_padding) {
        // Padded digits are hidden as keys; the [CLS] key is always visible.
        torch::Tensor keep = torch::cat({real.to(dev), torch::ones({M, 1}, torch::kLong).to(dev)}, 1);
        mask->bias_ = torch::zeros({M, 1, 1, L + 1}, x.options())
                          .masked_fill(keep.eq(0).view({M, 1, 1, L + 1}), -1e9);
    } else {
        mask->bias_ = torch::Tensor();
    }
    for (const auto& b : *blocks) x = b->as<BlockImpl>()->forward(x, *mask);
    mask->bias_ = torch::Tensor();
    torch::Tensor h = x.select(1, L); // the [CLS] state (M, E)
    if (ln_f) h = ln_f->forward(h);
    torch::Tensor e = out_proj->forward(h);
    return o_.temperature == 1.0 ? e : e / o_.temperature;
}

} // namespace seqpe
