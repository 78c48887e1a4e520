// SeqPE's sequential encoder (encoder.h): positions to digit tokens, the dense forward pass (every
// row's tokens), and the shared one (each distinct causal prefix computed once).
#include "pe/seqpe/encoder.h"

#include "kernels/dropout.h"
#include "kernels/gather_attention.h"
#include "kernels/gelu.h"

#include "seqpe/common/error.h"
#include "util/precision.h"

#include <cmath>
#include <limits>
#include <torch/nn/init.h>
#include <unordered_map>

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

    // Initialisation (docs/METHOD.md §2.4): every weight N(0, 0.02) (image: truncated), biases 0,
    // LayerNorms 1/0; no GPT-2 residual rescaling inside the encoder.
    torch::NoGradGuard ng;
    for (auto& p : named_parameters()) {
        const std::string& n = p.key();
        torch::Tensor t = p.value();
        const bool is_norm = n.find("ln") != std::string::npos;
        if (n.size() >= 4 && n.compare(n.size() - 4, 4, "bias") == 0)
            t.zero_();
        else if (is_norm)
            t.fill_(1.0);
        else if (o.trunc_normal_init)
            trunc_normal(t, o.init_std);
        else
            t.normal_(0.0, o.init_std);
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
    const torch::Tensor p = positions.unsqueeze(2);                       // (M, d, 1)
    const torch::Tensor digits = p.div(place, "floor").remainder(s.base); // (M, d, D)
    // Real digits: place value <= p, except that 0 has one real digit (the last).
    torch::Tensor real = place.le(torch::clamp_min(p, 1));
    return {digits.reshape({M, -1}), real.reshape({M, -1}).to(torch::kLong)};
}

torch::Tensor SequentialEncoderImpl::head(torch::Tensor h) {
    if (ln_f) h = ln_f->forward(h);
    torch::Tensor e = out_proj->forward(h);
    return o_.temperature == 1.0 ? e : e / o_.temperature;
}

torch::Tensor SequentialEncoderImpl::forward(const torch::Tensor& positions) {
    if (o_.causal && !o_.mask_padding && positions.size(0) > 1) return forward_shared(positions);
    return forward_dense(positions);
}

torch::Tensor SequentialEncoderImpl::forward_dense(const torch::Tensor& positions) {
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
        mask->bias_ = torch::zeros({M, 1, 1, L + 1}, x.options()).masked_fill(keep.eq(0).view({M, 1, 1, L + 1}), -1e9);
    } else {
        mask->bias_ = torch::Tensor();
    }
    for (const auto& b : *blocks) x = b->as<BlockImpl>()->forward(x, *mask);
    mask->bias_ = torch::Tensor();
    tokens_last_ = M * (L + 1);
    return head(x.select(1, L)); // the [CLS] state (M, E)
}

namespace {

// The prefix forest of a batch of digit rows. Node n is a distinct prefix of length slot(n)+1;
// tokens of the forward pass are all nodes followed by one [CLS] per row.
struct PrefixForest {
    int64_t nodes = 0;
    std::vector<int64_t> digit, slot; // per node
    std::vector<int64_t> keys;        // (nodes + M, L + 1): token indices each token attends to
    std::vector<int64_t> len;         // (nodes + M): how many of its keys[] are real (a prefix of them)
};

PrefixForest build_forest(const torch::Tensor& tokens_cpu, int64_t base) {
    const int64_t M = tokens_cpu.size(0), L = tokens_cpu.size(1);
    const auto t = tokens_cpu.accessor<int64_t, 2>();
    PrefixForest f;
    std::vector<int64_t> row_node(static_cast<size_t>(M * L));
    std::unordered_map<int64_t, int64_t> id;
    id.reserve(static_cast<size_t>(M * 2));
    for (int64_t j = 0; j < L; ++j) {
        id.clear();
        for (int64_t r = 0; r < M; ++r) {
            // A prefix is its parent prefix plus one digit: (parent node + 1) * base + digit.
            const int64_t parent = j == 0 ? -1 : row_node[static_cast<size_t>(r * L + j - 1)];
            auto [it, fresh] = id.emplace((parent + 1) * base + t[r][j], f.nodes);
            if (fresh) {
                f.digit.push_back(t[r][j]);
                f.slot.push_back(j);
                ++f.nodes;
            }
            row_node[static_cast<size_t>(r * L + j)] = it->second;
        }
    }
    const int64_t W = L + 1, T = f.nodes + M;
    f.keys.assign(static_cast<size_t>(T * W), 0);
    f.len.assign(static_cast<size_t>(T), W);
    std::vector<uint8_t> done(static_cast<size_t>(f.nodes), 0);
    for (int64_t r = 0; r < M; ++r) {
        for (int64_t j = 0; j < L; ++j) {
            const int64_t n = row_node[static_cast<size_t>(r * L + j)];
            if (!done[static_cast<size_t>(n)]) {
                done[static_cast<size_t>(n)] = 1;
                for (int64_t s = 0; s <= j; ++s) // ancestors and itself
                    f.keys[static_cast<size_t>(n * W + s)] = row_node[static_cast<size_t>(r * L + s)];
                f.len[static_cast<size_t>(n)] = j + 1;
            }
        }
        const int64_t c = f.nodes + r; // the row's [CLS]: all its digits and itself
        for (int64_t s = 0; s < L; ++s)
            f.keys[static_cast<size_t>(c * W + s)] = row_node[static_cast<size_t>(r * L + s)];
        f.keys[static_cast<size_t>(c * W + L)] = c;
    }
    return f;
}

} // namespace

