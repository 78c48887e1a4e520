// The image task: ViT classification with cross-entropy; validation by top-1 accuracy.
#include "train/image_task.h"
#include "data/image_mix.h"
#include "util/precision.h"
#include "util/rng.h"

#include "seqpe/common/error.h"

#include <torch/nn/functional/loss.h>

namespace seqpe {

ImageTask::ImageTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
                     const torch::Device& dev)
    : cfg_(c), device_(dev), train_(dir, m, "train"), valid_(dir, m, "valid"),
      batcher_(train_.size(), c.train.batch_size, static_cast<uint64_t>(c.train.seed)), sizes_(image_train_sizes(c)) {
    model_ = VisionTransformer(c, m.image.channels, static_cast<int64_t>(m.image.classes.size()));
    model_->to(dev);
}

Layout ImageTask::default_layout() const {
    Layout l = model_->layout_for(cfg_.data.image_size, cfg_.data.image_size);
    l.device = device_;
    return l;
}

int ImageTask::step_size(int64_t step) const {
    if (sizes_.size() == 1) return static_cast<int>(sizes_[0]);
    Rng rng(derive_seed(static_cast<uint64_t>(cfg_.train.seed), kStreamResolution, static_cast<uint64_t>(step)));
    return static_cast<int>(sizes_[rng.below(sizes_.size())]);
}

Layout ImageTask::train_layout(const TrainBatch& b) const {
    Layout l = model_->layout_for(b.x.size(2), b.x.size(3));
    l.device = device_;
    if (cfg_.data.mixed_positions == "interpolate") { // scale 1 on the reference grid itself
        const int64_t p = cfg_.model.patch_size;
        apply_eval_mode(l, "interpolate", cfg_.data.image_size / p, b.x.size(2) / p, b.x.size(3) / p);
    }
    return l;
}

TrainBatch ImageTask::batch(int64_t step, int64_t micro, int64_t micros) {
    if (cached_step_ != step) {
        const auto idx = batcher_.indices(step);
        const auto& d = cfg_.data;
        const int size = step_size(step);
        const auto seed = static_cast<uint64_t>(cfg_.train.seed);
        cached_x_ = d.scale_augment ? train_.batch_random_resized(idx, size, d.scale_min, d.scale_max, d.ratio_min,
                                                                  d.ratio_max, seed, step)
                                    : train_.batch(idx, size);
        if (d.augment) cached_x_ = augment_images(cached_x_, seed, step);
        cached_y_ = train_.labels(idx);
        // Mixup / cutmix over the whole step's batch (micro-batches then share one draw and pairs).
        Rng rng(derive_seed(seed, kStreamMix, static_cast<uint64_t>(step)));
        const MixDraw mix = draw_mix(size, size, d.mixup_alpha, d.cutmix_alpha, rng);
        cached_x_ = apply_mix(cached_x_, mix);
        cached_y_mix_ = mix.active ? cached_y_.flip({0}).contiguous() : torch::Tensor();
        cached_lambda_ = mix.lambda;
        cached_step_ = step;
    }
    const int64_t mb = cfg_.train.batch_size / micros;
    TrainBatch b;
    b.x = cached_x_.narrow(0, micro * mb, mb).to(device_);
    b.y = cached_y_.narrow(0, micro * mb, mb).to(device_);
    if (cached_y_mix_.defined()) b.y_mix = cached_y_mix_.narrow(0, micro * mb, mb).to(device_);
    b.mix_lambda = cached_lambda_;
    b.examples = mb;
    const int64_t g = cached_x_.size(2) / cfg_.model.patch_size;
    b.tokens = mb * g * g;
    return b;
}

torch::Tensor ImageTask::loss(const TrainBatch& b, const Layout& layout) {
    namespace F = torch::nn::functional;
    const torch::Tensor logits = at_least_fp32(model_->forward(b.x, layout)); // (B, classes)
    if (!b.y_mix.defined()) return F::cross_entropy(logits, b.y);
    // mixed: the cross-entropy against the soft target lambda * onehot(y) + (1 - lambda) * onehot(y_mix)
    return F::cross_entropy(logits, b.y) * b.mix_lambda + F::cross_entropy(logits, b.y_mix) * (1.0 - b.mix_lambda);
}

ValidationResult ImageTask::evaluate(const ImageSplit& split, int size, const std::string& mode, int64_t max_images,
                                     std::stop_token stop) {
    Layout layout = model_->layout_for(size, size);
    layout.device = device_;
    const int64_t g_train = cfg_.data.image_size / cfg_.model.patch_size, g = size / cfg_.model.patch_size;
    apply_eval_mode(layout, mode, g_train, g, g);
    const int64_t n = max_images > 0 ? std::min(max_images, split.size()) : split.size();
    // Fewer images per batch at higher resolutions: the tokens per batch stay near training's.
    const int64_t per =
        std::max<int64_t>(1, cfg_.train.batch_size * g_train * g_train / std::max<int64_t>(1, g * g) * 4);
    double loss = 0;
    int64_t correct = 0, seen = 0;
    std::vector<double> hits;
    for (int64_t s = 0; s < n; s += per) {
        if (stop.stop_requested()) break;
        std::vector<int64_t> idx;
        for (int64_t i = s; i < std::min(n, s + per); ++i) idx.push_back(i);
        // eval.image_resize: the whole image resized, or resized larger and centre-cropped
        const double crop = cfg_.eval.image_resize == "center_crop" ? cfg_.eval.crop_fraction : 1.0;
        const torch::Tensor x = split.batch(idx, size, crop).to(device_);
        const torch::Tensor y = split.labels(idx).to(device_);
        Layout batch_layout = layout; // randomized runs: this batch's sampled positions
        sample_eval_positions(batch_layout, cfg_, mode, g, s / per);
        const torch::Tensor logits = at_least_fp32(model_->forward(x, batch_layout));
        loss += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
        const torch::Tensor ok = logits.argmax(1).eq(y).to(torch::kDouble).cpu();
        correct += static_cast<int64_t>(ok.sum().item<double>());
        seen += static_cast<int64_t>(idx.size());
        hits.insert(hits.end(), ok.data_ptr<double>(), ok.data_ptr<double>() + ok.numel());
    }
    ValidationResult r;
    r.hits = std::move(hits);
    r.count = seen;
    r.loss = seen ? loss / static_cast<double>(seen) : 0.0;
    r.metric = seen ? static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
    r.metric_name = "accuracy";
    return r;
}

ValidationResult ImageTask::validate(int64_t max_batches, std::stop_token stop) {
    return evaluate(valid_, static_cast<int>(cfg_.data.image_size), "extend",
                    max_batches > 0 ? max_batches * cfg_.train.batch_size : 0, stop);
}

std::string ImageTask::describe() const {
    const int64_t g = cfg_.data.image_size / cfg_.model.patch_size, p = cfg_.model.patch_size;
    const std::string mixed =
        sizes_.size() > 1
            ? " (mixed resolution: " + std::to_string(sizes_.front() / p) + "x" + std::to_string(sizes_.front() / p) +
                  " to " + std::to_string(sizes_.back() / p) + "x" + std::to_string(sizes_.back() / p) + ")"
            : std::string();
    return "vision transformer: " + std::to_string(count_parameters(*model_)) + " parameters (" +
           std::to_string(count_parameters(*model_, "pe.")) + " in the position encoding), " + std::to_string(g) + "x" +
           std::to_string(g) + " patches" + mixed + ", train " + std::to_string(train_.size()) + " images, valid " +
           std::to_string(valid_.size());
}

} // namespace seqpe
