// Cross-field validation of a RunConfig. Single-field ranges and choices are checked by the option
// table when a value is set; this file checks what depends on several fields, naming the field a
// user should change and how.
#include "seqpe/common/text.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"
#include "seqpe/position_digits.h"

#include <regex>

namespace seqpe {

namespace {

struct Checker {
    std::vector<Diagnostic> out;
    void error(const std::string& path, const std::string& msg) { out.push_back({path, msg}); }
    void warn(const std::string& path, const std::string& msg) {
        out.push_back({path, msg, Diagnostic::Severity::Warning});
    }
};

std::string s(int64_t v) {
    return std::to_string(v);
}

void check_ranges(const RunConfig& c, Checker& k) {
    // A config built in code (or by the GUI) bypasses the setters' checks: re-check every field.
    for (const auto& o : option_table())
        if (auto d = check_option_value(o, o.get(c))) k.error(d->path, d->message);
}

void check_seqpe(const RunConfig& c, Checker& k) {
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
        int64_t max_mult = 1;
        for (auto m : c.eval.length_multipliers) max_mult = std::max(max_mult, m);
        if (n * max_mult - 1 > maxv)
            k.error("eval.length_multipliers", "evaluation at " + s(n * max_mult) + " tokens needs positions up to " +
                                                   s(n * max_mult - 1) + ", but " + s(scheme.digits) +
                                                   " digits write at most " + s(maxv) +
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
        const int64_t g = c.data.image_size / std::max<int64_t>(1, c.model.patch_size);
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
        if (p.transfer.weight > 0 && p.transfer.positions > g * g)
            k.error(sp + "transfer.positions",
                    s(p.transfer.positions) + " exceeds the " + s(g * g) + " training patches");
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

} // namespace

std::vector<Diagnostic> validate(const RunConfig& raw) {
    Checker k;
    check_ranges(raw, k);
    const RunConfig c = resolve_auto(raw);
    const auto& m = c.model;
    const auto& pe = c.position_encoding;
    const bool image = c.task == "image";

    if (m.d_model % m.n_head != 0)
        k.error("model.n_head", s(m.n_head) + " heads do not divide model.d_model " + s(m.d_model) +
                                    "; choose a divisor of " + s(m.d_model));
    const int64_t head_dim = m.d_model / std::max<int64_t>(1, m.n_head);

    const EncodingInfo* enc = find_encoding(pe.type);
    if (enc) {
        if (!image && !enc->text)
            k.error("position_encoding.type",
                    std::string(enc->title) +
                        " mixes the two axes of an image grid and has no 1D form; for text use rope");
        if (image && !enc->image) k.error("position_encoding.type", std::string(enc->title) + " has no 2D form");
    }
    if ((pe.type == "rope" || pe.type == "rope_mixed") && head_dim % (image ? 4 : 2) != 0)
        k.error("model.n_head", "rotary encodings need a head size divisible by " + s(image ? 4 : 2) +
                                    "; d_model / n_head = " + s(head_dim));
    if (pe.type == "sinusoidal" && m.d_model % (image && pe.sin_2d == "axial" ? 4 : 2) != 0)
        k.error("model.d_model",
                "sinusoidal features need a width divisible by " + s(image && pe.sin_2d == "axial" ? 4 : 2));
    if (pe.type == "seqpe") check_seqpe(c, k);

    if (image) {
        if (c.data.image_size % m.patch_size != 0)
            k.error("model.patch_size", s(m.patch_size) + " does not divide data.image_size " + s(c.data.image_size));
        for (auto size : c.eval.image_sizes)
            if (size % m.patch_size != 0)
                k.error("eval.image_sizes", s(size) + " is not a multiple of model.patch_size " + s(m.patch_size) +
                                                "; use sizes such as " + s(size - size % m.patch_size) + " or " +
                                                s(size - size % m.patch_size + m.patch_size));
        if (c.data.source == "sotu")
            k.error("data.source", "sotu is a text corpus; the image task needs fashion-mnist or an image folder");
    } else if (c.data.source == "fashion-mnist") {
        k.error("data.source", "fashion-mnist is an image dataset; text tasks need sotu or a folder of .txt files");
    }
    if (c.train.batch_size % c.train.grad_accum != 0)
        k.error("train.grad_accum",
                s(c.train.grad_accum) + " does not divide train.batch_size " + s(c.train.batch_size));
    if (c.optim.min_lr > c.optim.lr) k.error("optim.min_lr", "must not exceed optim.lr");
    if (c.optim.warmup_steps > c.train.steps)
        k.warn("optim.warmup_steps",
               "longer than the run (" + s(c.train.steps) + " steps): the peak rate is never reached");
    static const std::regex device_re("^(cpu|auto|cuda|cuda:[0-9]{1,2})$");
    if (!std::regex_match(c.runtime.device, device_re))
        k.error("runtime.device",
                "'" + quote_for_message(c.runtime.device) + "' is not a device; use cpu, cuda, cuda:N or auto");
    if (c.runtime.precision == "fp16" && c.runtime.device == "cpu")
        k.error("runtime.precision", "fp16 autocast needs a CUDA device; on the CPU use bf16, fp32 or auto");
    if (c.task == "qa" && c.train.seq_len - c.qa.max_new_tokens < 64)
        k.error("train.seq_len", "QA sequences hold a prompt of at least 64 tokens plus qa.max_new_tokens (" +
                                     s(c.qa.max_new_tokens) + "); raise train.seq_len");
    if (c.task == "qa" && c.train.init_from.empty())
        k.warn("train.init_from",
               "QA fine-tuning usually starts from a language-model run; this run starts from scratch");
    return k.out;
}

} // namespace seqpe
