// SeqPE position encoding: step preparation (shift, samples, one encoder pass), application hooks.
#include "pe/seqpe/seqpe.h"

#include "pe/absolute.h"
#include "seqpe/common/error.h"
#include "seqpe/config_io.h"
#include "util/precision.h"

#include <cmath>
#include <torch/nn/functional/loss.h>
#include <torch/nn/init.h>

namespace seqpe {

using torch::indexing::Slice;

SeqPeImpl::SeqPeImpl(const ResolvedConfig& c, const PeModelInfo& info) : PositionEncodingImpl(info) {
    cfg_ = c.position_encoding.seqpe;
    const auto& s = cfg_;
    apply_ = s.apply == "input_add"  ? SeqPeApply::InputAdd
             : s.apply == "attn_mul" ? SeqPeApply::AttnMul
             : s.apply == "attn_add" ? SeqPeApply::AttnAdd
                                     : SeqPeApply::AttnScalar;
    qk_mode_ = s.qk_map;
    const bool attn = apply_ != SeqPeApply::InputAdd;
    pe_dim_ = (!attn || s.multi_head) ? info.d_model : info.head_dim();

    EncoderOptions eo;
    eo.scheme =
        make_digit_scheme(info.dims, s.max_position, s.base, static_cast<int>(s.max_digits), s.slot_index == "per_dim");
    eo.embed_dim = s.embed_dim;
    eo.heads = s.heads;
    eo.layers = s.layers;
    eo.out_dim = pe_dim_;
    eo.causal = s.direction == "causal";
    eo.mask_padding = s.mask_padding;
    eo.last_layernorm = s.last_layernorm;
    eo.attn_dropout = s.attn_dropout;
    eo.resid_dropout = s.resid_dropout;
    eo.temperature = s.temperature;
    eo.trunc_normal_init = s.init == "trunc_normal";
    eo.init_std = info.init_std;
    encoder = register_module("encoder", SequentialEncoder(eo));

    if (attn && qk_mode_ == "single") {
        qk_single = register_module("qk_single", torch::nn::Linear(pe_dim_, 2 * pe_dim_));
    } else if (attn && qk_mode_ == "multi") {
        qk_multi = register_module("qk_multi", torch::nn::ModuleList());
        for (int64_t l = 0; l < info.n_layer; ++l) qk_multi->push_back(torch::nn::Linear(pe_dim_, 2 * pe_dim_));
    }
    torch::NoGradGuard ng;
    for (auto& p : named_parameters()) {
        if (p.key().rfind("qk_", 0) != 0) continue;
        if (p.key().size() >= 4 && p.key().compare(p.key().size() - 4, 4, "bias") == 0)
            p.value().zero_();
        else
            p.value().normal_(0.0, info.init_std);
    }
    if (info.dims == 2) {
        cls_pe = register_parameter("cls_pe", torch::empty({pe_dim_}));
        cls_pe.normal_(0.0, info.init_std).clamp_(-2.0, 2.0);
    }

    geom_.dims = info.dims;
    geom_.train_extent = info.train_length;
    geom_.axis_extent = axis_extent(info.dims, s.max_position);
    geom_.digits = eo.scheme.digits;
    geom_.base = s.base;
    // Shift offsets leave room for the largest grid a step trains on (data.mixed_resolution).
    SamplerGeometry shift_geom = geom_;
    if (info.dims == 2)
        shift_geom.train_extent =
            std::max(geom_.train_extent, image_train_sizes(c).back() / std::max<int64_t>(1, c.model.patch_size));
    if (s.shift.enabled && s.shift.rate > 0)
        shift_ = std::make_unique<ShiftSampler>(shift_geom, s.shift.offsets,
                                                derive_seed(static_cast<uint64_t>(c.train.seed), kStreamShiftOffsets));
    contrastive_opts_.candidates = s.contrastive.candidates;
    contrastive_opts_.window = s.contrastive.window;
    contrastive_opts_.hard_ratio = s.contrastive.hard_ratio;
    contrastive_opts_.hard_prob = s.contrastive.hard_prob;
    contrastive_opts_.window_prob = s.contrastive.window_prob;
    contrastive_opts_.window_around_anchor = s.contrastive.window_mode == "around_anchor";
    contrastive_opts_.hard_2d_concat = s.contrastive.hard_2d == "concat";
}

// ---- training step ------------------------------------------------------------------------------

static torch::Tensor flat_tensor(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
    return torch::tensor(v, torch::kLong).view(shape);
}

void SeqPeImpl::prepare_step(StepContext& ctx) {
    Layout& layout = *ctx.layout;
    const int64_t d = geom_.dims, N = layout.length();
    const torch::Tensor base_pos = layout.pos[0]; // (N, d)

    // 1. Main layouts: the default one, or G shifted copies (example b uses layout b % G).
    bool shifted = false;
    if (shift_ && !shift_->offsets().empty() && ctx.batch_size % cfg_.shift.layouts == 0) {
        Rng rng(derive_seed(ctx.seed, kStreamShift, static_cast<uint64_t>(ctx.step)));
        if (rng.uniform() < cfg_.shift.rate) {
            const auto offs = shift_->draw(rng, cfg_.shift.layouts);
            const torch::Tensor off = flat_tensor(offs, {cfg_.shift.layouts, 1, d});
            layout.pos = base_pos.unsqueeze(0) + off; // (G, N, d)
            shifted = true;
        }
    }
    const int64_t G = layout.groups();
    std::vector<torch::Tensor> parts = {layout.pos.reshape({G * N, d})}; // (G * N, d)
    int64_t n_main = G * N, n_anchor = 0, n_cand = 0, n_student = 0;

    // 2. Contrastive samples: A = contrastive.batch anchors, c = contrastive.candidates each.
    const auto& ct = cfg_.contrastive;
    if (ct.weight > 0) {
        Rng rng(derive_seed(ctx.seed, kStreamContrastive, static_cast<uint64_t>(ctx.step)));
        const ContrastiveBatch cb = sample_contrastive(geom_, contrastive_opts_, rng, ct.batch);
        parts.push_back(flat_tensor(cb.anchors, {ct.batch, d}));                    // (A, d)
        parts.push_back(flat_tensor(cb.candidates, {ct.batch * ct.candidates, d})); // (A * c, d)
        labels_ = torch::tensor(cb.labels, torch::kLong);                           // (A)
        n_anchor = ct.batch;
        n_cand = ct.batch * ct.candidates;
    }
    // 3. Distillation samples (only on unshifted steps: the teacher is the default layout):
    // S = transfer.batch rows of n = transfer.positions.
    const auto& tr = cfg_.transfer;
    const int64_t train_step = ctx.train_step >= 0 ? ctx.train_step : ctx.step;
    if (tr.weight > 0 && !shifted && train_step >= tr.start_step) {
        Rng rng(derive_seed(ctx.seed, kStreamTransfer, static_cast<uint64_t>(ctx.step)));
        // The teacher is this step's grid: a mixed-resolution step may train on another side than
        // the reference one, and a grid with fewer patches than transfer.positions distills them all.
        SamplerGeometry step_geom = geom_;
        if (layout.grid.size() == 2) step_geom.train_extent = layout.grid[0];
        transfer_n_ = std::min(tr.positions, step_geom.train_positions());
        const TransferBatch tb = sample_transfer(step_geom, rng, tr.batch, transfer_n_);
        slots_ = torch::tensor(tb.slots, torch::kLong);                         // (S * n) into the main layout
        parts.push_back(flat_tensor(tb.students, {tr.batch * transfer_n_, d})); // (S * n, d)
        n_student = tr.batch * transfer_n_;
    }
    // 4. One encoder pass over the distinct positions; rows are gathered back for every use.
    // all: (M, d); uniq: (U, d) distinct rows; inverse: (M) row of uniq; e: (M, P)
    const torch::Tensor all = torch::cat(parts, 0).to(torch::kCPU).contiguous();
    const UniqueRows ur = unique_rows(all.data_ptr<int64_t>(), all.size(0), static_cast<int>(d));
    const int64_t U = static_cast<int64_t>(ur.rows.size()) / d;
    const torch::Tensor uniq = torch::tensor(ur.rows, torch::kLong).view({U, d});
    const torch::Tensor inverse = torch::tensor(ur.inverse, torch::kLong);
    rows_last_step_ = U;
    const torch::Tensor e = encoder->forward(uniq).index_select(0, inverse.to(encoder->tok->weight.device()));
    const int64_t P = pe_dim_;
    int64_t at = 0;
    main_pe_ = e.narrow(0, at, n_main).view({G, N, P}); // (G, N, P)
    at += n_main;
    if (n_anchor) {
        anchors_pe_ = e.narrow(0, at, n_anchor); // (A, P)
        at += n_anchor;
        cands_pe_ = e.narrow(0, at, n_cand).view({ct.batch, ct.candidates, P}); // (A, c, P)
        at += n_cand;
    }
    if (n_student) students_pe_ = e.narrow(0, at, n_student).view({tr.batch, transfer_n_, P}); // (S, n, P)
    prepared_pos_ = layout.pos;
    prepared_ = true;
}

std::vector<AuxLoss> SeqPeImpl::aux_losses() {
    std::vector<AuxLoss> out;
    if (!prepared_) return out;
    if (anchors_pe_.defined()) {
        const torch::Tensor labels = labels_.to(anchors_pe_.device());
        out.push_back({"loss_contrastive", contrastive_loss(anchors_pe_, cands_pe_, labels), cfg_.contrastive.weight});
        if (diagnose_) {
            // Top-1 accuracy of the anchors against their candidates; chance is 1 / candidates.
            torch::NoGradGuard ng;
            const torch::Tensor logits = torch::matmul(cands_pe_, anchors_pe_.unsqueeze(-1)).squeeze(-1); // (A, c)
            note("contrastive_acc", logits.argmax(-1).eq(labels).to(torch::kFloat).mean().item<double>());
            note("contrastive_chance", 1.0 / static_cast<double>(cands_pe_.size(1)));
        }
    }
    if (students_pe_.defined()) {
        const auto& tr = cfg_.transfer;
        const torch::Tensor teacher = // (S, n, P): the default layout's PE at the students' slots
            main_pe_[0].index_select(0, slots_.to(main_pe_.device())).view({tr.batch, transfer_n_, pe_dim_});
        out.push_back({"loss_distill",
                       transfer_loss(teacher, students_pe_, tr.heads, tr.metric, tr.beta, tr.logit_scale), tr.weight});
    }
    return out;
}

void SeqPeImpl::end_step() {
    prepared_ = false;
    prepared_pos_ = main_pe_ = anchors_pe_ = cands_pe_ = labels_ = students_pe_ = slots_ = torch::Tensor();
}

// ---- forward hooks -------------------------------------------------------------------------------

torch::Tensor SeqPeImpl::with_prefix(const torch::Tensor& pe, int64_t prefix) const {
    if (prefix == 0) return pe;
    const int64_t G = pe.size(0), P = pe.size(2);
    if (!cls_pe.defined()) throw RunError("SeqPE: tokens without a position need the class-token PE (2D only)");
    return torch::cat({cls_pe.view({1, 1, P}).expand({G, prefix, P}), pe}, 1);
}

void SeqPeImpl::begin(const Layout& q, const Layout&) {
    const int64_t G = q.groups(), N = q.length(), d = q.dims(), P = pe_dim_;
    torch::Tensor pe;
    // The step's prepared layout, unless it is read interpolated (data.mixed_positions = interpolate).
    if (prepared_ && q.scale == 1.0 && q.pos.sizes() == prepared_pos_.sizes() && torch::equal(q.pos, prepared_pos_)) {
        pe = main_pe_;
    } else if (q.scale != 1.0 && q.trained_length > 0) {
        // "interpolate": encode the trained layout, then resample it to the requested positions
        // (decoding one position at a time reads one table of layout.extent rows).
        const int64_t t = q.trained_length;
        const torch::Tensor train =
            encoder->forward((d == 1 ? layout_1d(t) : layout_2d(t, t, 0)).pos[0]); // (t or t*t, P)
        // A 2D step shifted by the random shift is read unshifted: interpolation lays the whole grid
        // over the trained one, wherever its positions start.
        Layout at = q;
        if (d == 2) at.pos = layout_2d(q.grid[0], q.grid[1], 0).pos;
        pe = resample_trained(train, at).view({1, N, P});
    } else if (!torch::GradMode::is_enabled()) {
        // Evaluation: once per layout, then cached (incremental decoding asks for one new position
        // at a time: gather it from a cached 1D table instead of re-encoding).
        if (eval_version_ != param_version()) eval_pos_ = eval_pe_ = torch::Tensor(); // weights changed since
        eval_version_ = param_version();
        const bool cached = eval_pos_.defined() && eval_pos_.sizes() == q.pos.sizes() && torch::equal(eval_pos_, q.pos);
        if (!cached) {
            if (d == 1 && G == 1 && eval_pe_.defined() && eval_pos_.dim() == 1 &&
                q.pos.max().item<int64_t>() < eval_pe_.size(0) && q.pos.min().item<int64_t>() >= 0) {
                pe = eval_pe_.index_select(0, q.pos.view({-1}).to(eval_pe_.device())).view({1, N, P});
            } else if (d == 1 && G == 1) {
                const int64_t hi = q.pos.max().item<int64_t>() + 1;
                eval_pe_ = encoder->forward(torch::arange(hi, torch::kLong).view({hi, 1})); // (hi, P)
                eval_pos_ = torch::arange(hi, torch::kLong);                                // marks a 1D table cache
                pe = eval_pe_.index_select(0, q.pos.view({-1}).to(eval_pe_.device())).view({1, N, P});
            } else {
                eval_pe_ = encoder->forward(q.pos.reshape({G * N, d})).view({G, N, P});
                eval_pos_ = q.pos.clone();
                pe = eval_pe_;
            }
        } else {
            pe = eval_pe_;
        }
    } else {
        pe = encoder->forward(q.pos.reshape({G * N, d})).view({G, N, P});
    }
    set_current(with_prefix(pe, q.prefix));
}

// (G, T, P) -> (G, H', T, Dh): H' = heads when the PE is split across heads, else 1.
static torch::Tensor to_heads(const torch::Tensor& x, int64_t heads, bool multi_head) {
    const int64_t G = x.size(0), T = x.size(1), P = x.size(2);
    if (!multi_head) return x.unsqueeze(1);
    return x.view({G, T, heads, P / heads}).permute({0, 2, 1, 3});
}

void SeqPeImpl::set_current(const torch::Tensor& pe) {
    current_ = pe;
    pq_ = pk_ = torch::Tensor();
    if (apply_ == SeqPeApply::InputAdd) return;
    const bool mh = cfg_.multi_head;
    if (qk_mode_ == "none") {
        pq_ = pk_ = to_heads(current_, info_.n_head, mh);
    } else if (qk_mode_ == "single") {
        // (G, T, 2P) -> first P: query-PE, last P: key-PE, each (G, T, P)
        auto halves = qk_single->forward(current_).chunk(2, -1);
        pq_ = to_heads(halves[0], info_.n_head, mh);
        pk_ = to_heads(halves[1], info_.n_head, mh);
    }
}

std::pair<torch::Tensor, torch::Tensor> SeqPeImpl::qk_for_layer(int64_t layer) {
    if (qk_mode_ != "multi") return {pq_, pk_};
    auto halves = qk_multi[layer]->as<torch::nn::LinearImpl>()->forward(current_).chunk(2, -1);
    return {to_heads(halves[0], info_.n_head, cfg_.multi_head), to_heads(halves[1], info_.n_head, cfg_.multi_head)};
}

torch::Tensor SeqPeImpl::add_input(const torch::Tensor& x) {
    if (apply_ != SeqPeApply::InputAdd) return x;
    const int64_t G = current_.size(0), B = x.size(0);
    if (diagnose_) {
        // input_add: the PE's RMS against the content embeddings' (both row-centred over tokens).
        torch::NoGradGuard ng;
        const torch::Tensor e = current_[0].to(torch::kFloat), c = x[0].to(torch::kFloat); // (T, C) each
        const double ce = (c - c.mean(0, true)).pow(2).mean().item<double>();
        note("pe_share_input", ce > 0 ? std::sqrt((e - e.mean(0, true)).pow(2).mean().item<double>() / ce) : 0.0);
    }
    // x: (B, T, C) viewed as (B/G, G, T, C); current_ (G, T, C) broadcast over B/G.
    return (x.view({B / G, G, x.size(1), x.size(2)}) + current_.to(x.dtype()).unsqueeze(0)).view_as(x);
}

void apply_pe_to_qk(SeqPeApply method, torch::Tensor& q, torch::Tensor& k, const torch::Tensor& pq_in,
                    const torch::Tensor& pk_in, double scalar_scale) {
    // q, k: (B, H, T, Dh); pq, pk: (G, H', T, Dh) with H' = H or 1
    const torch::Tensor pq = pq_in.to(q.dtype()), pk = pk_in.to(k.dtype());
    const int64_t B = q.size(0), H = q.size(1), T = q.size(2), Dh = q.size(3), G = pq.size(0);
    // Example b uses layout b % G: view the batch as (B/G, G) and broadcast the PE over B/G.
    auto grouped = [&](const torch::Tensor& x) { return x.view({B / G, G, H, T, Dh}); };
    // attn_mul / attn_add: the PE enters with the gain sqrt(s) (s = 1: the official maths).
    const double g = std::sqrt(scalar_scale);
    const torch::Tensor gq = g == 1.0 ? pq : pq * g, gk = g == 1.0 ? pk : pk * g;
    switch (method) {
    case SeqPeApply::AttnMul:
        q = (grouped(q) * gq.unsqueeze(0)).view({B, H, T, Dh});
        k = (grouped(k) * gk.unsqueeze(0)).view({B, H, T, Dh});
        break;
    case SeqPeApply::AttnAdd:
        q = (grouped(q) + gq.unsqueeze(0)).view({B, H, T, Dh});
        k = (grouped(k) + gk.unsqueeze(0)).view({B, H, T, Dh});
        break;
    case SeqPeApply::AttnScalar: {
        // q.k + s * pq.pk as one dot product of [q, sqrt(s) pq] and [k, sqrt(s) pk]; the attention
        // scale stays 1/sqrt(Dh) of the unwidened head, so the PE score is scaled like q.k.
        const double r = std::sqrt(scalar_scale);
        const torch::Tensor eq = (pq * r).unsqueeze(0).expand({B / G, G, H, T, Dh}).reshape({B, H, T, Dh});
        const torch::Tensor ek = (pk * r).unsqueeze(0).expand({B / G, G, H, T, Dh}).reshape({B, H, T, Dh});
        q = torch::cat({q, eq}, -1); // (B, H, T, 2 Dh)
        k = torch::cat({k, ek}, -1);
        break;
    }
    case SeqPeApply::InputAdd:
        break;
    }
}

void SeqPeImpl::apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) {
    if (apply_ == SeqPeApply::InputAdd) return;
    auto [pq, pk] = qk_for_layer(layer); // (G, H', T, Dh)
    const torch::Tensor q0 = q, k0 = k;  // handles: the logits without the PE, for diagnostics
    apply_pe_to_qk(apply_, q, k, pq, pk, cfg_.scalar_scale);
    if (diagnose_) note_layer_share(layer, q0, k0, q, k);
}

