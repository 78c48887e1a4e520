// Cross-field validation of a RunConfig. Single-field ranges and choices are checked by the option
// table when a value is set; this file checks what depends on several fields, naming the field a
// user should change and how.
#include "seqpe/common/text.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"
#include "seqpe/position_digits.h"

#include <algorithm>
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

// Randomized positions need an encoding with positions and a range longer than a training sequence.
void check_randomized(const RunConfig& c, Checker& k) {
    const auto& pe = c.position_encoding;
    if (!pe.randomize) return;
    const EncodingInfo* e = find_encoding(pe.type);
    if (e && !e->has_positions()) {
        k.error("position_encoding.randomize", std::string(e->title) + " has no positions to randomize; turn it off");
        return;
    }
    if (encoding_reads(c, "position_encoding.seqpe.shift.enabled") && pe.seqpe.shift.enabled)
        k.error("position_encoding.seqpe.shift.enabled",
                "SeqPE's random shift and randomized positions both move the training positions: choose one "
                "(docs/METHOD.md §9 compares them)");
    const bool image = c.task == "image";
    // every training grid must fit: the largest one of a mixed-resolution run
    const int64_t train =
        image ? image_train_sizes(c).back() / std::max<int64_t>(1, c.model.patch_size) : c.train.seq_len;
    if (pe.randomize_max < train)
        k.error("position_encoding.randomize_max",
                s(pe.randomize_max) + " is below the " + (image ? "training grid side " : "training length ") +
                    s(train) + ": the positions are a subset of [0, randomize_max); raise it (0 = the longest " +
                    "evaluated length)");
    if (encoding_reads(c, "position_encoding.seqpe.max_position") &&
        axis_extent(task_dims(c), pe.seqpe.max_position) < pe.randomize_max)
        k.error("position_encoding.seqpe.max_position",
                "randomized positions reach " + s(pe.randomize_max - 1) + (image ? " per axis" : "") +
                    ", beyond max_position " + s(pe.seqpe.max_position) + "; raise it (or set 0 for automatic)");
}

// Mixed-resolution training: a non-empty range of patch multiples around the reference resolution.
void check_mixed_resolution(const RunConfig& c, Checker& k) {
    const auto& d = c.data;
    const int64_t p = std::max<int64_t>(1, c.model.patch_size);
    if (d.size_min > d.size_max) {
        k.error("data.size_min", s(d.size_min) + " is above data.size_max " + s(d.size_max) +
                                     "; the smallest training side must not exceed the largest");
        return;
    }
    for (const auto& [path, v] : {std::pair{"data.size_min", d.size_min}, std::pair{"data.size_max", d.size_max}})
        if (v % p != 0)
            k.error(path, s(v) + " is not a multiple of model.patch_size " + s(p) + "; use " +
                              s(std::max(p, v - v % p)) + " or " + s(v - v % p + p));
    if (d.image_size < d.size_min || d.image_size > d.size_max)
        k.error("data.image_size", s(d.image_size) + " lies outside the mixed-resolution range [" + s(d.size_min) +
                                       ", " + s(d.size_max) +
                                       "]: the reference resolution (the learnable table's grid, the one the "
                                       "evaluation modes scale to) must be one of the training sizes");
}

// The RoPE extensions are evaluation modes of rotary encodings only.
void check_evaluation_modes(const RunConfig& c, const EncodingInfo* e, Checker& k) {
    const auto& ext = rope_extension_modes();
    if (std::find(ext.begin(), ext.end(), c.eval.mode) == ext.end() || (e && e->rotary)) return;
    std::string rotary;
    for (const auto& r : encoding_table())
        if (r.rotary) rotary += (rotary.empty() ? "" : ", ") + std::string(r.name);
    k.error("eval.mode", c.eval.mode + " extends rotary encodings (" + rotary + "); " +
                             (e ? std::string(e->title) : c.position_encoding.type) +
                             " rotates nothing: use extend, interpolate, both or all");
}

// The algorithmic task's lengths: a training range, and evaluation lengths that test beyond it.
void check_algorithmic(const RunConfig& c, Checker& k) {
    const AlgoConfig& a = c.algo;
    if (a.train_min_len > a.train_max_len)
        k.error("algo.train_min_len", s(a.train_min_len) + " exceeds algo.train_max_len " + s(a.train_max_len) +
                                          "; the training lengths are [train_min_len, train_max_len]");
    const bool beyond =
        std::any_of(a.eval_lengths.begin(), a.eval_lengths.end(), [&](int64_t n) { return n > a.train_max_len; });
    if (!a.eval_lengths.empty() && !beyond)
        k.warn("algo.eval_lengths", "no length exceeds algo.train_max_len " + s(a.train_max_len) +
                                        ": nothing measures length generalization; add longer lengths");
}

} // namespace

std::vector<Diagnostic> validate(const RunConfig& raw) {
    return validate(raw, resolve_config(raw));
}

std::vector<Diagnostic> validate(const ResolvedConfig& c) {
    return validate(c, c);
}

std::vector<Diagnostic> validate(const RunConfig& raw, const ResolvedConfig& c) {
    Checker k;
    check_ranges(raw, k);
    const auto& m = c.model;
    const auto& pe = c.position_encoding;
    const bool image = c.task == "image";

    if (m.d_model % m.n_head != 0)
        k.error("model.n_head", s(m.n_head) + " heads do not divide model.d_model " + s(m.d_model) +
                                    "; choose a divisor of " + s(m.d_model));

    const EncodingInfo* enc = find_encoding(pe.type);
    if (enc) {
        if (!image && !enc->text)
            k.error("position_encoding.type",
                    std::string(enc->title) +
                        " mixes the two axes of an image grid and has no 1D form; for text use rope");
        if (image && !enc->image) k.error("position_encoding.type", std::string(enc->title) + " has no 2D form");
    }
    if (enc && enc->check) enc->check(c, k.out); // the encoding's own rules (encodings table)
    check_randomized(c, k);
    check_evaluation_modes(c, enc, k);

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
        if (c.data.scale_augment && c.data.augment)
            k.error("data.augment", "data.augment and data.scale_augment both crop and flip; choose one");
        if (c.data.scale_augment && c.data.scale_min > c.data.scale_max)
            k.error("data.scale_min", "is above data.scale_max (" + std::to_string(c.data.scale_max) +
                                          "); the smallest share of the area must not exceed the largest");
        if (c.data.scale_augment && c.data.ratio_min > c.data.ratio_max)
            k.error("data.ratio_min", "is above data.ratio_max (" + std::to_string(c.data.ratio_max) +
                                          "); the smallest aspect ratio must not exceed the largest");
        if (c.data.mixed_resolution) check_mixed_resolution(c, k);
    } else if (task_needs_dataset(c) && c.data.source == "fashion-mnist") {
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
    if (c.task == "algorithmic") check_algorithmic(c, k);
    if (c.task == "qa" && c.train.init_from.empty())
        k.warn("train.init_from",
               "QA fine-tuning usually starts from a language-model run; this run starts from scratch");
    return k.out;
}

} // namespace seqpe
