// KERPLE: learned logarithmic or power distance kernels.
#include "pe/kerple.h"

namespace seqpe {

namespace {
// softplus^-1 and logit, for the initial values.
torch::Tensor inverse_softplus(const torch::Tensor& y) {
    return torch::log(torch::expm1(y));
}
} // namespace

KerpleImpl::KerpleImpl(const PeModelInfo& info, bool power) : PairBiasImpl(info), power_(power) {
    const int64_t H = info.n_head;
    const torch::Tensor r1 = torch::rand({H}) * 1.98 + 0.01; // (0.01, 1.99)
    const torch::Tensor r2 = torch::rand({H}) * 0.98 + 0.01; // (0.01, 0.99)
    raw1 = register_parameter("r1", inverse_softplus(r1));
    raw2 = register_parameter("r2", power ? torch::log(r2 / (2.0 - r2)) : inverse_softplus(r2));
}

torch::Tensor KerpleImpl::r1() const {
    return torch::softplus(raw1);
}

torch::Tensor KerpleImpl::r2() const {
    return power_ ? 2.0 * torch::sigmoid(raw2) : torch::softplus(raw2);
}

torch::Tensor KerpleImpl::compute(const torch::Tensor& qp, const torch::Tensor& kp) {
    const torch::Tensor d = distance(qp, kp).to(torch::kFloat).unsqueeze(0); // (1, Tq, Tk)
    const torch::Tensor a = r1().view({-1, 1, 1}), b = r2().view({-1, 1, 1});
    if (!power_) return -a * torch::log1p(b * d); // (H, Tq, Tk)
    // d^b at d = 0 is 0, but its gradient in b is 0 * log(0): keep the zero distances out of pow.
    const torch::Tensor safe = d.clamp_min(1e-12);
    return -a * torch::where(d > 0, torch::pow(safe, b), torch::zeros_like(safe)); // (H, Tq, Tk)
}

} // namespace seqpe
