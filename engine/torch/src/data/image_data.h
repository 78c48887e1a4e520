#pragma once
// Image splits of a dataset (memory-mapped uint8 N x H x W x C plus labels) and the classifier's
// batches: resized with OpenCV when the run's resolution differs, normalised with the dataset's
// per-channel mean and std, shuffled per epoch from (seed, epoch).
#include "seqpe/common/manifest.h"
#include "seqpe/common/token_file.h"
#include "util/epoch_sampler.h"

#include <filesystem>
#include <torch/types.h>
#include <vector>

namespace seqpe {

// The crop RandomResizedCrop takes of an h x w image (torchvision's rule: ten draws of area share and
// log-uniform aspect ratio; where none fits, the whole image clamped to the ratio range, centred).
struct CropBox {
    int x = 0, y = 0, w = 0, h = 0;
};
class Rng;
CropBox random_resized_box(int h, int w, double scale_min, double scale_max, double ratio_min, double ratio_max,
                           Rng& rng);

class ImageSplit {
public:
    ImageSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split);
    int64_t size() const { return count_; }
    int height() const { return h_; }
    int width() const { return w_; }
    int channels() const { return c_; }
    int64_t label(int64_t i) const;
    const uint8_t* image(int64_t i) const { return images_.data() + static_cast<size_t>(i) * h_ * w_ * c_; }
    // Images `idx` resized to size x size (bilinear up, area down), normalised: (B, C, size, size).
    // crop_fraction < 1: resized to size / crop_fraction, then the central size x size (the
    // official evaluation's resize-then-centre-crop protocol).
    torch::Tensor batch(const std::vector<int64_t>& idx, int size, double crop_fraction = 1.0) const;
    // Scale augmentation (RandomResizedCrop and a horizontal flip per image, drawn from (seed,
    // step)): a crop of a random share of the area in [scale_min, scale_max] with a log-uniform
    // aspect ratio (w/h) in [ratio_min, ratio_max], resized to size x size; normalised.
    torch::Tensor batch_random_resized(const std::vector<int64_t>& idx, int size, double scale_min, double scale_max,
                                       double ratio_min, double ratio_max, uint64_t seed, int64_t step) const;
    torch::Tensor labels(const std::vector<int64_t>& idx) const; // (B) int64
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& stddev() const { return std_; }

private:
    torch::Tensor normalise(const torch::Tensor& hwc) const; // (B, H, W, C) uint8 -> (B, C, H, W) float
    MappedFile images_, labels_;
    int64_t count_ = 0;
    int h_ = 0, w_ = 0, c_ = 0;
    bool wide_labels_ = false;
    std::vector<double> mean_, std_;
};

// Random crop (pad 2, zero-filled after normalisation) and horizontal flip per image, drawn from
// (seed, step). x: (B, C, H, W) -> same shape.
torch::Tensor augment_images(const torch::Tensor& x, uint64_t seed, int64_t step);

} // namespace seqpe
