// xPos: a rotation with a per-frequency exponential decay with distance.
#include "pe/xpos.h"

namespace seqpe {

XposImpl::XposImpl(const PeModelInfo& info, const RopeOptions& o, double scale_base, double gamma)
    : RopeImpl(info, o), scale_base_(scale_base), gamma_(gamma) {}

void XposImpl::apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) {
    RopeImpl::apply_qk(layer, q, k);
    const int64_t Dh = info_.head_dim();
    // zeta: (Dh,) one value per pair, interleaved like the rotation's pairs.
    const torch::Tensor zeta =
        ((torch::arange(0, Dh, 2, torch::kDouble) / double(Dh) + gamma_) / (1.0 + gamma_)).repeat_interleave(2);
    // power: (T, 1) = n / B over the (interpolated) positions; in double, then to q's dtype.
    const torch::Tensor power = pos_.select(1, 0).unsqueeze(1) / scale_base_;
    const torch::Tensor up = torch::pow(zeta.unsqueeze(0), power);    // (T, Dh): zeta^(n/B)
    const torch::Tensor down = torch::pow(zeta.unsqueeze(0), -power); // (T, Dh): zeta^(-n/B)
    auto scaled = [&](const torch::Tensor& x, const torch::Tensor& f) {
        using torch::indexing::Slice;
        const torch::Tensor ff = f.to(x.dtype()).to(x.device()).view({1, 1, f.size(0), Dh});
        if (prefix_ == 0) return x * ff;
        return torch::cat({x.index({Slice(), Slice(), Slice(0, prefix_)}),
                           x.index({Slice(), Slice(), Slice(prefix_, torch::indexing::None)}) * ff},
                          2);
    };
    q = scaled(q, up);
    k = scaled(k, down);
}

} // namespace seqpe
