// Run configs: resolving the automatic fields, and what a task derives from its config.
#include "seqpe/config_io.h"

#include "seqpe/algorithmic.h"

#include "seqpe/common/error.h"
#include "seqpe/options.h"

#include <algorithm>

namespace seqpe {

std::string format_diagnostics(const std::vector<Diagnostic>& d, const std::string& file) {
    std::string out;
    for (const auto& x : d) {
        if (!file.empty()) out += file + ": ";
        if (x.severity == Diagnostic::Severity::Warning) out += "warning: ";
        if (!x.path.empty()) out += x.path + ": ";
        out += x.message + "\n";
    }
    return out;
}

int task_dims(const RunConfig& c) {
    return c.task == "image" ? 2 : 1;
}

int64_t image_train_grid(const RunConfig& c) {
    return c.data.image_size / std::max<int64_t>(1, c.model.patch_size);
}

std::vector<int64_t> image_train_sizes(const RunConfig& c) {
    if (!c.data.mixed_resolution) return {c.data.image_size};
    const int64_t p = std::max<int64_t>(1, c.model.patch_size);
    std::vector<int64_t> out;
    for (int64_t px = (c.data.size_min + p - 1) / p * p; px <= c.data.size_max; px += p) out.push_back(px);
    if (out.empty()) out.push_back(c.data.image_size); // validate names the empty range
    return out;
}

bool task_needs_dataset(const RunConfig& c) {
    return c.task != "algorithmic";
}

std::vector<int64_t> text_eval_lengths(const RunConfig& c) {
    if (c.task == "algorithmic") { // what the position budgets must hold
        std::vector<int64_t> out;
        for (const int64_t n : c.algo.eval_lengths) out.push_back(algo_positions(c.algo, n));
        return out;
    }
    if (!c.eval.lengths.empty()) return c.eval.lengths;
    std::vector<int64_t> out;
    for (const int64_t m : c.eval.length_multipliers) out.push_back(m * c.train.seq_len);
    return out;
}

int64_t longest_text_eval_length(const RunConfig& c) {
    int64_t n = c.train.seq_len;
    for (const int64_t l : text_eval_lengths(c)) n = std::max(n, l);
    return n;
}

ResolvedConfig::ResolvedConfig() : ResolvedConfig(resolve_config(RunConfig{})) {}

ResolvedConfig resolve_config(const RunConfig& raw) {
    RunConfig c = raw;
    const bool image = c.task == "image";
    if (c.data.source == "auto" && task_needs_dataset(c)) c.data.source = image ? "fashion-mnist" : "sotu";
    // An algorithmic run's training length is its longest training instance (train.seq_len is not
    // the user's there): every layout, budget and trained_length below follows from it.
    if (c.task == "algorithmic") c.train.seq_len = algo_positions(c.algo, std::max<int64_t>(1, c.algo.train_max_len));
    auto& s = c.position_encoding.seqpe;
    const bool official = s.recipe == "official";
    // The official image code multiplies (attn_mul); at the workbench's ViT size attn_scalar
    // learns far faster (docs/RESULTS.md: 79.5% against 75.4% and 60.2% at 400 steps).
    if (s.apply == "auto") s.apply = image && official ? "attn_mul" : "attn_scalar";
    if (s.qk_map == "auto") s.qk_map = image ? "multi" : "single";
    // Randomized positions: drawn from [0, the longest evaluated length) unless given.
    auto& pe = c.position_encoding;
    if (pe.randomize && pe.randomize_max == 0) {
        if (image) {
            int64_t side = std::max(c.data.image_size, image_train_sizes(c).back());
            for (const int64_t px : c.eval.image_sizes) side = std::max(side, px);
            pe.randomize_max = std::max<int64_t>(1, side / std::max<int64_t>(1, c.model.patch_size));
        } else {
            pe.randomize_max = longest_text_eval_length(c);
        }
    }
    if (s.max_position == 0) {
        if (official) {
            s.max_position = image ? 10000 : 20000;
        } else if (image) {
            // The largest evaluated grid (and the training one), flattened: the digits then cover
            // exactly the axis lengths the run will see.
            int64_t side = std::max(c.data.image_size, image_train_sizes(c).back());
            for (const int64_t px : c.eval.image_sizes) side = std::max(side, px);
            const int64_t axis = std::max<int64_t>(1, side / std::max<int64_t>(1, c.model.patch_size));
            s.max_position = axis * axis;
        } else {
            s.max_position = std::max<int64_t>(2, longest_text_eval_length(c));
        }
        // ... and every randomized training position.
        if (pe.randomize && !official)
            s.max_position = std::max(s.max_position, image ? pe.randomize_max * pe.randomize_max : pe.randomize_max);
    }
    if (s.embed_dim == 0) s.embed_dim = c.model.d_model;
    if (s.heads == 0) {
        int64_t h = std::max<int64_t>(1, s.embed_dim / 64);
        while (h > 1 && s.embed_dim % h != 0) --h;
        s.heads = h;
    }
    if (s.transfer.heads == 0) s.transfer.heads = c.model.n_head;
    // Auxiliary samples in the official runs' proportion to the main task's tokens per step
    // (text: 16 per 32 x 512 tokens; ViT-S: 32 per 256 x 196 patches), at least 2.
    const int64_t grid = image ? image_train_grid(c) : 0;
    const int64_t tokens = c.train.batch_size * (image ? grid * grid : c.train.seq_len);
    const int64_t aux =
        std::max<int64_t>(2, (image ? 32 * tokens + 25088 : 16 * tokens + 8192) / (image ? 50176 : 16384));
    // The workbench keeps a floor: at the official ratio a 16 x 128-token step draws 2 anchors,
    // and each position is an anchor ~0.2 times in a 600-step run (officially ~320).
    if (s.contrastive.batch == 0) s.contrastive.batch = official ? aux : std::max<int64_t>(64, aux);
    if (s.transfer.batch == 0) s.transfer.batch = official ? aux : std::max<int64_t>(16, aux);
    // The teacher (the main layout's PEs) has flat similarities at first; the workbench starts
    // distilling when the learning-rate warm-up ends (not a share of train.steps: a resumed,
    // longer run must keep the same schedule as one started with its final length).
    if (s.transfer.start_step < 0) s.transfer.start_step = official ? 0 : c.optim.warmup_steps;
    if (s.scalar_scale == 0) {
        // With N(0, init_std) weights and LayerNorm'd inputs, q.k / sqrt(Dh) has std
        // ~ init_std^2 C and pq.pk / sqrt(Dh) ~ init_std^4 P E (P the PE width, E the encoder's):
        // at width 128 the PE score of attn_scalar starts at 5% of the content score (GPT-2's 768:
        // 30%). The workbench picks s = C / (init_std^2 P E) so that both start with the same
        // spread. attn_mul and attn_add keep s = 1 (pq, pk enter times sqrt(s)): scaling the
        // factor of attn_mul to unit RMS made its logits explode as the encoder grew (measured:
        // 62.3% against 75.4% unscaled on the image study); attn_add is untested at other scales.
        const double sd = c.model.init_std;
        const double P = static_cast<double>(s.multi_head ? c.model.d_model
                                                          : c.model.d_model / std::max<int64_t>(1, c.model.n_head));
        const double match = static_cast<double>(c.model.d_model) / (sd * sd * P * static_cast<double>(s.embed_dim));
        s.scalar_scale = official || s.apply != "attn_scalar" ? 1.0 : std::clamp(match, 1.0, 1e4);
    }
    return ResolvedConfig(ResolvedConfig::Token{}, std::move(c));
}

} // namespace seqpe