void SeqPeImpl::note_layer_share(int64_t layer, const torch::Tensor& q0, const torch::Tensor& k0,
                                 const torch::Tensor& q, const torch::Tensor& k) {
    // The first example's logits without and with the position term: (H, T, T).
    torch::NoGradGuard ng;
    const double scale = 1.0 / std::sqrt(static_cast<double>(q0.size(-1)));
    const torch::Tensor a0 = q0[0].to(torch::kFloat), b0 = k0[0].to(torch::kFloat);
    const torch::Tensor base = torch::matmul(a0, b0.transpose(-2, -1)) * scale;
    const torch::Tensor with = torch::matmul(q[0].to(torch::kFloat), k[0].to(torch::kFloat).transpose(-2, -1)) * scale;
    note("pe_share_l" + std::to_string(layer), score_share(with - base, base, info_.causal));
}

void SeqPeImpl::end() {
    current_ = pq_ = pk_ = torch::Tensor();
}

int64_t SeqPeImpl::param_version() const {
    // Optimiser steps and checkpoint loads modify parameters in place, which bumps their version.
    int64_t v = 0;
    for (const auto& p : parameters()) v += static_cast<int64_t>(p._version());
    return v;
}

torch::Tensor SeqPeImpl::embeddings(const torch::Tensor& positions) {
    return encoder->forward(positions);
}

