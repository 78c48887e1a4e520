#pragma once
// What differs between the tasks (lm: the language model, LmTask; image: the ViT classifier,
// ImageTask; qa: long-context QA fine-tuning of the language model, QaTask; algorithmic: generated
// copy/reverse/addition/sort/parity instances, AlgoTask), behind one
// interface the trainer drives: batches, the loss of a batch under a layout, validation, the
// default layout.
#include "pe/encoding.h"
#include "seqpe/common/manifest.h"
#include "seqpe/config.h"
#include "seqpe/records.h"

#include <filesystem>
#include <memory>
#include <stop_token>
#include <torch/nn/module.h>

namespace seqpe {

struct TrainBatch {
    // LM and QA: tokens (B, T) and targets (B, T) (QA: -100 outside the answer); image: pixels
    // (B, C, H, W) and labels (B)
    torch::Tensor x, y;
    // image with mixup/cutmix: each example's partner label; the loss weighs y by mix_lambda and
    // y_mix by 1 - mix_lambda (undefined when the step is not mixed)
    torch::Tensor y_mix;
    double mix_lambda = 1.0;
    int64_t tokens = 0; // positions processed (throughput)
    int64_t examples = 0;
};

struct ValidationResult {
    double loss = 0;
    double metric = 0; // LM: perplexity; image: top-1 accuracy; QA: exact match
    const char* metric_name = "ppl";
    int64_t count = 0;        // tokens, images or QA examples evaluated
    std::vector<double> hits; // image: 1 or 0 per image (the items an interval resamples)
};

class Task {
public:
    virtual ~Task() = default;
    virtual torch::nn::Module& module() = 0;
    virtual PositionEncodingImpl& pe() = 0;
    virtual Layout default_layout() const = 0;
    // The layout a training batch is read with: the default one, except where the batch's own
    // shape sets it (an image step of mixed-resolution training: that step's grid).
    virtual Layout train_layout(const TrainBatch&) const { return default_layout(); }
    // Micro-batch `micro` of `micros` of step `step` (deterministic in (seed, step)).
    virtual TrainBatch batch(int64_t step, int64_t micro, int64_t micros) = 0;
    virtual torch::Tensor loss(const TrainBatch& b, const Layout& layout) = 0;
    // Validation on the valid split (max_batches 0 = all); eval mode and no grad are set by the caller.
    virtual ValidationResult validate(int64_t max_batches, std::stop_token stop) = 0;
    virtual torch::Device device() const = 0;
    virtual std::string describe() const = 0; // one line: model size, data
};

// Builds the task of `config` on the prepared dataset in `dataset_dir` (unused by a task that
// generates its data). Throws InputError when the dataset does not suit the task (kind,
// vocabulary, image size).
std::unique_ptr<Task> make_task(const ResolvedConfig& config, const std::filesystem::path& dataset_dir,
                                const torch::Device& device);

int64_t count_parameters(const torch::nn::Module& m, const std::string& prefix = "");

} // namespace seqpe
