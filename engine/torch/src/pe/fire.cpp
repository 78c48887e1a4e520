// FIRE: an MLP of the log distance, normalised by the query position.
#include "pe/fire.h"

#include <algorithm>

namespace seqpe {

FireImpl::FireImpl(const PeModelInfo& info, int64_t width, double c0, double threshold0) : PairBiasImpl(info) {
    fc1 = register_module("fc1", torch::nn::Linear(1, width));
    fc2 = register_module("fc2", torch::nn::Linear(width, info.n_head));
    c = register_parameter("c", torch::tensor(c0, torch::kFloat));
    threshold = register_parameter(
        "threshold",
        torch::tensor(threshold0 > 0 ? threshold0 : static_cast<double>(info.train_length), torch::kFloat));
}

torch::Tensor FireImpl::compute(const torch::Tensor& qp, const torch::Tensor& kp) {
    constexpr double kEps = 1e-6; // the normaliser stays positive at i = 0 with L near 0
    const torch::Tensor i = qp.select(1, 0).to(torch::kFloat), j = kp.select(1, 0).to(torch::kFloat);
    const torch::Tensor cc = c.abs(), L = threshold.abs();
    auto psi = [&](const torch::Tensor& x) { return torch::log(cc * x + 1.0); };
    const torch::Tensor norm = psi(torch::maximum(i, L)) + kEps; // (Tq)
    // Rows in chunks: the MLP's hidden activations are (rows, Tk, width), too large at once for long
    // evaluations (2048 x 2048 x 32 floats = 512 MB).
    const int64_t Tq = i.size(0), Tk = j.size(0);
    const int64_t rows = std::max<int64_t>(1, (int64_t(1) << 22) / std::max<int64_t>(1, Tk * fc1->weight.size(0)));
    std::vector<torch::Tensor> parts;
    for (int64_t r0 = 0; r0 < Tq; r0 += rows) {
        const int64_t n = std::min(rows, Tq - r0);
        const torch::Tensor ii = i.narrow(0, r0, n);
        const torch::Tensor d = (ii.unsqueeze(1) - j.unsqueeze(0)).abs();    // (n, Tk)
        const torch::Tensor u = psi(d) / norm.narrow(0, r0, n).unsqueeze(1); // (n, Tk) in [0, 1] causally
        const torch::Tensor h = torch::relu(fc1->forward(u.unsqueeze(-1)));  // (n, Tk, width)
        parts.push_back(fc2->forward(h).permute({2, 0, 1}));                 // (H, n, Tk)
    }
    return torch::cat(parts, 1); // (H, Tq, Tk)
}

} // namespace seqpe