// ---- losses --------------------------------------------------------------------------------------

torch::Tensor contrastive_loss(const torch::Tensor& anchors, const torch::Tensor& cands, const torch::Tensor& labels) {
    // logits: (B, c) raw dot products (no normalisation, no temperature: docs/METHOD.md §5.3);
    // fp32 under autocast
    const torch::Tensor logits = at_least_fp32(torch::matmul(cands, anchors.unsqueeze(-1)).squeeze(-1));
    return torch::nn::functional::cross_entropy(logits, labels);
}

torch::Tensor transfer_loss(const torch::Tensor& teacher, const torch::Tensor& student, int64_t heads,
                            const std::string& metric, double beta, double logit_scale) {
    const int64_t B = teacher.size(0), n = teacher.size(1), P = teacher.size(2), Dh = P / heads;
    auto log_sim = [&](const torch::Tensor& x) { // (B, n, P) -> log-softmax of per-head Gram (B, H, n, n)
        const torch::Tensor h = x.view({B, n, heads, Dh}).permute({0, 2, 1, 3});
        return torch::log_softmax(at_least_fp32(torch::matmul(h, h.transpose(-2, -1))) * logit_scale, -1);
    };
    const torch::Tensor lt = log_sim(teacher), ls = log_sim(student);
    auto sym_kl = [](const torch::Tensor& a, const torch::Tensor& b) {
        return (a.exp() * (a - b) + b.exp() * (b - a)).mean();
    };
    auto mse = [](const torch::Tensor& a, const torch::Tensor& b) { return (a - b).pow(2).mean(); };
    torch::Tensor loss;
    if (metric == "mse") {
        loss = beta * mse(ls, lt.detach());
        if (beta < 1.0) loss = loss + (1.0 - beta) * mse(ls.detach(), lt);
    } else {
        loss = beta * sym_kl(lt.detach(), ls);
        if (beta < 1.0) loss = loss + (1.0 - beta) * sym_kl(lt, ls.detach());
    }
    return loss;
}

