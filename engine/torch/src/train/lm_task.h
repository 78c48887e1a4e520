#pragma once
// The language-model task: next-token cross-entropy on a tokenised text dataset (LanguageModelTask
// holds the model and its layout).
#include "data/lm_data.h"
#include "train/language_model_task.h"

namespace seqpe {

class LmTask : public LanguageModelTask {
public:
    LmTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
           const torch::Device& dev);
    TrainBatch batch(int64_t step, int64_t micro, int64_t micros) override;
    torch::Tensor loss(const TrainBatch& b, const Layout& layout) override;
    ValidationResult validate(int64_t max_batches, std::stop_token stop) override;
    std::string describe() const override;

private:
    TokenSplit train_, valid_;
    LmBatcher batcher_;
    std::pair<torch::Tensor, torch::Tensor> cached_; // the step's full batch, split into micro-batches
    int64_t cached_step_ = -1;
};

} // namespace seqpe
