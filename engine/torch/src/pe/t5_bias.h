#pragma once
// T5's relative position bias (Raffel et al. 2020): a learned scalar per head for each bucket of
// the relative distance, added to the attention logits of every layer (one table for the model).
// Buckets: the first half are exact distances, the rest log-spaced up to max_distance; farther
// distances share the last bucket. Text (causal): one-sided buckets of query - key. Images (our
// extension): bidirectional buckets of the row offset and of the column offset, one table each,
// their biases summed.
#include "pe/pair_bias.h"

namespace seqpe {

class T5BiasImpl : public PairBiasImpl {
public:
    T5BiasImpl(const PeModelInfo& info, int64_t buckets, int64_t max_distance);
    // The bucket of each relative position rel = key - query (any shape, may be fractional: an
    // interpolated evaluation), as HF T5's _relative_position_bucket.
    static torch::Tensor bucket(const torch::Tensor& rel, bool bidirectional, int64_t buckets, int64_t max_distance);

    torch::Tensor table; // 1D: (H, buckets); 2D: (2, H, buckets): rows, columns

protected:
    torch::Tensor compute(const torch::Tensor& qp, const torch::Tensor& kp) override;

private:
    int64_t buckets_, max_distance_;
};

} // namespace seqpe
