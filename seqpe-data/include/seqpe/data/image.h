#pragma once
// Image datasets: Fashion-MNIST from the Debian package, any MNIST-format IDX folder, or a folder
// with one sub-folder of images per class (decoded with OpenCV).
#include "seqpe/data/report.h"
#include "seqpe/data/util.h"

#include <string>

namespace seqpe::data {

struct ImageOptions {
    std::string source = "fashion-mnist"; // "fashion-mnist" | "auto" | a folder
    int image_size = 0;                   // 0: native size; else resize to image_size x image_size
    fs::path cache;
    bool force = false;
};

inline constexpr int kMaxImageSize = 4096;

// /usr/share/datasets/fashion-mnist (dataset-fashion-mnist), or $SEQPE_FASHION_MNIST_DIR.
fs::path fashion_mnist_dir();

// IDX split: index i of the training file goes to valid when i % 12 == 11, else train.
bool idx_is_valid(size_t index);
// Class-folder split (per class, files sorted by name): i % 10 == 5 valid, 9 test, else train.
int folder_split_of(size_t index); // 0 train, 1 valid, 2 test

PrepareResult prepare_image(const ImageOptions& opts, Reporter& rep);

} // namespace seqpe::data
