// LossScaler: gradients unscaled with an inf/NaN check, the scale backed off or grown, and restored
// from a checkpoint.
#include "train/loss_scale.h"

#include <cmath>

namespace seqpe {

LossScaler::LossScaler(double initial_scale, int64_t growth_interval, double growth, double backoff)
    : scale_(initial_scale), growth_(growth), backoff_(backoff), interval_(growth_interval) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) const {
    torch::NoGradGuard ng;
    std::vector<torch::Tensor> sums;
    const double inv = 1.0 / scale_;
    for (const auto& p : params) {
        torch::Tensor g = p.grad();
        if (!g.defined()) continue;
        g.mul_(inv);
        sums.push_back(g.abs().sum(torch::kDouble)); // inf or NaN anywhere makes the sum non-finite
    }
    if (sums.empty()) return true;
    return std::isfinite(torch::stack(sums).sum().item<double>());
}

bool LossScaler::update(bool finite) {
    if (!finite) {
        scale_ *= backoff_;
        clean_ = 0;
        ++skipped_;
        return false;
    }
    if (++clean_ >= interval_) {
        scale_ *= growth_;
        clean_ = 0;
    }
    return true;
}

void LossScaler::restore(double scale, int64_t clean_steps) {
    if (scale > 0) scale_ = scale;
    clean_ = clean_steps;
}

} // namespace seqpe
