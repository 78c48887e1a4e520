#pragma once
// Token streams of a text dataset and the language model's batches.
#include "seqpe/common/manifest.h"
#include "seqpe/common/token_file.h"

#include <cstdint>
#include <filesystem>
#include <torch/types.h>
#include <vector>

namespace seqpe {

// One split's token file, memory-mapped.
class TokenSplit {
public:
    TokenSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split);
    int64_t size() const { return count_; }
    // Tokens [start, start + n) as int64: (n). Throws std::out_of_range past the end.
    torch::Tensor slice(int64_t start, int64_t n) const;
    void copy_to(int64_t start, int64_t n, int64_t* dst) const;
    int64_t vocab_size() const { return vocab_; }

private:
    MappedFile file_;
    int64_t count_ = 0;
    int bytes_ = 2;
    int64_t vocab_ = 0;
};

// Training batches: windows of seq_len + 1 tokens (inputs and next-token targets) on a grid with a
// per-epoch random phase, visited in a per-epoch shuffled order. Batch `step` depends only on
// (seed, step), so a resumed run continues with exactly the batches an uninterrupted one sees.
class LmBatcher {
public:
    LmBatcher(const TokenSplit& split, int64_t seq_len, int64_t batch_size, uint64_t seed);
    // x, y: (B, T) int64
    std::pair<torch::Tensor, torch::Tensor> batch(int64_t step);
    int64_t windows_per_epoch() const { return per_epoch_; }
    double epoch(int64_t step) const { return double(step * batch_) / double(per_epoch_); }

private:
    const TokenSplit& split_;
    int64_t seq_len_, batch_, per_epoch_;
    uint64_t seed_;
    int64_t cached_epoch_ = -1;
    int64_t phase_ = 0;
    std::vector<int64_t> order_;
};

// Start offsets of `count` windows of length `seq_len + 1` spread evenly over a split (validation).
std::vector<int64_t> spread_windows(int64_t split_size, int64_t seq_len, int64_t count);

} // namespace seqpe
