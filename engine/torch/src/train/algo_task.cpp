// The algorithmic task: generated batches, answer-only loss, teacher-forced exact match.
#include "train/algo_task.h"

#include "kernels/cross_entropy.h"

#include "seqpe/common/error.h"

#include <map>
#include <torch/nn/functional/loss.h>

namespace seqpe {

namespace F = torch::nn::functional;

AlgoTask::AlgoTask(const ResolvedConfig& c, const torch::Device& dev) : LanguageModelTask(c, dev) {
    if (c.train.seq_len < algo_positions(c.algo, c.algo.train_max_len))
        throw InputError("algo.train_max_len: instances of length " + std::to_string(c.algo.train_max_len) + " take " +
                         std::to_string(algo_positions(c.algo, c.algo.train_max_len)) +
                         " positions, more than train.seq_len " + std::to_string(c.train.seq_len));
    build_model(algo::kVocab);
}

TrainBatch AlgoTask::batch(int64_t step, int64_t micro, int64_t micros) {
    // Every instance starts at position 0 and is padded on the right to train.seq_len (the longest
    // training instance): causal attention keeps the padding out of the real tokens, and targets
    // are the answer and </s> only (-100 elsewhere). Instance i of the step is the same whatever
    // the micro-batching.
    const int64_t mb = cfg_.train.batch_size / micros, T = cfg_.train.seq_len;
    torch::Tensor x = torch::full({mb, T}, algo::kPad, torch::kLong);
    torch::Tensor y = torch::full({mb, T}, -100, torch::kLong);
    auto xa = x.accessor<int64_t, 2>();
    auto ya = y.accessor<int64_t, 2>();
    int64_t real = 0;
    for (int64_t b = 0; b < mb; ++b) {
        const AlgoInstance in =
            algo_train_instance(cfg_.algo, static_cast<uint64_t>(cfg_.train.seed), step, micro * mb + b);
        const int64_t n = static_cast<int64_t>(in.tokens.size()) - 1; // inputs tokens[0 .. n-1]
        for (int64_t t = 0; t < n; ++t) xa[b][t] = in.tokens[static_cast<size_t>(t)];
        for (int64_t t = in.prompt - 1; t < n; ++t) ya[b][t] = in.tokens[static_cast<size_t>(t + 1)];
        real += n;
    }
    TrainBatch tb;
    tb.x = x.to(device_);
    tb.y = y.to(device_);
    tb.examples = mb;
    tb.tokens = real; // throughput counts the instances' tokens, not the padding
    return tb;
}

torch::Tensor AlgoTask::loss(const TrainBatch& b, const Layout& layout) {
    const torch::Tensor logits = model_->forward(b.x, layout); // (B, T, V)
    return seqpe::cross_entropy(logits.view({-1, logits.size(-1)}), b.y.view({-1}), /*mean=*/true, /*ignore=*/-100);
}

void AlgoTask::score(const std::vector<AlgoInstance>& instances, const std::string& mode, int64_t per_batch,
                     Scored& into, std::stop_token stop) {
    if (instances.empty()) return;
    const int64_t P = static_cast<int64_t>(instances.front().tokens.size()) - 1; // positions read
    const int64_t prompt = instances.front().prompt, A = instances.front().answer();
    Layout layout = layout_1d(P);
    layout.trained_length = cfg_.train.seq_len;
    layout.device = device_;
    apply_eval_mode(layout, mode, cfg_.train.seq_len, P, P);
    if (into.by_answer.size() < static_cast<size_t>(A)) into.by_answer.resize(static_cast<size_t>(A), 0.0);
    using torch::indexing::Slice;
    for (size_t i = 0; i < instances.size(); i += static_cast<size_t>(per_batch)) {
        if (stop.stop_requested()) throw Cancelled();
        const int64_t n = std::min<int64_t>(per_batch, static_cast<int64_t>(instances.size() - i));
        torch::Tensor buf = torch::empty({n, P + 1}, torch::kLong);
        auto a = buf.accessor<int64_t, 2>();
        for (int64_t j = 0; j < n; ++j) {
            const AlgoInstance& in = instances[i + static_cast<size_t>(j)];
            if (static_cast<int64_t>(in.tokens.size()) != P + 1 || in.prompt != prompt)
                throw RunError("algorithmic scoring: instances of one batch differ in length");
            for (int64_t t = 0; t <= P; ++t) a[j][t] = in.tokens[static_cast<size_t>(t)];
        }
        const torch::Tensor x = buf.index({Slice(), Slice(0, P)}).to(device_);
        // The predictions of the answer and </s>: positions prompt - 1 .. P - 1.
        Layout batch_layout = layout; // randomized runs: this batch's sampled positions
        sample_eval_positions(batch_layout, cfg_, mode, P, static_cast<int64_t>(i) / per_batch);
        const torch::Tensor logits =
            model_->forward(x, batch_layout).index({Slice(), Slice(prompt - 1, P)});         // (n, A+1, V)
        const torch::Tensor target = buf.index({Slice(), Slice(prompt, P + 1)}).to(device_); // (n, A+1)
        into.nll += F::cross_entropy(logits.reshape({-1, logits.size(-1)}).to(torch::kFloat), target.reshape({-1}),
                                     F::CrossEntropyFuncOptions().reduction(torch::kSum))
                        .item<double>();
        into.targets += n * (A + 1);
        const torch::Tensor right = (logits.argmax(-1) == target).cpu(); // (n, A+1) bool
        const torch::Tensor all = right.all(1);
        const torch::Tensor per_pos = right.index({Slice(), Slice(0, A)}).sum(0).to(torch::kDouble);
        for (int64_t j = 0; j < n; ++j) into.hits.push_back(all[j].item<bool>() ? 1.0 : 0.0);
        for (int64_t k = 0; k < A; ++k) into.by_answer[static_cast<size_t>(k)] += per_pos[k].item<double>();
        into.count += n;
    }
}

ValidationResult AlgoTask::validate(int64_t max_batches, std::stop_token stop) {
    int64_t count = cfg_.algo.valid_examples;
    if (max_batches > 0) count = std::min(count, max_batches * cfg_.train.batch_size);
    std::map<int64_t, std::vector<AlgoInstance>> by_length; // one batch shape per length
    for (int64_t i = 0; i < count; ++i) {
        AlgoInstance in = algo_valid_instance(cfg_.algo, i);
        by_length[static_cast<int64_t>(in.tokens.size())].push_back(std::move(in));
    }
    Scored s;
    try {
        for (const auto& [len, instances] : by_length) score(instances, "extend", cfg_.train.batch_size, s, stop);
    } catch (const Cancelled&) {
    }
    ValidationResult r;
    r.loss = s.targets ? s.nll / static_cast<double>(s.targets) : 0.0;
    double right = 0;
    for (const double h : s.hits) right += h;
    r.metric = s.count ? right / static_cast<double>(s.count) : 0.0;
    r.metric_name = "em";
    r.count = s.count;
    r.hits = std::move(s.hits);
    return r;
}

std::string AlgoTask::describe() const {
    const auto& a = cfg_.algo;
    return "algorithmic " + a.task + ": " + std::to_string(count_parameters(*model_)) + " parameters (" +
           std::to_string(count_parameters(*model_, "pe.")) + " in the position encoding), training lengths " +
           std::to_string(a.train_min_len) + "-" + std::to_string(a.train_max_len) + " " + algo_length_unit(a) +
           " (up to " + std::to_string(cfg_.train.seq_len) + " positions), instances generated on the fly";
}

} // namespace seqpe
