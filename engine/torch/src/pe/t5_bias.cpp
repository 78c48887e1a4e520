// T5 relative bias: log-spaced distance buckets, one learned scalar per head and bucket.
#include "pe/t5_bias.h"

#include <cmath>

namespace seqpe {

T5BiasImpl::T5BiasImpl(const PeModelInfo& info, int64_t buckets, int64_t max_distance)
    : PairBiasImpl(info), buckets_(buckets), max_distance_(max_distance) {
    // table: (H, buckets); 2D: (2, H, buckets), one per axis. T5's initialisation: normal with std
    // d_model^-0.5.
    const std::vector<int64_t> shape =
        info.dims == 2 ? std::vector<int64_t>{2, info.n_head, buckets} : std::vector<int64_t>{info.n_head, buckets};
    table = register_parameter("table", torch::randn(shape) / std::sqrt(static_cast<double>(info.d_model)));
}

// rel: (Tq, Tk) relative positions -> (Tq, Tk) int64 bucket indices.
torch::Tensor T5BiasImpl::bucket(const torch::Tensor& rel, bool bidirectional, int64_t buckets, int64_t max_distance) {
    torch::Tensor out = torch::zeros(rel.sizes(), torch::TensorOptions().dtype(torch::kLong).device(rel.device()));
    torch::Tensor n;
    if (bidirectional) {
        buckets /= 2;
        out = out + (rel > 0).to(torch::kLong) * buckets; // keys after the query: the upper half
        n = rel.abs();
    } else {
        n = (-rel).clamp_min(0.0); // keys before the query (causal); later keys share bucket 0
    }
    const int64_t max_exact = buckets / 2;
    const torch::Tensor small = n < static_cast<double>(max_exact);
    const torch::Tensor large = (max_exact + (torch::log(n.clamp_min(1e-9) / max_exact) /
                                              std::log(double(max_distance) / max_exact) * double(buckets - max_exact))
                                                 .floor()
                                                 .to(torch::kLong))
                                    .clamp_max(buckets - 1);
    return out + torch::where(small, n.floor().to(torch::kLong), large);
}

torch::Tensor T5BiasImpl::compute(const torch::Tensor& qp, const torch::Tensor& kp) {
    const int64_t Tq = qp.size(0), Tk = kp.size(0), H = info_.n_head;
    // rel: (Tq, Tk) = key - query along one axis; the table's column of each pair's bucket.
    auto lookup = [&](const torch::Tensor& tab, int axis, bool bidirectional) {
        const torch::Tensor rel = kp.select(1, axis).unsqueeze(0) - qp.select(1, axis).unsqueeze(1);
        const torch::Tensor b = bucket(rel, bidirectional, buckets_, max_distance_);
        // tab (H, buckets) gathered at the Tq * Tk buckets: (H, Tq * Tk) -> (H, Tq, Tk)
        return tab.index_select(1, b.reshape({-1}).to(tab.device())).view({H, Tq, Tk});
    };
    if (qp.size(1) == 1) return lookup(table, 0, !info_.causal);
    return lookup(table[0], 0, true) + lookup(table[1], 1, true);
}

} // namespace seqpe
