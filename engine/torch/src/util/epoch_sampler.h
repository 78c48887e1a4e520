#pragma once
// Examples in a per-epoch shuffled order: the indices of batch `step` depend only on (seed, step),
// so a resumed run continues with exactly the examples an uninterrupted one would see.
#include <cstdint>
#include <vector>

namespace seqpe {

class EpochSampler {
public:
    EpochSampler(int64_t count, int64_t batch_size, uint64_t seed);
    std::vector<int64_t> indices(int64_t step);
    int64_t count() const { return count_; }

private:
    int64_t count_, batch_;
    uint64_t seed_;
    int64_t cached_epoch_ = -1;
    std::vector<int64_t> order_;
};

} // namespace seqpe
