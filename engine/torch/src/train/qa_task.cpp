// The QA task: right-padded needle prompts with answer-only loss, greedy generation through the KV
// cache, and exact match with the answer loss per split.
#include "train/qa_task.h"

#include "kernels/cross_entropy.h"

#include "seqpe/common/error.h"

#include <cmath>
#include <torch/nn/functional/loss.h>

namespace seqpe {

namespace F = torch::nn::functional;

QaTask::QaTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
               const torch::Device& dev)
    : LanguageModelTask(c, dev), train_(dir, m, "train"), valid_(dir, m, "valid"),
      vocab_(Vocabulary::load(dir / m.tokenizer.pieces_file)), eos_(m.tokenizer.eos_id),
      sampler_(train_.size(), c.train.batch_size, static_cast<uint64_t>(c.train.seed)) {
    build_model(m.tokenizer.vocab_size);
    if (train_.max_prompt() + train_.max_answer() > c.train.seq_len + 1)
        throw InputError("QA training examples need " + std::to_string(train_.max_prompt() + train_.max_answer() - 1) +
                         " positions, more than train.seq_len " + std::to_string(c.train.seq_len) +
                         "; raise train.seq_len or qa.max_new_tokens");
}

TrainBatch QaTask::batch(int64_t step, int64_t micro, int64_t micros) {
    // Every sequence starts at position 0 (no left padding, docs/METHOD.md §12.10) and is padded
    // on the right to train.seq_len: causal attention keeps the padding out of the real tokens.
    // Targets are the answer tokens (and eos) only; everything else is ignored (-100).
    const auto all = sampler_.indices(step);
    const int64_t mb = cfg_.train.batch_size / micros, T = cfg_.train.seq_len;
    // x: (mb, T) inputs padded with eos; y: (mb, T) targets, -100 outside the answers
    torch::Tensor x = torch::full({mb, T}, eos_ >= 0 ? eos_ : 0, torch::kLong);
    torch::Tensor y = torch::full({mb, T}, -100, torch::kLong);
    for (int64_t b = 0; b < mb; ++b) {
        const int64_t i = all[static_cast<size_t>(micro * mb + b)];
        const QaExample& e = train_.example(i);
        const torch::Tensor seq = train_.tokens(i);
        const int64_t n = std::min<int64_t>(seq.size(0) - 1, T); // inputs seq[0 .. n-1], targets seq[1 .. n]
        using torch::indexing::Slice;
        x[b].index_put_({Slice(0, n)}, seq.index({Slice(0, n)}));
        y[b].index_put_({Slice(e.prompt - 1, n)}, seq.index({Slice(e.prompt, n + 1)}));
    }
    TrainBatch tb;
    tb.x = x.to(device_);
    tb.y = y.to(device_);
    tb.examples = mb;
    tb.tokens = mb * T;
    return tb;
}

torch::Tensor QaTask::loss(const TrainBatch& b, const Layout& layout) {
    const torch::Tensor logits = model_->forward(b.x, layout); // (B, T, V)
    return seqpe::cross_entropy(logits.view({-1, logits.size(-1)}), b.y.view({-1}), /*mean=*/true, /*ignore=*/-100);
}

std::vector<int64_t> QaTask::generate(const torch::Tensor& prompt, double scale) {
    const int64_t n = prompt.size(0), budget = cfg_.qa.max_new_tokens;
    KvCache cache;
    cache.reset(static_cast<int64_t>(model_->blocks->size()));
    Layout l = layout_1d(n);
    l.trained_length = cfg_.train.seq_len;
    l.scale = scale;
    l.extent = n + budget; // a learned table is resampled once for the whole sequence
    l.device = device_;
    // prompt: (n) tokens; logits: (1, n, V), then (1, 1, V) per generated token
    torch::Tensor logits = model_->forward(prompt.view({1, n}).to(device_), l, &cache);
    std::vector<int64_t> out;
    for (int64_t k = 0; k < budget; ++k) {
        const int64_t next = logits.select(1, logits.size(1) - 1).argmax(-1).item<int64_t>();
        if (next == eos_) break;
        out.push_back(next);
        Layout step = layout_1d(1, n + k);
        step.trained_length = l.trained_length;
        step.scale = scale;
        step.extent = l.extent;
        step.device = device_;
        logits = model_->forward(torch::tensor({next}, torch::kLong).view({1, 1}).to(device_), step, &cache);
    }
    return out;
}

QaTask::Scored QaTask::score(const QaSplit& split, int64_t max_examples, const std::string& mode,
                             std::stop_token stop) {
    Scored s;
    const int64_t n = max_examples > 0 ? std::min(max_examples, split.size()) : split.size();
    double nll = 0;
    int64_t answer_tokens = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (stop.stop_requested()) break;
        const QaExample& e = split.example(i);
        const torch::Tensor seq = split.tokens(i);
        const int64_t len = seq.size(0) - 1;
        const double scale = mode == "interpolate" && len > cfg_.train.seq_len
                                 ? static_cast<double>(cfg_.train.seq_len) / static_cast<double>(len)
                                 : 1.0;
        // Teacher-forced answer loss.
        Layout l = layout_1d(len);
        l.trained_length = cfg_.train.seq_len;
        l.scale = scale;
        l.device = device_;
        using torch::indexing::Slice;
        // seq: (len + 1) prompt and answer tokens; logits: (1, len, V); tgt: the answer, (len + 1 - prompt)
        const torch::Tensor logits = model_->forward(seq.index({Slice(0, len)}).view({1, len}).to(device_), l);
        const torch::Tensor tgt = seq.index({Slice(e.prompt, len + 1)}).to(device_);
        nll += F::cross_entropy(logits[0].index({Slice(e.prompt - 1, len)}).to(torch::kFloat), tgt,
                                F::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
        answer_tokens += tgt.size(0);
        // Greedy generation through the KV cache.
        const auto gen = generate(seq.index({Slice(0, e.prompt)}), scale);
        const bool ok = qa_answer_matches(vocab_.decode(gen), e.answer_text);
        s.correct += ok;
        s.by_depth.emplace_back(e.depth, ok);
        ++s.count;
    }
    s.loss = answer_tokens ? nll / static_cast<double>(answer_tokens) : 0.0;
    return s;
}

ValidationResult QaTask::validate(int64_t max_batches, std::stop_token stop) {
    const Scored s = score(valid_, max_batches > 0 ? max_batches * cfg_.train.batch_size : 0, "extend", stop);
    ValidationResult r;
    r.loss = s.loss;
    r.metric = s.count ? static_cast<double>(s.correct) / static_cast<double>(s.count) : 0.0;
    r.metric_name = "em";
    r.count = s.count;
    return r;
}

std::string QaTask::describe() const {
    return "QA fine-tuning: " + std::to_string(count_parameters(*model_)) + " parameters, " +
           std::to_string(train_.size()) + " train / " + std::to_string(valid_.size()) +
           " valid examples, prompts up to " + std::to_string(train_.max_prompt()) + " tokens";
}

} // namespace seqpe
