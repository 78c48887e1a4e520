// The language-model task: next-token cross-entropy on the text dataset.
#include "train/lm_task.h"

#include "kernels/cross_entropy.h"

#include "seqpe/common/error.h"
#include "train/algo_task.h"
#include "train/image_task.h"
#include "train/qa_task.h"

#include <cmath>
#include <torch/nn/functional/loss.h>

namespace seqpe {

LmTask::LmTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
               const torch::Device& dev)
    : LanguageModelTask(c, dev), train_(dir, m, "train"), valid_(dir, m, "valid"),
      batcher_(train_, c.train.seq_len, c.train.batch_size, static_cast<uint64_t>(c.train.seed)) {
    build_model(m.tokenizer.vocab_size);
    if (valid_.size() < c.train.seq_len + 1)
        throw InputError("the valid split has " + std::to_string(valid_.size()) +
                         " tokens, fewer than one window of train.seq_len + 1; lower train.seq_len");
}

TrainBatch LmTask::batch(int64_t step, int64_t micro, int64_t micros) {
    if (cached_step_ != step) {
        cached_ = batcher_.batch(step);
        cached_step_ = step;
    }
    const int64_t mb = cfg_.train.batch_size / micros;
    TrainBatch b;
    // x, y: (mb, T), this micro-batch's rows of the step's (B, T) inputs and next-token targets
    b.x = cached_.first.narrow(0, micro * mb, mb).to(device_);
    b.y = cached_.second.narrow(0, micro * mb, mb).to(device_);
    b.examples = mb;
    b.tokens = mb * cfg_.train.seq_len;
    return b;
}

torch::Tensor LmTask::loss(const TrainBatch& b, const Layout& layout) {
    const torch::Tensor logits = model_->forward(b.x, layout); // (B, T, V)
    return seqpe::cross_entropy(logits.view({-1, logits.size(-1)}), b.y.view({-1}));
}

ValidationResult LmTask::validate(int64_t max_batches, std::stop_token stop) {
    const int64_t T = cfg_.train.seq_len, B = cfg_.train.batch_size;
    const auto starts = spread_windows(valid_.size(), T, max_batches > 0 ? max_batches * B : 0);
    const Layout layout = default_layout();
    double nll = 0;
    int64_t count = 0;
    for (size_t i = 0; i < starts.size(); i += static_cast<size_t>(B)) {
        if (stop.stop_requested()) break;
        const int64_t n = std::min<int64_t>(B, static_cast<int64_t>(starts.size() - i));
        torch::Tensor buf = torch::empty({n, T + 1}, torch::kLong); // windows of T + 1 tokens; x, y: (n, T)
        for (int64_t j = 0; j < n; ++j) valid_.copy_to(starts[i + j], T + 1, buf[j].data_ptr<int64_t>());
        using torch::indexing::Slice;
        const torch::Tensor x = buf.index({Slice(), Slice(0, T)}).to(device_);
        const torch::Tensor y = buf.index({Slice(), Slice(1, torch::indexing::None)}).to(device_);
        const torch::Tensor logits = model_->forward(x, layout); // (n, T, V)
        nll += torch::nn::functional::cross_entropy(
                   logits.view({-1, logits.size(-1)}).to(torch::kFloat), y.reshape({-1}),
                   torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
        count += n * T;
    }
    ValidationResult r;
    r.count = count;
    r.loss = count ? nll / static_cast<double>(count) : 0.0;
    r.metric = std::exp(r.loss);
    r.metric_name = "ppl";
    return r;
}

std::string LmTask::describe() const {
    const int64_t all = count_parameters(*model_), pe_params = count_parameters(*model_, "pe.");
    return "language model: " + std::to_string(all) + " parameters (" + std::to_string(pe_params) +
           " in the position encoding), train " + std::to_string(train_.size()) + " tokens, valid " +
           std::to_string(valid_.size()) + " tokens, " + std::to_string(batcher_.windows_per_epoch()) +
           " windows per epoch";
}

int64_t count_parameters(const torch::nn::Module& m, const std::string& prefix) {
    int64_t n = 0;
    for (const auto& p : m.named_parameters())
        if (prefix.empty() || p.key().rfind(prefix, 0) == 0) n += p.value().numel();
    return n;
}

std::unique_ptr<Task> make_task(const ResolvedConfig& c, const std::filesystem::path& dir, const torch::Device& dev) {
    if (!task_needs_dataset(c)) return std::make_unique<AlgoTask>(c, dev); // generated instances
    const DatasetManifest m = read_manifest(dir);
    if (c.task == "image") {
        if (m.kind != "image")
            throw InputError(dir.string() + ": a " + m.kind + " dataset; the image task needs an image dataset");
        return std::make_unique<ImageTask>(c, dir, m, dev);
    }
    if (c.task == "qa") {
        if (m.kind != "qa")
            throw InputError(dir.string() + ": a " + m.kind +
                             " dataset; the qa task needs a QA dataset (seqpe-data qa)");
        return std::make_unique<QaTask>(c, dir, m, dev);
    }
    if (m.kind != "text")
        throw InputError(dir.string() + ": a " + m.kind + " dataset; the " + c.task + " task needs a text dataset");
    return std::make_unique<LmTask>(c, dir, m, dev);
}

} // namespace seqpe
