// evaluate_run: loads a run and scores it at each evaluation length / resolution and mode.
#include "seqpe/evaluate.h"
#include "seqpe/engine.h"

#include "seqpe/checkpoints.h"

#include "data/lm_data.h"
#include "eval/eval_util.h"
#include "eval/evaluate_algo.h"
#include "kernels/cross_entropy.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/text.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"
#include "seqpe/stats.h"
#include "train/algo_task.h"
#include "train/checkpoint.h"
#include "train/device.h"
#include "train/image_task.h"
#include "train/lm_task.h"
#include "train/qa_task.h"

#include <algorithm>
#include <map>
#include <numeric>

#include <ATen/Parallel.h>
#include <chrono>
#include <cmath>
#include <thread>
#include <torch/nn/functional/loss.h>

namespace seqpe {

namespace {

// An image run evaluated before per-protocol reports existed has its report only in
// extrapolation.json. Before a report of another protocol replaces that file, the older one is
// kept under its own protocol's name, so no evaluation is lost.
void keep_older_protocol_report(const RunPaths& paths, const std::string& protocol) {
    std::error_code ec;
    if (!fs::exists(paths.eval_report(), ec)) return;
    try {
        const EvalReport old = eval_report_from_json(read_file(paths.eval_report()), paths.eval_report().string());
        const std::string was = old.image_resize.empty() ? "resize" : old.image_resize;
        if (was != protocol && !fs::exists(paths.eval_report(was), ec))
            write_file_atomic(paths.eval_report(was), eval_report_json(old));
    } catch (const std::exception&) {
        // unreadable: nothing to keep
    }
}

// Perplexity over non-overlapping chunks that cover every token of the split once: chunk k feeds
// tokens [kL, kL + L) and predicts [kL + 1, kL + L]; the last chunk is shorter. Positions start at 0.
// Per token id: UTF-8 bytes, characters and word starts (Vocabulary::units), as (V, 3) int64;
// undefined without a pieces file (then the byte-level metrics are NaN).
torch::Tensor token_units(const std::filesystem::path& dataset, const DatasetManifest& m) {
    if (m.tokenizer.pieces_file.empty()) return {};
    const Vocabulary v = Vocabulary::load(dataset / m.tokenizer.pieces_file);
    torch::Tensor t = torch::zeros({std::max<int64_t>(1, v.size()), 3}, torch::kLong);
    auto a = t.accessor<int64_t, 2>();
    for (int64_t id = 0; id < v.size(); ++id) {
        const Vocabulary::Units u = v.units(id);
        a[id][0] = u.bytes;
        a[id][1] = u.chars;
        a[id][2] = u.word_start ? 1 : 0;
    }
    return t;
}

// Per-token NLL of y given x, (B, T) -> (B, T) fp32, without the whole (B, T, V) logits: the head
// and the fp32 loss run over blocks of kLossRows rows, so the largest buffers are (kLossRows, V).
// (At 2,048 tokens the full logits were 8 M floats, and under bf16 autocast they existed twice: the
// bf16 product and its fp32 copy.)
constexpr int64_t kLossRows = 1024;
torch::Tensor token_nll(LanguageModelImpl& model, const torch::Tensor& x, const torch::Tensor& y, const Layout& l) {
    const torch::Tensor h = model.hidden(x, l);             // (B, T, C)
    const torch::Tensor rows = h.reshape({-1, h.size(-1)}); // (B*T, C)
    const torch::Tensor targets = y.reshape({-1});          // (B*T)
    torch::Tensor out = torch::empty({rows.size(0)}, h.options().dtype(torch::kFloat));
    for (int64_t s = 0; s < rows.size(0); s += kLossRows) {
        const int64_t n = std::min(kLossRows, rows.size(0) - s);
        const torch::Tensor logits = model.logits(rows.narrow(0, s, n)); // (n, V), bf16 under autocast
        out.narrow(0, s, n).copy_(seqpe::cross_entropy(logits, targets.narrow(0, s, n), /*mean=*/false));
    }
    return out.view(y.sizes());
}

EvalRow eval_lm_length(LanguageModelImpl& model, const TokenSplit& split, const ResolvedConfig& c, int64_t L,
                       const std::string& mode, int64_t max_tokens, std::vector<double>* by_pos, Observer& obs,
                       std::stop_token stop, const torch::Tensor& units) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n_tokens = max_tokens > 0 ? std::min(split.size(), max_tokens + 1) : split.size();
    const int64_t predict = n_tokens - 1;
    // Keep the tokens per batch near the training batch's: memory stays flat as L grows.
    const int64_t per_batch =
        std::max<int64_t>(1, (c.eval.batch_size > 0 ? c.eval.batch_size : c.train.batch_size) * c.train.seq_len / L);
    Layout layout = layout_1d(L);
    layout.trained_length = c.train.seq_len;
    layout.device = model.wte->weight.device();
    apply_eval_mode(layout, mode, c.train.seq_len, L, L);
    double nll = 0;
    int64_t scored = 0;
    // Per window (chunk): NLL, tokens, and the bytes, characters and words its targets stand for.
    std::vector<double> win_nll, win_tokens;
    int64_t bytes = 0, chars = 0, words = 0;
    const auto count_units = [&](const torch::Tensor& targets) { // targets: int64, any shape, on the CPU
        if (!units.defined()) return;
        const torch::Tensor u = units.index_select(0, targets.reshape({-1}).clamp(0, units.size(0) - 1)).sum(0);
        bytes += u[0].item<int64_t>();
        chars += u[1].item<int64_t>();
        words += u[2].item<int64_t>();
    };
    std::vector<double> pos_sum;
    int64_t pos_count = 0;
    if (by_pos) pos_sum.assign(static_cast<size_t>(L), 0.0);
    const int64_t full_chunks = predict / L;
    for (int64_t k = 0; k < full_chunks; k += per_batch) {
        if (stop.stop_requested()) throw Cancelled();
        const int64_t n = std::min(per_batch, full_chunks - k);
        torch::Tensor buf = torch::empty({n, L + 1}, torch::kLong);
        for (int64_t j = 0; j < n; ++j) split.copy_to((k + j) * L, L + 1, buf[j].data_ptr<int64_t>());
        using torch::indexing::Slice;
        const auto dev = model.wte->weight.device();
        const torch::Tensor x = buf.index({Slice(), Slice(0, L)}).to(dev);
        const torch::Tensor y = buf.index({Slice(), Slice(1, torch::indexing::None)}).to(dev);
        Layout batch_layout = layout; // randomized runs: this batch's sampled positions
        sample_eval_positions(batch_layout, c, mode, L, k / per_batch);
        const torch::Tensor tok_nll = token_nll(model, x, y, batch_layout); // (n, L)
        nll += tok_nll.sum().item<double>();
        scored += n * L;
        const torch::Tensor per_window = tok_nll.sum(1).to(torch::kDouble).cpu(); // (n)
        for (int64_t j = 0; j < n; ++j) {
            win_nll.push_back(per_window[j].item<double>());
            win_tokens.push_back(static_cast<double>(L));
        }
        count_units(buf.index({Slice(), Slice(1, torch::indexing::None)}));
        if (by_pos) {
            const torch::Tensor s = tok_nll.sum(0).to(torch::kDouble).cpu();
            for (int64_t i = 0; i < L; ++i) pos_sum[static_cast<size_t>(i)] += s[i].item<double>();
            pos_count += n;
        }
    }
    const int64_t rest = predict - full_chunks * L; // the shorter last chunk
    if (rest > 0) {
        const int64_t start = full_chunks * L;
        const torch::Tensor buf = split.slice(start, rest + 1).view({1, rest + 1});
        using torch::indexing::Slice;
        const auto dev = model.wte->weight.device();
        Layout tail = layout_1d(rest);
        tail.trained_length = c.train.seq_len;
        tail.scale = layout.scale;
        tail.rope_extension = layout.rope_extension; // dynamic-ntk: its factor follows this chunk's length
        tail.rope_factor[0] = layout.rope_factor[0];
        tail.rope_factor[1] = layout.rope_factor[1];
        tail.device = dev;
        sample_eval_positions(tail, c, mode, L, full_chunks);
        const double tail_nll = token_nll(model, buf.index({Slice(), Slice(0, rest)}).to(dev),
                                          buf.index({Slice(), Slice(1, torch::indexing::None)}).to(dev), tail)
                                    .sum()
                                    .item<double>();
        nll += tail_nll;
        scored += rest;
        win_nll.push_back(tail_nll);
        win_tokens.push_back(static_cast<double>(rest));
        count_units(buf.index({Slice(), Slice(1, torch::indexing::None)}));
    }
    EvalRow row;
    row.mode = mode;
    row.length = L;
    row.count = scored;
    row.loss = scored ? nll / static_cast<double>(scored) : 0.0;
    row.ppl = std::exp(row.loss);
    // Its measurement error: a bootstrap over the windows, reproducible (seeded by length and mode).
    const Interval ci =
        bootstrap_ratio(win_nll, win_tokens, kBootstrapResamples, bootstrap_seed(L, mode), 0.95, Transform::Exp);
    row.lo = ci.lo;
    row.hi = ci.hi;
    row.items = static_cast<int64_t>(win_nll.size());
    if (bytes > 0) {
        row.bytes = bytes;
        row.chars = chars;
        row.words = words;
        row.bits_per_byte = nll / std::log(2.0) / static_cast<double>(bytes);
        row.bits_per_char = chars > 0 ? nll / std::log(2.0) / static_cast<double>(chars) : std::nan("");
        row.word_ppl = words > 0 ? std::exp(nll / static_cast<double>(words)) : std::nan("");
    }
    row.seconds = seconds_since(t0);
    row.tokens_per_s = static_cast<double>(scored) / std::max(row.seconds, 1e-9);
    if (by_pos && pos_count > 0) {
        by_pos->resize(static_cast<size_t>(L));
        for (int64_t i = 0; i < L; ++i)
            (*by_pos)[static_cast<size_t>(i)] = pos_sum[static_cast<size_t>(i)] / double(pos_count);
    }
    obs.on_log(LogLevel::Info, "eval " + mode + " L=" + std::to_string(L) + ": loss " + std::to_string(row.loss) +
                                   ", ppl " + std::to_string(row.ppl) + " over " + std::to_string(scored) + " tokens");
    return row;
}

} // namespace

