#pragma once
// The one interface every position encoding implements. A model calls three hooks, any of which
// may be a no-op: add to the input embeddings, transform q and k, add an attention bias. SeqPE's
// training-time work (random shift, auxiliary samples, one encoder pass) happens in prepare_step.
#include "pe/layout.h"
#include "seqpe/config.h"

#include <algorithm>
#include <string>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <utility>
#include <vector>

namespace seqpe {

// What an encoding needs to know about the model it serves.
struct PeModelInfo {
    int dims = 1; // 1: text, 2: image grid
    int64_t d_model = 0;
    int64_t n_head = 0;
    int64_t n_layer = 0;
    int64_t train_length = 0; // 1D: training length; 2D: training grid side
    // Randomized positions: training positions lie in [0, position_range) (per axis); 0: off. A
    // table-based encoding then holds that many positions and indexes them directly.
    int64_t position_range = 0;
    int64_t table_extent() const { return std::max(train_length, position_range); }
    bool causal = true;
    double init_std = 0.02;
    double content_rms = 0.02; // RMS of the content embedding (tokens, patches) at initialisation
    int64_t head_dim() const { return d_model / n_head; }
};

struct StepContext {
    int64_t step = 0;        // micro-step index (seeds the samplers)
    int64_t train_step = -1; // optimiser step (schedules); -1: same as step
    uint64_t seed = 0;
    int64_t batch_size = 0;
    Layout* layout = nullptr; // in: the default layout; out: the step's layout (may be shifted)
};

struct AuxLoss {
    std::string name;    // metric name, e.g. "loss_contrastive"
    torch::Tensor value; // unweighted scalar
    double weight = 0;
};

class PositionEncodingImpl : public torch::nn::Module {
public:
    explicit PositionEncodingImpl(PeModelInfo info) : info_(info) {}
    ~PositionEncodingImpl() override = default;

    // Training step (before the forward pass): pick the step's layout, sample auxiliary positions,
    // run any encoder once over everything the step needs.
    virtual void prepare_step(StepContext& ctx) {}
    // Auxiliary losses of the prepared step (after the forward pass); cleared by end_step().
    virtual std::vector<AuxLoss> aux_losses() { return {}; }
    virtual void end_step() {}

    // Forward-pass hooks. begin() receives the query and key layouts (equal except in incremental
    // decoding, where the queries are the new tokens and the keys all tokens so far).
    virtual void begin(const Layout& q, const Layout& k) {}
    virtual torch::Tensor add_input(const torch::Tensor& x) { return x; } // x: (B, T, C)
    // q: (B, H, Tq, Dh), k: (B, H, Tq, Dh) for the new tokens; may widen both (attn_scalar).
    virtual void apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) {}
    // Additive attention bias broadcastable to (B, H, Tq, Tk), or undefined.
    virtual torch::Tensor bias(int64_t layer) { return {}; }
    virtual void end() {}

    // Position embeddings for the geometry views: positions (N, d) -> (N, P); undefined if the
    // encoding has no embedding vectors (RoPE, ALiBi, none).
    virtual torch::Tensor embeddings(const torch::Tensor& positions) { return {}; }
    // The embeddings the model reads on `layout` (positions (N, d) -> (N, P)), an interpolated
    // read (layout.scale != 1, eval mode interpolate) included. The default reads the trained range
    // and resamples it, as the learnable table and SeqPE do; encodings that scale positions instead
    // (sinusoidal) override it. Undefined where embeddings() is.
    virtual torch::Tensor embeddings_at(const Layout& layout);

    // What a relative encoding adds to the attention logits between the positions of `layout`,
    // for the Geometry view: (H, N, N), query x key, in logit units (a bias as it is added; for
    // rotations the score of rotated all-ones q and k over the head size). The default is the
    // bias of one forward pass; undefined for an encoding with neither. `description` says what
    // the score is.
    virtual torch::Tensor relative_score(const Layout& layout, int64_t layer, std::string* description);

    // Diagnostics (train.diagnostics_every): while on, the next forward pass and aux_losses()
    // note how strongly the positions act (PE share of the attention scores per layer, the
    // contrastive accuracy); take_diagnostics() hands the values over and clears them.
    void set_diagnostics(bool on) { diagnose_ = on; }
    std::vector<std::pair<std::string, double>> take_diagnostics() { return std::exchange(diag_, {}); }

    const PeModelInfo& info() const { return info_; }

protected:
    void note(const std::string& name, double v) { diag_.emplace_back(name, v); }
    PeModelInfo info_;
    bool diagnose_ = false;
    std::vector<std::pair<std::string, double>> diag_;
};

// Row-centred RMS of `pe_part` over that of `base`, two score maps (H, Tq, Tk) of one example:
// how much the position term moves the attention logits within each query's row (a constant per
// row does not change the softmax). Causal maps count keys j <= i only.
double score_share(const torch::Tensor& pe_part, const torch::Tensor& base, bool causal);

TORCH_MODULE(PositionEncoding);

// Builds the encoding named by config.position_encoding.type. Throws InputError for an unknown
// name or a combination the encoding cannot serve.
PositionEncoding make_position_encoding(const ResolvedConfig& config, const PeModelInfo& info);
// Whether the registry has a factory for this name (every row of the encodings table must).
bool has_implementation(const std::string& name);

} // namespace seqpe
