// ALiBi: a fixed linear distance penalty per head.
#include "pe/alibi.h"

#include <cmath>

namespace seqpe {

std::vector<double> AlibiImpl::slopes(int64_t n) {
    auto pow2 = [](int64_t m) {
        std::vector<double> s;
        const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(double(m)) - 3)));
        for (int64_t i = 0; i < m; ++i) s.push_back(std::pow(start, double(i + 1)));
        return s;
    };
    const double lg = std::log2(double(n));
    if (lg == std::floor(lg)) return pow2(n);
    const int64_t closest = int64_t(1) << static_cast<int64_t>(std::floor(lg));
    std::vector<double> s = pow2(closest);
    const std::vector<double> extra = slopes(2 * closest);
    for (size_t i = 0; i < extra.size() && static_cast<int64_t>(s.size()) < n; i += 2) s.push_back(extra[i]);
    return s;
}

AlibiImpl::AlibiImpl(const PeModelInfo& info, bool official_scaling)
    : PairBiasImpl(info), official_(official_scaling) {}

torch::Tensor AlibiImpl::compute(const torch::Tensor& qp, const torch::Tensor& kp) {
    torch::Tensor slope = torch::tensor(slopes(info_.n_head), torch::TensorOptions().dtype(torch::kDouble))
                              .to(qp.device())
                              .view({-1, 1, 1}); // (H, 1, 1)
    if (official_) slope = slope / std::sqrt(double(info_.head_dim()));
    return -(slope * distance(qp, kp).unsqueeze(0)); // (H, Tq, Tk)
}

} // namespace seqpe
