// Token splits (memory-mapped) and deterministic language-model batches.
#include "data/lm_data.h"

#include "seqpe/common/error.h"
#include "util/rng.h"

#include <cstring>
#include <stdexcept>

namespace seqpe {

TokenSplit::TokenSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split) {
    const SplitInfo* s = m.split(split);
    if (!s) throw InputError((dir / "manifest.json").string() + ": the dataset has no '" + split + "' split");
    file_ = MappedFile(dir / s->file);
    bytes_ = m.token_bytes();
    count_ = static_cast<int64_t>(s->count);
    vocab_ = m.tokenizer.vocab_size;
    if (file_.size() != static_cast<size_t>(count_) * bytes_)
        throw InputError(file_.path().string() + ": size does not match the manifest; prepare the dataset again");
}

void TokenSplit::copy_to(int64_t start, int64_t n, int64_t* dst) const {
    if (start < 0 || n < 0 || start + n > count_) throw std::out_of_range("token range past the end of the split");
    const uint8_t* base = file_.data() + static_cast<size_t>(start) * bytes_;
    if (bytes_ == 2) {
        for (int64_t i = 0; i < n; ++i) {
            uint16_t v;
            std::memcpy(&v, base + 2 * i, 2);
            dst[i] = v;
        }
    } else {
        for (int64_t i = 0; i < n; ++i) {
            uint32_t v;
            std::memcpy(&v, base + 4 * i, 4);
            dst[i] = v;
        }
    }
}

torch::Tensor TokenSplit::slice(int64_t start, int64_t n) const {
    torch::Tensor t = torch::empty({n}, torch::kLong);
    copy_to(start, n, t.data_ptr<int64_t>());
    return t;
}

LmBatcher::LmBatcher(const TokenSplit& split, int64_t seq_len, int64_t batch_size, uint64_t seed)
    : split_(split), seq_len_(seq_len), batch_(batch_size), seed_(seed) {
    // Windows start at phase + i*seq_len with phase in [0, seq_len); this many fit for any phase.
    per_epoch_ = (split.size() - seq_len_) / seq_len_;
    if (per_epoch_ < 1)
        throw InputError("the training split has " + std::to_string(split.size()) +
                         " tokens, fewer than two windows of train.seq_len " + std::to_string(seq_len) +
                         "; lower train.seq_len or use a larger corpus");
}

std::pair<torch::Tensor, torch::Tensor> LmBatcher::batch(int64_t step) {
    torch::Tensor buf = torch::empty({batch_, seq_len_ + 1}, torch::kLong); // (B, T + 1) windows
    int64_t* p = buf.data_ptr<int64_t>();
    for (int64_t b = 0; b < batch_; ++b) {
        const int64_t k = step * batch_ + b;
        const int64_t epoch = k / per_epoch_;
        if (epoch != cached_epoch_) {
            Rng rng(derive_seed(seed_, kStreamData, static_cast<uint64_t>(epoch)));
            phase_ = static_cast<int64_t>(rng.below(static_cast<uint64_t>(seq_len_)));
            order_.resize(static_cast<size_t>(per_epoch_));
            for (int64_t i = 0; i < per_epoch_; ++i) order_[i] = i;
            rng.shuffle(order_);
            cached_epoch_ = epoch;
        }
        const int64_t start = phase_ + order_[static_cast<size_t>(k % per_epoch_)] * seq_len_;
        split_.copy_to(start, seq_len_ + 1, p + b * (seq_len_ + 1));
    }
    using torch::indexing::Slice;
    // inputs (B, T) and targets (B, T): the same windows shifted by one token
    return {buf.index({Slice(), Slice(0, seq_len_)}).contiguous(),
            buf.index({Slice(), Slice(1, torch::indexing::None)}).contiguous()};
}

std::vector<int64_t> spread_windows(int64_t split_size, int64_t seq_len, int64_t count) {
    std::vector<int64_t> out;
    const int64_t fit = (split_size - 1) / seq_len; // non-overlapping windows of seq_len + 1
    if (fit <= 0) return out;
    if (count <= 0 || count >= fit) {
        for (int64_t i = 0; i < fit; ++i) out.push_back(i * seq_len);
        return out;
    }
    for (int64_t i = 0; i < count; ++i) out.push_back((i * fit / count) * seq_len);
    return out;
}

} // namespace seqpe
