// Memory-mapped image splits, OpenCV resizing and deterministic batches.
#include "data/image_data.h"

#include "seqpe/common/error.h"
#include "util/rng.h"

#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <torch/nn/functional/padding.h>

namespace seqpe {

ImageSplit::ImageSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split) {
    const SplitInfo* s = m.split(split);
    if (!s) throw InputError((dir / "manifest.json").string() + ": the dataset has no '" + split + "' split");
    images_ = MappedFile(dir / s->file);
    labels_ = MappedFile(dir / s->labels_file);
    count_ = static_cast<int64_t>(s->count);
    h_ = m.image.height;
    w_ = m.image.width;
    c_ = m.image.channels;
    wide_labels_ = m.image.label_dtype == "uint16";
    mean_ = m.image.mean;
    std_ = m.image.std;
    if (images_.size() != static_cast<size_t>(count_) * h_ * w_ * c_)
        throw InputError(images_.path().string() + ": size does not match the manifest; prepare the dataset again");
    const int64_t classes = static_cast<int64_t>(m.image.classes.size());
    for (int64_t i = 0; i < count_; ++i)
        if (label(i) >= classes)
            throw InputError(labels_.path().string() + ": label " + std::to_string(label(i)) + " of image " +
                             std::to_string(i) + " exceeds the " + std::to_string(classes) + " classes");
}

int64_t ImageSplit::label(int64_t i) const {
    if (!wide_labels_) return labels_.data()[i];
    uint16_t v;
    std::memcpy(&v, labels_.data() + 2 * i, 2);
    return v;
}

// Resizes `in` into `o` (o's size): bilinear up, area down, as every resize of the image task.
static void resize_into(const cv::Mat& in, cv::Mat& o) {
    const bool up = o.rows > in.rows || o.cols > in.cols;
    cv::resize(in, o, o.size(), 0, 0, up ? cv::INTER_LINEAR : cv::INTER_AREA);
}

torch::Tensor ImageSplit::batch(const std::vector<int64_t>& idx, int size, double crop_fraction) const {
    const int64_t B = static_cast<int64_t>(idx.size());
    torch::Tensor out = torch::empty({B, size, size, c_}, torch::kUInt8);
    uint8_t* dst = out.data_ptr<uint8_t>();
    const int type = c_ == 1 ? CV_8UC1 : CV_8UC3;
    // center crop: the image resized to `full` x `full`, then its central size x size
    const int full = crop_fraction < 1.0 ? std::max(size, static_cast<int>(std::lround(size / crop_fraction))) : size;
    cv::Mat whole;
    for (int64_t b = 0; b < B; ++b) {
        const uint8_t* src = image(idx[static_cast<size_t>(b)]);
        uint8_t* d = dst + static_cast<size_t>(b) * size * size * c_;
        const cv::Mat in(h_, w_, type, const_cast<uint8_t*>(src));
        cv::Mat o(size, size, type, d);
        if (full == size && size == h_ && size == w_) {
            std::memcpy(d, src, static_cast<size_t>(h_) * w_ * c_);
        } else if (full == size) {
            resize_into(in, o);
        } else {
            whole.create(full, full, type);
            resize_into(in, whole);
            const int top = (full - size) / 2;
            whole(cv::Rect(top, top, size, size)).copyTo(o);
        }
    }
    return normalise(out);
}

