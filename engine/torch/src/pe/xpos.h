#pragma once
// xPos (Sun et al. 2022, "A Length-Extrapolatable Transformer"): RoPE whose pair i of a query at
// position n is also scaled by zeta_i^(n / B) and of a key at m by zeta_i^(-m / B), with
// zeta_i = (2i/Dh + gamma) / (1 + gamma) < 1: the q.k score of a pair decays as zeta_i^((n - m)/B)
// with the distance, more for high frequencies. Causal text only (as defined). The RoPE context
// extensions apply to its rotation.
#include "pe/rope.h"

namespace seqpe {

class XposImpl : public RopeImpl {
public:
    XposImpl(const PeModelInfo& info, const RopeOptions& o, double scale_base, double gamma);
    void apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) override;

private:
    double scale_base_, gamma_;
};

} // namespace seqpe
