#pragma once
// The image task: the ViT classifier trained with cross-entropy on an image dataset, validated and
// evaluated by top-1 accuracy at any resolution the patch size divides.
#include "data/image_data.h"
#include "model/vit.h"
#include "train/task.h"

namespace seqpe {

class ImageTask : public Task {
public:
    ImageTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
              const torch::Device& dev);
    torch::nn::Module& module() override { return *model_; }
    PositionEncodingImpl& pe() override { return *model_->pe; }
    Layout default_layout() const override;
    Layout train_layout(const TrainBatch& b) const override; // the grid of the batch's resolution
    TrainBatch batch(int64_t step, int64_t micro, int64_t micros) override;
    torch::Tensor loss(const TrainBatch& b, const Layout& layout) override;
    ValidationResult validate(int64_t max_batches, std::stop_token stop) override;
    torch::Device device() const override { return device_; }
    std::string describe() const override;

    VisionTransformer& model() { return model_; }
    // Top-1 accuracy and mean loss over a split at `size` pixels in an evaluation mode (extend,
    // interpolate, or a RoPE extension: apply_eval_mode).
    ValidationResult evaluate(const ImageSplit& split, int size, const std::string& mode, int64_t max_images,
                              std::stop_token stop);

private:
    ResolvedConfig cfg_;
    torch::Device device_;
    ImageSplit train_, valid_;
    EpochSampler batcher_;
    VisionTransformer model_{nullptr};
    // The image side of training step `step`: data.image_size, or with data.mixed_resolution one of
    // image_train_sizes drawn from (seed, step).
    int step_size(int64_t step) const;
    std::vector<int64_t> sizes_;
    torch::Tensor cached_x_, cached_y_, cached_y_mix_;
    double cached_lambda_ = 1.0;
    int64_t cached_step_ = -1;
};

} // namespace seqpe