CropBox random_resized_box(int h, int w, double scale_min, double scale_max, double ratio_min, double ratio_max,
                           Rng& rng) {
    const double area = static_cast<double>(h) * w, lr0 = std::log(ratio_min), lr1 = std::log(ratio_max);
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * (scale_min + (scale_max - scale_min) * rng.uniform());
        const double ratio = std::exp(lr0 + (lr1 - lr0) * rng.uniform());
        const int cw = static_cast<int>(std::lround(std::sqrt(target * ratio)));
        const int ch = static_cast<int>(std::lround(std::sqrt(target / ratio)));
        if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
            const int y = static_cast<int>(rng.below(static_cast<uint64_t>(h - ch + 1)));
            const int x = static_cast<int>(rng.below(static_cast<uint64_t>(w - cw + 1)));
            return {x, y, cw, ch};
        }
    }
    const double in_ratio = static_cast<double>(w) / h;
    int cw = w, ch = h;
    if (in_ratio < ratio_min)
        ch = std::max(1, static_cast<int>(std::lround(w / ratio_min)));
    else if (in_ratio > ratio_max)
        cw = std::max(1, static_cast<int>(std::lround(h * ratio_max)));
    return {(w - cw) / 2, (h - ch) / 2, cw, ch};
}

torch::Tensor ImageSplit::batch_random_resized(const std::vector<int64_t>& idx, int size, double scale_min,
                                               double scale_max, double ratio_min, double ratio_max, uint64_t seed,
                                               int64_t step) const {
    const int64_t B = static_cast<int64_t>(idx.size());
    Rng rng(derive_seed(seed, kStreamAugment, static_cast<uint64_t>(step)));
    torch::Tensor out = torch::empty({B, size, size, c_}, torch::kUInt8);
    uint8_t* dst = out.data_ptr<uint8_t>();
    const int type = c_ == 1 ? CV_8UC1 : CV_8UC3;
    for (int64_t b = 0; b < B; ++b) {
        const cv::Mat in(h_, w_, type, const_cast<uint8_t*>(image(idx[static_cast<size_t>(b)])));
        cv::Mat o(size, size, type, dst + static_cast<size_t>(b) * size * size * c_);
        const CropBox box = random_resized_box(h_, w_, scale_min, scale_max, ratio_min, ratio_max, rng);
        resize_into(in(cv::Rect(box.x, box.y, box.w, box.h)), o);
        if (rng.below(2)) cv::flip(o, o, 1); // horizontal
    }
    return normalise(out);
}

torch::Tensor ImageSplit::normalise(const torch::Tensor& out) const {
    // (B, H, W, C) uint8 -> (B, C, H, W) float, normalised per channel.
    torch::Tensor x = out.permute({0, 3, 1, 2}).to(torch::kFloat).div_(255.0);
    const torch::Tensor mean = torch::tensor(std::vector<float>(mean_.begin(), mean_.end())).view({1, c_, 1, 1});
    const torch::Tensor sd = torch::tensor(std::vector<float>(std_.begin(), std_.end())).view({1, c_, 1, 1});
    return ((x - mean) / sd.clamp_min(1e-6)).contiguous();
}

torch::Tensor ImageSplit::labels(const std::vector<int64_t>& idx) const {
    std::vector<int64_t> v;
    v.reserve(idx.size());
    for (const int64_t i : idx) v.push_back(label(i));
    return torch::tensor(v, torch::kLong);
}

torch::Tensor augment_images(const torch::Tensor& x, uint64_t seed, int64_t step) {
    // x: (B, C, H, W); padded: (B, C, H + 4, W + 4); each image a random (C, H, W) crop, maybe flipped
    const int64_t B = x.size(0), H = x.size(2), W = x.size(3), pad = 2;
    Rng rng(derive_seed(seed, kStreamAugment, static_cast<uint64_t>(step)));
    const torch::Tensor padded =
        torch::nn::functional::pad(x, torch::nn::functional::PadFuncOptions({pad, pad, pad, pad}));
    std::vector<torch::Tensor> out;
    out.reserve(static_cast<size_t>(B));
    using torch::indexing::Slice;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t dy = static_cast<int64_t>(rng.below(2 * pad + 1)),
                      dx = static_cast<int64_t>(rng.below(2 * pad + 1));
        torch::Tensor img = padded[b].index({Slice(), Slice(dy, dy + H), Slice(dx, dx + W)});
        if (rng.below(2)) img = img.flip({2});
        out.push_back(img);
    }
    return torch::stack(out).contiguous(); // (B, C, H, W)
}

} // namespace seqpe
