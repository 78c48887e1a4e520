// SeqPE's cross-field rules (encodings table, row "seqpe").
#include "validate_seqpe.h"

#include "seqpe/config_io.h"
#include "seqpe/position_digits.h"

#include <algorithm>
#include <string>

namespace seqpe {

namespace {

struct Rules {
    std::vector<Diagnostic>& out;
    void error(const std::string& path, const std::string& msg) { out.push_back({path, msg}); }
};

std::string s(int64_t v) {
    return std::to_string(v);
}

} // namespace

void check_seqpe(const RunConfig& c, std::vector<Diagnostic>& out) {
    Rules k{out};
    const auto& p = c.position_encoding.seqpe;
    const std::string sp = "position_encoding.seqpe.";
    const int dims = task_dims(c);
    if (p.embed_dim % p.heads != 0)
        k.error(sp + "heads", s(p.heads) + " heads do not divide the encoder width " + s(p.embed_dim) +
                                  "; choose a divisor (or 0 for automatic)");
    if (p.contrastive.hard_prob + p.contrastive.window_prob > 1.0 + 1e-9)
        k.error(sp + "contrastive.window_prob",
                "hard_prob + window_prob must not exceed 1 (the rest is the random-only mode)");
    const DigitScheme scheme =
        make_digit_scheme(dims, p.max_position, p.base, static_cast<int>(p.max_digits), p.slot_index == "per_dim");
    const int64_t extent = axis_extent(dims, p.max_position);
    const int64_t maxv = scheme.max_per_axis();
    if (p.max_digits > 0 && scheme.max_per_axis() < extent - 1)
        k.error(sp + "max_digits", s(p.max_digits) + " digits cannot write position " + s(extent - 1) +
                                       " of max_position " + s(p.max_position) + "; raise max_digits or set 0");
    if (dims == 1) {
        const int64_t n = c.train.seq_len;
        if (p.max_position < n)
            k.error(sp + "max_position", s(p.max_position) + " is below the training length " + s(n) + "; raise it");
        const int64_t longest = longest_text_eval_length(c);
        if (longest - 1 > maxv)
            k.error(c.task == "algorithmic"  ? "algo.eval_lengths"
                    : c.eval.lengths.empty() ? "eval.length_multipliers"
                                             : "eval.lengths",
                    "evaluation at " + s(longest) + " tokens needs positions up to " + s(longest - 1) + ", but " +
                        s(scheme.digits) + " digits write at most " + s(maxv) +
                        "; raise position_encoding.seqpe.max_digits");
        if (p.shift.enabled && p.shift.rate > 0 && p.max_position - n < 1)
            k.error(sp + "shift.enabled",
                    "no room to shift: max_position " + s(p.max_position) + " must exceed the training length " + s(n));
        if (p.transfer.weight > 0 && p.max_position - n <= n / 4)
            k.error(sp + "max_position",
                    "the distillation loss needs student offsets in [seq_len/4, max_position - seq_len); "
                    "raise max_position above " +
                        s(n + n / 4));
        if (p.transfer.weight > 0 && p.transfer.positions > n)
            k.error(sp + "transfer.positions",
                    s(p.transfer.positions) + " exceeds the " + s(n) + " training positions");
        if (p.contrastive.weight > 0 && p.contrastive.candidates >= p.max_position)
            k.error(sp + "contrastive.candidates", "must be below max_position " + s(p.max_position));
    } else {
        // The largest training grid must fit (shift, distillation). The distilled positions are
        // checked against the reference grid; a smaller grid of a mixed-resolution run distills all
        // of its patches.
        const int64_t g =
            std::max(image_train_sizes(c).back(), c.data.image_size) / std::max<int64_t>(1, c.model.patch_size);
        const int64_t g_ref = image_train_grid(c);
        if (extent < g)
            k.error(sp + "max_position",
                    "the " + s(g) + "x" + s(g) + " training grid needs max_position >= " + s(g * g));
        for (auto size : c.eval.image_sizes) {
            const int64_t eg = size / std::max<int64_t>(1, c.model.patch_size);
            if (eg - 1 > maxv)
                k.error("eval.image_sizes", "a " + s(eg) + "x" + s(eg) + " grid needs positions up to " + s(eg - 1) +
                                                " per axis, but " + s(scheme.digits) + " digits write at most " +
                                                s(maxv) + "; raise position_encoding.seqpe.max_digits");
        }
        if (p.shift.enabled && p.shift.rate > 0 && extent - g < 1)
            k.error(sp + "shift.enabled", "no room to shift the " + s(g) + "x" + s(g) + " grid inside " + s(extent) +
                                              "x" + s(extent) + "; raise max_position");
        if (p.transfer.weight > 0 && extent - g < 1)
            k.error(sp + "max_position",
                    "the distillation loss needs a grid larger than the training grid; raise max_position");
        if (p.transfer.weight > 0 && p.transfer.positions > g_ref * g_ref)
            k.error(sp + "transfer.positions",
                    s(p.transfer.positions) + " exceeds the " + s(g_ref * g_ref) + " training patches");
        if (p.contrastive.weight > 0 && p.contrastive.candidates >= extent * extent)
            k.error(sp + "contrastive.candidates", "must be below the number of grid positions " + s(extent * extent));
    }
    if (p.shift.enabled && p.shift.rate > 0 && c.train.batch_size % p.shift.layouts != 0)
        k.error(sp + "shift.layouts", s(p.shift.layouts) + " layouts do not divide train.batch_size " +
                                          s(c.train.batch_size) + "; every layout needs the same number of examples");
    const bool attn = p.apply != "input_add";
    if (attn) {
        const int64_t pe_dim = p.multi_head ? c.model.d_model : c.model.d_model / c.model.n_head;
        const int64_t heads = p.transfer.heads;
        if (p.transfer.weight > 0 && pe_dim % heads != 0)
            k.error(sp + "transfer.heads", s(heads) + " does not divide the PE size " + s(pe_dim));
    } else if (p.transfer.weight > 0 && c.model.d_model % p.transfer.heads != 0) {
        k.error(sp + "transfer.heads", s(p.transfer.heads) + " does not divide the PE size " + s(c.model.d_model));
    }
}

} // namespace seqpe