torch::Tensor SeqPeImpl::relative_score(const Layout& layout, int64_t layer, std::string* description) {
    if (layer < 0 || apply_ == SeqPeApply::InputAdd) return {};
    torch::NoGradGuard ng;
    Layout l = layout;
    l.prefix = 0;
    const int64_t H = info_.n_head, N = l.length(), Dh = info_.head_dim();
    const auto on_dev = torch::TensorOptions().device(l.device);
    begin(l, l);
    // q, k: (1, H, N, Dh). What attention sees of the positions alone: attn_scalar widens zero q/k
    // by sqrt(s) pq and sqrt(s) pk; attn_add on zero q/k leaves pq and pk; attn_mul needs ones.
    torch::Tensor q = torch::zeros({1, H, N, Dh}, on_dev), k = q.clone();
    if (apply_ == SeqPeApply::AttnScalar) {
        apply_qk(layer, q, k);
        q = q.narrow(3, Dh, Dh);
        k = k.narrow(3, Dh, Dh);
    } else if (apply_ == SeqPeApply::AttnAdd) {
        apply_qk(layer, q, k);
    } else {
        q = torch::ones_like(q);
        k = torch::ones_like(k);
        apply_qk(layer, q, k);
    }
    end();
    if (description) *description = "query-PE . key-PE";
    return torch::matmul(q, k.transpose(-2, -1))[0]; // (H, N, N)
}

} // namespace seqpe
