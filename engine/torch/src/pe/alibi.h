#pragma once
// ALiBi (Press et al. 2022): adds -slope_h * distance(i, j) to the attention logits; 1D |i - j|,
// 2D the Euclidean distance between patch coordinates (our extension; class token: no bias).
// Slopes: the paper's geometric sequence. "official" scaling also divides by sqrt(head size), as
// the SeqPE code does.
#include "pe/pair_bias.h"

#include <vector>

namespace seqpe {

class AlibiImpl : public PairBiasImpl {
public:
    AlibiImpl(const PeModelInfo& info, bool official_scaling);
    static std::vector<double> slopes(int64_t n_head);

protected:
    torch::Tensor compute(const torch::Tensor& qp, const torch::Tensor& kp) override;

private:
    bool official_;
};

} // namespace seqpe