EvalReport evaluate_run(const fs::path& run_dir, const EvalOptions& o, Observer& obs, std::stop_token stop) {
    const RunPaths paths{run_dir};
    if (!is_run_dir(run_dir)) throw InputError(run_dir.string() + ": not a run directory (no config.json)");
    ResolvedConfig c = read_run_config(paths);
    if (!o.image_resize.empty()) c.eval.image_resize = o.image_resize; // an evaluation setting: no auto depends on it
    if (o.checkpoint.empty() && !latest_checkpoint(paths))
        throw InputError(run_dir.string() + ": the run has no complete checkpoint to evaluate; train it first");
    if (!o.checkpoint.empty()) require_usable_checkpoint(o.checkpoint);
    if (o.dataset_dir.empty() && task_needs_dataset(c)) throw InputError("no dataset given for the evaluation");
    at::set_num_threads(static_cast<int>(c.runtime.threads > 0 ? c.runtime.threads
                                                               : std::max(1u, std::thread::hardware_concurrency())));
    torch::NoGradGuard ng;
    // The run's device; a run trained on a GPU is evaluated on the CPU where there is none.
    torch::Device dev = torch::kCPU;
    try {
        dev = select_device(c.runtime.device);
    } catch (const InputError& e) {
        obs.on_log(LogLevel::Info, std::string("evaluating on the CPU: ") + e.what());
    }
    // The run's precision (or the caller's); an fp16 CUDA run evaluated on the CPU takes auto.
    std::string precision = o.precision.empty() ? c.runtime.precision : o.precision;
    if (precision == "fp16" && !dev.is_cuda()) precision = "auto";
    precision = effective_precision(dev, precision);
    AutocastScope autocast(dev, precision); // per-position NLLs are summed in fp32/fp64 (evaluate_lm)
    std::unique_ptr<Task> task = make_task(c, o.dataset_dir, dev);
    TrainerState st;
    if (o.checkpoint.empty()) {
        // The newest that loads; damaged ones are named, the run directory is left as it is.
        const LoadedCheckpoint ck = load_newest_checkpoint(paths, task->module(), nullptr, /*set_aside=*/false);
        if (!ck.note.empty() && ck.dir)
            obs.on_log(LogLevel::Warning, ck.note + "; evaluating " + ck.dir->filename().string());
        if (!ck.dir) throw InputError(run_dir.string() + ": no checkpoint of the run loads (" + ck.note + ")");
        st = ck.state;
    } else {
        st = load_checkpoint(o.checkpoint, task->module(), nullptr);
    }
    task->module().eval();

    EvalReport rep;
    rep.run = run_dir.filename().string();
    rep.task = c.task;
    rep.encoding = c.position_encoding.type;
    rep.split = o.split.empty() ? c.eval.split : o.split;
    if (c.task == "image") rep.image_resize = c.eval.image_resize;
    rep.step = st.step;
    rep.precision = precision;
    const std::string mode = o.mode.empty() ? c.eval.mode : o.mode;
    if (const OptionInfo* opt = find_option("eval.mode");
        opt && std::find(opt->choices.begin(), opt->choices.end(), mode) == opt->choices.end()) {
        std::string list;
        for (const auto& ch : opt->choices) list += (list.empty() ? "" : ", ") + ch;
        throw InputError("eval mode '" + quote_for_message(mode) + "' is not one of " + list);
    }
    {
        RunConfig probe = c;
        probe.eval.mode = mode;
        for (const Diagnostic& d : validate(probe)) // the encoding must have the mode (RoPE extensions)
            if (d.path == "eval.mode") throw InputError("eval mode: " + d.message);
    }
    const std::vector<std::string> modes = evaluation_modes(c, mode);
    const EncodingInfo* encoding = find_encoding(c.position_encoding.type);
    const auto note = fill_note;

    if (c.task == "algorithmic") {
        evaluate_algorithmic(dynamic_cast<AlgoTask&>(*task), c, modes, o, rep, obs, stop);
    } else if (c.task == "qa") {
        auto* qa = dynamic_cast<QaTask*>(task.get());
        const DatasetManifest m = read_manifest(o.dataset_dir);
        rep.metric = "em";
        rep.split = "test";
        rep.train_length = c.train.seq_len;
        rep.length_unit = "tokens";
        const int64_t budget = c.qa.max_new_tokens;
        for (const auto& md : modes) {
            for (const auto& [name, prompt_len] : qa_test_splits(m)) {
                const int64_t context = prompt_len + budget; // the length of the whole sequence
                if (!o.lengths.empty() && std::find(o.lengths.begin(), o.lengths.end(), context) == o.lengths.end())
                    continue;
                const auto t0 = std::chrono::steady_clock::now();
                const QaSplit split(o.dataset_dir, m, name);
                const auto s = qa->score(split, o.max_tokens > 0 ? o.max_tokens : 0, md, stop);
                if (stop.stop_requested()) throw Cancelled();
                EvalRow all;
                all.mode = md;
                all.length = context;
                all.loss = s.loss;
                all.accuracy = s.count ? static_cast<double>(s.correct) / static_cast<double>(s.count) : 0.0;
                all.count = s.count;
                all.seconds = seconds_since(t0);
                // Exact match per example, all depths and each depth: the items of the intervals.
                std::map<int64_t, std::vector<double>> hits; // depth -> 1/0 per example; -1: all
                for (const auto& [d, ok] : s.by_depth) {
                    hits[d].push_back(ok ? 1.0 : 0.0);
                    hits[-1].push_back(ok ? 1.0 : 0.0);
                }
                const auto interval = [&](EvalRow& row, const std::vector<double>& h) {
                    const Interval ci = bootstrap_ratio(h, std::vector<double>(h.size(), 1.0), kBootstrapResamples,
                                                        bootstrap_seed(context * 1000 + row.depth + 1, md));
                    row.lo = ci.lo;
                    row.hi = ci.hi;
                    row.items = static_cast<int64_t>(h.size());
                };
                interval(all, hits[-1]);
                rep.rows.push_back(all);
                for (const auto& [d, h] : hits) {
                    if (d < 0) continue;
                    EvalRow row = all;
                    row.depth = d;
                    row.accuracy = std::accumulate(h.begin(), h.end(), 0.0) / static_cast<double>(h.size());
                    row.count = static_cast<int64_t>(h.size());
                    row.loss = 0;
                    interval(row, h);
                    rep.rows.push_back(row);
                }
                obs.on_log(LogLevel::Info, "eval " + md + " " + name + " (context " + std::to_string(context) +
                                               "): exact match " + std::to_string(100 * all.accuracy) + "% of " +
                                               std::to_string(s.count) + ", answer loss " + std::to_string(s.loss));
            }
        }
    } else if (c.task != "image") {
        auto* lm = dynamic_cast<LmTask*>(task.get());
        const DatasetManifest m = read_manifest(o.dataset_dir);
        const TokenSplit split(o.dataset_dir, m, rep.split);
        rep.metric = "ppl";
        rep.train_length = c.train.seq_len;
        rep.length_unit = "tokens";
        const torch::Tensor units = token_units(o.dataset_dir, m); // bytes, characters, words per token id
        std::vector<int64_t> lengths = o.lengths;
        if (lengths.empty()) lengths = text_eval_lengths(c);
        const int64_t max_tokens = o.max_tokens >= 0 ? o.max_tokens : c.eval.max_tokens;
        auto& model = *lm->model();
        model.query_chunk = 512; // bound attention memory at long lengths
        int64_t longest = 0;
        for (auto L : lengths) longest = std::max(longest, L);
        for (const auto& md : modes) {
            for (const int64_t L : lengths) {
                if (L < 2) throw InputError("evaluation length " + std::to_string(L) + " is too short");
                std::vector<double>* by_pos = (md == modes.front() && L == longest) ? &rep.loss_by_position : nullptr;
                EvalRow row = eval_lm_length(model, split, c, L, md, max_tokens, by_pos, obs, stop, units);
                row.note = extrapolation_note(encoding, c, md, L);
                rep.rows.push_back(row);
                if (by_pos) rep.loss_by_position_length = L;
            }
        }
    } else {
        auto* img = dynamic_cast<ImageTask*>(task.get());
        const DatasetManifest m = read_manifest(o.dataset_dir);
        const ImageSplit split(o.dataset_dir, m, rep.split);
        rep.metric = "accuracy";
        rep.train_length = c.data.image_size;
        rep.length_unit = "px";
        std::vector<int64_t> sizes = o.lengths.empty() ? c.eval.image_sizes : o.lengths;
        const int64_t max_images = o.max_tokens >= 0 ? o.max_tokens : c.eval.max_tokens;
        for (const auto& md : modes) {
            for (const int64_t size : sizes) {
                if (size % c.model.patch_size != 0)
                    throw InputError("evaluation size " + std::to_string(size) +
                                     " is not a multiple of model.patch_size " + std::to_string(c.model.patch_size));
                const auto t0 = std::chrono::steady_clock::now();
                const ValidationResult v = img->evaluate(split, static_cast<int>(size), md, max_images, stop);
                if (stop.stop_requested()) throw Cancelled();
                EvalRow row;
                row.mode = md;
                row.length = size;
                row.loss = v.loss;
                row.accuracy = v.metric;
                row.count = v.count;
                const std::vector<double> ones(v.hits.size(), 1.0);
                const Interval ci = bootstrap_ratio(v.hits, ones, kBootstrapResamples, bootstrap_seed(size, md));
                row.lo = ci.lo;
                row.hi = ci.hi;
                row.items = static_cast<int64_t>(v.hits.size());
                row.seconds = seconds_since(t0);
                const int64_t g = size / c.model.patch_size;
                row.tokens_per_s = static_cast<double>(v.count * g * g) / std::max(row.seconds, 1e-9);
                if (encoding && size != c.data.image_size) row.note = note(encoding->resized_note, c.data.image_size);
                if (encoding && md == "interpolate" && *encoding->interpolate_note)
                    row.note = note(encoding->interpolate_note, c.data.image_size);
                obs.on_log(LogLevel::Info, "eval " + md + " " + std::to_string(size) + "px: accuracy " +
                                               std::to_string(100 * v.metric) + "% over " + std::to_string(v.count) +
                                               " images");
                rep.rows.push_back(row);
            }
        }
    }
    if (o.write_files) {
        if (c.task == "image") keep_older_protocol_report(paths, rep.image_resize);
        write_file_atomic(paths.eval_report(), eval_report_json(rep));
        if (c.task == "image") write_file_atomic(paths.eval_report(rep.image_resize), eval_report_json(rep));
        write_file_atomic(paths.eval() / "extrapolation.csv", eval_report_csv(rep));
        if (c.task == "algorithmic")
            write_file_atomic(paths.eval() / "accuracy_by_position.csv", eval_by_position_csv(rep));
        if (!rep.loss_by_position.empty()) {
            std::string csv = "position,loss\n";
            for (size_t i = 0; i < rep.loss_by_position.size(); ++i)
                csv += std::to_string(i) + "," + std::to_string(rep.loss_by_position[i]) + "\n";
            write_file_atomic(paths.eval() / "loss_by_position.csv", csv);
        }
    }
    return rep;
}

} // namespace seqpe
