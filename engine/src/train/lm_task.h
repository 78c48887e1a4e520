#pragma once
#include "data/lm_data.h"
#include "model/lm.h"
#include "train/task.h"

namespace seqpe {

class LmTask : public Task {
public:
    LmTask(const RunConfig& c, const std::filesystem::path& dir, const DatasetManifest& m, const torch::Device& dev);
    torch::nn::Module& module() override { return *model_; }
    PositionEncodingImpl& pe() override { return *model_->pe; }
    Layout default_layout() const override;
    TrainBatch batch(int64_t step, int64_t micro, int64_t micros) override;
    torch::Tensor loss(const TrainBatch& b, const Layout& layout) override;
    ValidationResult validate(int64_t max_batches, std::stop_token stop) override;
    torch::Device device() const override { return device_; }
    std::string describe() const override;

    LanguageModel& model() { return model_; }

private:
    RunConfig cfg_;
    torch::Device device_;
    TokenSplit train_, valid_;
    LmBatcher batcher_;
    LanguageModel model_{nullptr};
    std::pair<torch::Tensor, torch::Tensor> cached_; // the step's full batch, split into micro-batches
    int64_t cached_step_ = -1;
};

} // namespace seqpe
