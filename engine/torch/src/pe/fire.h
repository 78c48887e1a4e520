#pragma once
// FIRE (Li et al. 2024, "Functional Interpolation for Relative Positions Improves Long Context
// Transformers"): bias(i, j) = f(psi(i - j) / psi(max(L, i))) per head, psi(x) = log(c x + 1),
// f an MLP 1 -> width -> heads (ReLU), c and the threshold L learned (|c|, |L| are used). Dividing
// by the query's own psi maps every distance into [0, 1] ("progressive interpolation"): what lets
// it extrapolate. One module for every layer, like T5's table. Causal text only (as defined).
#include "pe/pair_bias.h"

#include <torch/nn/modules/linear.h>

namespace seqpe {

class FireImpl : public PairBiasImpl {
public:
    FireImpl(const PeModelInfo& info, int64_t width, double c0, double threshold0);

    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    torch::Tensor c;         // scalar
    torch::Tensor threshold; // scalar L

protected:
    torch::Tensor compute(const torch::Tensor& qp, const torch::Tensor& kp) override;
};

} // namespace seqpe
