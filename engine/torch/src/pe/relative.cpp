// Rotary encodings and ALiBi.
#include "pe/relative.h"

#include <cmath>

namespace seqpe {

using torch::indexing::Slice;

// ---- RoPE ---------------------------------------------------------------------------------------

RopeImpl::RopeImpl(const PeModelInfo& info, double base, bool mixed)
    : PositionEncodingImpl(info), base_(base), mixed_(mixed) {
    if (mixed) {
        // Heo et al. 2024: magnitudes base^(-k/Dh), k = 0, 4, ..; per head a random angle alpha:
        // fx = [m cos a, m cos(a + pi/2)], fy = [m sin a, m sin(a + pi/2)].
        const int64_t H = info.n_head, Dh = info.head_dim(), Q = Dh / 4;
        const torch::Tensor mag =
            torch::pow(base, -torch::arange(0, Dh, 4, torch::kDouble).index({Slice(0, Q)}) / double(Dh));
        std::vector<torch::Tensor> layers;
        for (int64_t l = 0; l < info.n_layer; ++l) {
            const torch::Tensor a = torch::rand({H, 1}, torch::kDouble) * 2 * M_PI;
            const torch::Tensor fx = torch::cat({mag * torch::cos(a), mag * torch::cos(a + M_PI / 2)}, 1);
            const torch::Tensor fy = torch::cat({mag * torch::sin(a), mag * torch::sin(a + M_PI / 2)}, 1);
            layers.push_back(torch::stack({fx, fy}).to(torch::kFloat)); // (2, H, Dh/2)
        }
        freqs = register_parameter("freqs", torch::stack(layers));
    }
}

void RopeImpl::begin(const Layout& q, const Layout&) {
    prefix_ = q.prefix;
    pos_ = q.pos[0].to(torch::kDouble) * q.scale; // rotary encodings see one layout (G = 1)
    cos_ = sin_ = torch::Tensor();
}

torch::Tensor RopeImpl::angles(int64_t layer) {
    const int64_t Dh = info_.head_dim();
    if (mixed_) {
        const torch::Tensor f = freqs[layer]; // (2, H, Dh/2)
        const torch::Tensor x = pos_.select(1, 1).to(torch::kFloat).to(f.device()).view({1, -1, 1});
        const torch::Tensor y = pos_.select(1, 0).to(torch::kFloat).to(f.device()).view({1, -1, 1});
        return x * f[0].unsqueeze(1) + y * f[1].unsqueeze(1); // (H, T, Dh/2)
    }
    torch::Tensor ang;
    if (pos_.size(1) == 1) {
        const torch::Tensor inv = torch::pow(base_, -torch::arange(0, Dh, 2, torch::kDouble) / double(Dh));
        ang = pos_.select(1, 0).unsqueeze(1) * inv.unsqueeze(0); // (T, Dh/2)
    } else {
        const int64_t Q = Dh / 4;
        const torch::Tensor inv =
            torch::pow(base_, -torch::arange(0, Dh, 4, torch::kDouble).index({Slice(0, Q)}) / double(Dh));
        ang = torch::cat(
            {pos_.select(1, 1).unsqueeze(1) * inv.unsqueeze(0), pos_.select(1, 0).unsqueeze(1) * inv.unsqueeze(0)}, 1);
    }
    return ang.unsqueeze(0); // (1, T, Dh/2) in double: cos/sin of large angles stay exact
}

// x: (B, H, T, Dh); rotate the pairs of the position-carrying tokens by `ang` (1|H, T, Dh/2).
static torch::Tensor rotate(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                            int64_t prefix) {
    torch::Tensor body = prefix > 0 ? x.index({Slice(), Slice(), Slice(prefix, torch::indexing::None)}) : x;
    const auto sizes = body.sizes().vec();
    const torch::Tensor pairs = body.reshape({sizes[0], sizes[1], sizes[2], sizes[3] / 2, 2});
    const torch::Tensor a = pairs.select(-1, 0), b = pairs.select(-1, 1);
    torch::Tensor out = torch::stack({a * cos - b * sin, a * sin + b * cos}, -1).reshape(sizes);
    if (prefix > 0) out = torch::cat({x.index({Slice(), Slice(), Slice(0, prefix)}), out}, 2);
    return out;
}

void RopeImpl::apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) {
    torch::Tensor c, s;
    if (mixed_) {
        const torch::Tensor ang = angles(layer).unsqueeze(0); // (1, H, T, Dh/2)
        c = ang.cos();
        s = ang.sin();
    } else {
        if (!cos_.defined() || cos_.device() != q.device()) {
            const torch::Tensor ang = angles(layer).unsqueeze(0); // (1, 1, T, Dh/2), double
            cos_ = ang.cos().to(torch::kFloat).to(q.device());
            sin_ = ang.sin().to(torch::kFloat).to(q.device());
        }
        c = cos_;
        s = sin_;
    }
    c = c.to(q.dtype());
    s = s.to(q.dtype());
    q = rotate(q, c, s, prefix_);
    k = rotate(k, c, s, prefix_);
}

// ---- ALiBi --------------------------------------------------------------------------------------

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
    : PositionEncodingImpl(info), official_(official_scaling) {}

void AlibiImpl::begin(const Layout& q, const Layout& k) {
    const torch::Tensor qp = q.pos[0], kp = k.pos[0];
    if (bias_.defined() && key_prefix_ == q.prefix && key_scale_ == q.scale && q_key_.sizes() == qp.sizes() &&
        k_key_.sizes() == kp.sizes() && bias_.device() == q.device && torch::equal(q_key_, qp) &&
        torch::equal(k_key_, kp))
        return; // same layouts as the last forward pass (every training step): reuse the bias
    // dist: (Tq, Tk) over the position-carrying tokens, in (scaled) position units.
    const torch::Tensor dq = qp.to(torch::kDouble).unsqueeze(1), dk = kp.to(torch::kDouble).unsqueeze(0);
    torch::Tensor dist = (dq - dk).pow(2).sum(-1).sqrt() * q.scale;
    const auto s = slopes(info_.n_head);
    torch::Tensor slope = torch::tensor(s, torch::kDouble).view({-1, 1, 1});
    if (official_) slope = slope / std::sqrt(double(info_.head_dim()));
    torch::Tensor b = -(slope * dist.unsqueeze(0)); // (H, Tq, Tk)
    if (q.prefix > 0)                               // the class token neither pays nor causes a distance penalty
        b = torch::nn::functional::pad(b, torch::nn::functional::PadFuncOptions({k.prefix, 0, q.prefix, 0}));
    bias_ = b.to(torch::kFloat).unsqueeze(0).to(q.device);
    q_key_ = qp.clone();
    k_key_ = kp.clone();
    key_prefix_ = q.prefix;
    key_scale_ = q.scale;
}

} // namespace seqpe