torch::Tensor SequentialEncoderImpl::forward_shared(const torch::Tensor& positions) {
    const int64_t M = positions.size(0), L = o_.scheme.length(), E = o_.embed_dim, H = o_.heads, Dh = E / H;
    auto [tokens, real] = tokenize(positions);
    (void)real;
    const PrefixForest f = build_forest(tokens.cpu().contiguous(), o_.scheme.base);
    const auto dev = tok->weight.device();
    const int64_t N = f.nodes, T = N + M, W = L + 1;
    const auto li = torch::TensorOptions().dtype(torch::kLong);
    // Copies (clone): autograd keeps the index tensors for the backward pass, after `f` is gone.
    const torch::Tensor digit = torch::from_blob(const_cast<int64_t*>(f.digit.data()), {N}, li).clone().to(dev);
    const torch::Tensor slot_of = torch::from_blob(const_cast<int64_t*>(f.slot.data()), {N}, li).clone().to(dev);
    const torch::Tensor keys = torch::from_blob(const_cast<int64_t*>(f.keys.data()), {T, W}, li).clone().to(dev);
    const torch::Tensor len = torch::from_blob(const_cast<int64_t*>(f.len.data()), {T}, li).clone().to(dev);
    // x: (T, E): node tokens (digit + slot (+ axis) embeddings), then one [CLS] per row
    torch::Tensor node_x = tok->forward(digit) + slot->forward(slot_ids_.to(dev).index_select(0, slot_of));
    if (dim_emb.defined()) node_x = node_x + dim_emb.index_select(0, dim_ids_.to(dev).index_select(0, slot_of));
    torch::Tensor x = torch::cat({node_x, cls.view({1, E}).expand({M, E})}, 0);
    const double scale = 1.0 / std::sqrt(static_cast<double>(Dh));
    // Attention of queries [q0, T) over their key lists: the fused CPU kernel for fp32 and bf16, or
    // tensor ops that gather K and V (other devices and dtypes, attention dropout). qkv: (T, 3E) ->
    // (T - q0, E)
    auto attend_rows = [&](const torch::Tensor& qkv, int64_t q0) {
        const torch::Tensor kq = keys.narrow(0, q0, T - q0), lq = len.narrow(0, q0, T - q0);
        const bool fused = dev.is_cpu() && !(is_training() && o_.attn_dropout > 0) &&
                           (qkv.scalar_type() == torch::kFloat || qkv.scalar_type() == torch::kBFloat16);
        if (fused) return gathered_attention(qkv, kq, lq, H, scale, q0);
        const int64_t Tq = T - q0;
        const auto parts = qkv.view({T, 3, H, Dh}).unbind(1);
        const torch::Tensor kg = parts[1].index_select(0, kq.reshape({-1})).view({Tq, W, H, Dh});
        const torch::Tensor vg = parts[2].index_select(0, kq.reshape({-1})).view({Tq, W, H, Dh});
        const torch::Tensor invalid = torch::arange(W, li.device(dev)).view({1, W}).ge(lq.view({Tq, 1}));
        const torch::Tensor neg = torch::zeros({Tq, W, 1}, x.options())
                                      .masked_fill(invalid.unsqueeze(-1), -std::numeric_limits<float>::infinity());
        // scores: (Tq, W, H) -> softmax over W
        torch::Tensor p = softmax_fp32((kg * (parts[0].narrow(0, q0, Tq) * scale).unsqueeze(1)).sum(-1) + neg, 1);
        p = seqpe::dropout(p, o_.attn_dropout, is_training());
        return (p.unsqueeze(-1) * vg).sum(1).reshape({Tq, E}); // (Tq, E)
    };
    const bool drop = is_training() && o_.resid_dropout > 0;
    const int64_t n_blocks = static_cast<int64_t>(blocks->size());
    for (int64_t i = 0; i < n_blocks; ++i) {
        auto& b = *blocks[static_cast<size_t>(i)]->as<BlockImpl>();
        // Only the [CLS] states leave the encoder: the last block needs the nodes as keys and values
        // alone, so it runs queries, the projection and the MLP over the M [CLS] rows only.
        const int64_t q0 = i + 1 == n_blocks ? N : 0;
        const torch::Tensor a = attend_rows(b.qkv->forward(b.ln1->forward(x)), q0); // (T - q0, E)
        const torch::Tensor xq = q0 ? x.narrow(0, q0, T - q0) : x;
        const torch::Tensor h = xq + seqpe::dropout(b.proj->forward(a), o_.resid_dropout, drop);
        const torch::Tensor m = b.fc_out->forward(gelu_tanh(b.fc->forward(b.ln2->forward(h))));
        x = h + seqpe::dropout(m, o_.resid_dropout, drop);
    }
    tokens_last_ = T;
    return head(x.narrow(0, x.size(0) - M, M)); // the [CLS] rows
}

} // namespace seqpe
