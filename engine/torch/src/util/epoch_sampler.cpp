// EpochSampler::indices: batch `step`'s examples from the shuffled order of their epoch (one
// shuffle per epoch, seeded by (seed, epoch)).
#include "util/epoch_sampler.h"

#include "seqpe/common/error.h"
#include "util/rng.h"

namespace seqpe {

EpochSampler::EpochSampler(int64_t count, int64_t batch_size, uint64_t seed)
    : count_(count), batch_(batch_size), seed_(seed) {
    if (count_ < 1) throw InputError("the training split has no examples");
}

std::vector<int64_t> EpochSampler::indices(int64_t step) {
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(batch_));
    for (int64_t b = 0; b < batch_; ++b) {
        const int64_t k = step * batch_ + b;
        const int64_t epoch = k / count_;
        if (epoch != cached_epoch_) {
            Rng rng(derive_seed(seed_, kStreamData, static_cast<uint64_t>(epoch)));
            order_.resize(static_cast<size_t>(count_));
            for (int64_t i = 0; i < count_; ++i) order_[static_cast<size_t>(i)] = i;
            rng.shuffle(order_);
            cached_epoch_ = epoch;
        }
        out.push_back(order_[static_cast<size_t>(k % count_)]);
    }
    return out;
}

} // namespace seqpe
