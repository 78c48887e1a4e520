#pragma once
// KERPLE (Chi et al. 2022, "Kernelized Relative Positional Embedding for Length Extrapolation"):
// a conditionally positive definite kernel of the distance per head, added to the logits of every
// layer. log: -r1 log(1 + r2 d); power: -r1 d^r2 with 0 < r2 <= 2. r1, r2 > 0 are learned per head
// through softplus (power's r2 through 2 sigmoid), a smooth form of the official code's clamp at
// 0.01, initialised in its ranges (r1 in (0, 2), r2 in (0, 1)). 2D (our extension, as ALiBi's):
// d is the Euclidean patch distance.
#include "pe/pair_bias.h"

namespace seqpe {

class KerpleImpl : public PairBiasImpl {
public:
    KerpleImpl(const PeModelInfo& info, bool power);
    torch::Tensor r1() const; // (H) > 0
    torch::Tensor r2() const; // (H) > 0 (power: <= 2)

    torch::Tensor raw1, raw2; // the unconstrained parameters (H)

protected:
    torch::Tensor compute(const torch::Tensor& qp, const torch::Tensor& kp) override;

private:
    bool power_;
};

} // namespace seqpe
