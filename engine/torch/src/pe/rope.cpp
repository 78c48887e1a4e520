// Rotary encodings and their context extensions (PI, NTK, dynamic NTK, YaRN).
#include "pe/rope.h"

#include <cmath>

namespace seqpe {

using torch::indexing::Slice;

torch::Tensor extend_frequencies(const torch::Tensor& theta, const RopeExtension& e, double base, double dim,
                                 double* mscale) {
    if (e.s <= 1.0) return theta;
    if (e.mode == "ntk" || e.mode == "dynamic-ntk") {
        // theta_k = base^(-2k/dim) -> (base s^(dim/(dim-2)))^(-2k/dim) = theta_k s^(-2k/(dim-2)), with
        // 2k/dim = -ln(theta)/ln(base): any frequency (learned ones too) maps by its own value.
        const torch::Tensor k2 = -torch::log(theta.clamp_min(1e-30)) / std::log(base); // 2k/dim
        return theta * torch::pow(torch::full_like(theta, e.s), -k2 * dim / (dim - 2.0));
    }
    if (e.mode == "yarn") {
        // Turns of each frequency within the original length: r = L theta / (2 pi). Few turns (long
        // wavelengths): interpolate (theta / s); many: keep; a linear ramp in between (Peng et al. 2023).
        const torch::Tensor r = theta * (e.original / (2 * M_PI));
        const torch::Tensor keep = ((r - e.alpha) / std::max(e.beta - e.alpha, 1e-9)).clamp(0.0, 1.0);
        if (mscale) *mscale *= 0.1 * std::log(e.s) + 1.0;
        return (1.0 - keep) * theta / e.s + keep * theta;
    }
    return theta; // pi: positions are scaled instead
}

RopeImpl::RopeImpl(const PeModelInfo& info, const RopeOptions& o) : PositionEncodingImpl(info), o_(o) {
    if (o.mixed) {
        // Heo et al. 2024: magnitudes base^(-k/Dh), k = 0, 4, ..; per head a random angle alpha:
        // fx = [m cos a, m cos(a + pi/2)], fy = [m sin a, m sin(a + pi/2)].
        const int64_t H = info.n_head, Dh = info.head_dim(), Q = Dh / 4;
        const torch::Tensor mag = // (Dh/4)
            torch::pow(o.base, -torch::arange(0, Dh, 4, torch::kDouble).index({Slice(0, Q)}) / double(Dh));
        std::vector<torch::Tensor> layers;
        for (int64_t l = 0; l < info.n_layer; ++l) {
            const torch::Tensor a = torch::rand({H, 1}, torch::kDouble) * 2 * M_PI; // (H, 1); fx, fy: (H, Dh/2)
            const torch::Tensor fx = torch::cat({mag * torch::cos(a), mag * torch::cos(a + M_PI / 2)}, 1);
            const torch::Tensor fy = torch::cat({mag * torch::sin(a), mag * torch::sin(a + M_PI / 2)}, 1);
            layers.push_back(torch::stack({fx, fy}).to(torch::kFloat)); // (2, H, Dh/2)
        }
        freqs = register_parameter("freqs", torch::stack(layers)); // (n_layer, 2, H, Dh/2)
    }
}

std::vector<RopeExtension> RopeImpl::extensions(const Layout& q, const Layout& k) const {
    // One list for both axes of a 2D grid when their factors agree (square images); per-axis
    // factors are applied in angles() through rope_factor.
    std::vector<RopeExtension> out;
    const double trained = static_cast<double>(std::max<int64_t>(1, info_.train_length));
    if (!o_.run.mode.empty() && o_.run.mode != "none" && o_.run.s > 1.0) {
        RopeExtension r = o_.run;
        r.original = trained / r.s; // the weights were trained at train_length / s before the fine-tune
        out.push_back(r);
    }
    if (!q.rope_extension.empty()) {
        RopeExtension e;
        e.mode = q.rope_extension;
        e.s = std::max(q.rope_factor[0], q.rope_factor[1]);
        if (e.mode == "dynamic-ntk") // the factor follows the length of this forward pass (keys: all so far)
            e.s = std::max(1.0, (k.pos.max().item<double>() + 1.0) * q.scale / trained);
        e.original = trained;
        e.alpha = o_.alpha;
        e.beta = o_.beta;
        out.push_back(e);
    }
    return out;
}

void RopeImpl::begin(const Layout& q, const Layout& k) {
    prefix_ = q.prefix;
    ext_ = extensions(q, k);
    double pi = 1.0; // Position Interpolation: positions / s
    for (const auto& e : ext_)
        if (e.mode == "pi") pi *= e.s;
    pos_ = q.pos[0].to(torch::kDouble) * (q.scale / pi); // rotary encodings see one layout (G = 1)
    // 2D grids may be extended by different factors per axis: each axis scales its own frequencies.
    if (pos_.size(1) == 2 && !ext_.empty() && !q.rope_extension.empty() && q.rope_extension != "dynamic-ntk" &&
        q.rope_factor[0] != q.rope_factor[1]) {
        axis_factor_[0] = q.rope_factor[0];
        axis_factor_[1] = q.rope_factor[1];
    } else {
        axis_factor_[0] = axis_factor_[1] = 0; // the list's own factors
    }
    cos_ = sin_ = torch::Tensor();
}

void RopeImpl::end() {
    cos_ = sin_ = torch::Tensor();
    pos_ = torch::Tensor();
    ext_.clear();
}

// theta: the frequencies of one axis over `dim` rotated channels; `axis_s` (0: none) replaces the
// evaluation extension's factor for that axis.
static torch::Tensor extend_all(torch::Tensor theta, const std::vector<RopeExtension>& exts, double base, double dim,
                                double axis_s, double* mscale) {
    for (size_t i = 0; i < exts.size(); ++i) {
        RopeExtension e = exts[i];
        if (axis_s > 0 && i + 1 == exts.size()) e.s = axis_s;
        theta = extend_frequencies(theta, e, base, dim, mscale);
    }
    return theta;
}

torch::Tensor RopeImpl::angles(int64_t layer) {
    const int64_t Dh = info_.head_dim();
    mscale_ = 1.0;
    if (o_.mixed) {
        // Learned 2D frequency vectors: each pair's magnitude is extended as a frequency of base
        // `base` would be; the direction is kept.
        torch::Tensor f = freqs[layer]; // (2, H, Dh/2)
        if (!ext_.empty()) {
            const torch::Tensor mag = f.pow(2).sum(0, true).sqrt().to(torch::kDouble); // (1, H, Dh/2)
            const torch::Tensor ext = extend_all(mag, ext_, o_.base, double(Dh) / 2.0, 0, &mscale_);
            f = f * (ext / mag.clamp_min(1e-30)).to(f.dtype());
        }
        // x, y: the column and row of each position, (1, T, 1)
        const torch::Tensor x = pos_.select(1, 1).to(torch::kFloat).to(f.device()).view({1, -1, 1});
        const torch::Tensor y = pos_.select(1, 0).to(torch::kFloat).to(f.device()).view({1, -1, 1});
        return x * f[0].unsqueeze(1) + y * f[1].unsqueeze(1); // (H, T, Dh/2)
    }
    torch::Tensor ang;
    if (pos_.size(1) == 1) {
        // inv: (Dh/2) frequencies
        const torch::Tensor inv = extend_all(torch::pow(o_.base, -torch::arange(0, Dh, 2, torch::kDouble) / double(Dh)),
                                             ext_, o_.base, double(Dh), 0, &mscale_);
        ang = pos_.select(1, 0).unsqueeze(1) * inv.unsqueeze(0); // (T, Dh/2)
    } else {
        // Axial: Dh/4 frequencies per axis over Dh/2 channels each (NTK's dim is the axis's).
        const int64_t Q = Dh / 4;
        const torch::Tensor inv = // (Dh/4)
            torch::pow(o_.base, -torch::arange(0, Dh, 4, torch::kDouble).index({Slice(0, Q)}) / double(Dh));
        double m_col = 1.0, m_row = 1.0;
        const torch::Tensor inv_col = extend_all(inv, ext_, o_.base, double(Dh) / 2.0, axis_factor_[1], &m_col);
        const torch::Tensor inv_row = extend_all(inv, ext_, o_.base, double(Dh) / 2.0, axis_factor_[0], &m_row);
        mscale_ = std::sqrt(m_col * m_row); // one temperature for the pair of axes
        // (T, Dh/2): the columns' Dh/4 angles, then the rows'
        ang = torch::cat({pos_.select(1, 1).unsqueeze(1) * inv_col.unsqueeze(0),
                          pos_.select(1, 0).unsqueeze(1) * inv_row.unsqueeze(0)},
                         1);
    }
    return ang.unsqueeze(0); // (1, T, Dh/2) in double: cos/sin of large angles stay exact
}

torch::Tensor rotate_pairs(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t prefix) {
    // body: (B, H, N, Dh), the tokens after the prefix; pairs: (B, H, N, Dh/2, 2); a, b: (B, H, N, Dh/2)
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
    if (o_.mixed) {
        const torch::Tensor ang = angles(layer).unsqueeze(0); // (1, H, T, Dh/2)
        c = ang.cos() * mscale_;
        s = ang.sin() * mscale_;
    } else {
        if (!cos_.defined() || cos_.device() != q.device()) {
            const torch::Tensor ang = angles(layer).unsqueeze(0); // (1, 1, T, Dh/2), double
            // YaRN's temperature rides on the rotation: q and k each scaled by mscale.
            cos_ = (ang.cos() * mscale_).to(torch::kFloat).to(q.device());
            sin_ = (ang.sin() * mscale_).to(torch::kFloat).to(q.device());
        }
        c = cos_;
        s = sin_;
    }
    c = c.to(q.dtype());
    s = s.to(q.dtype());
    q = rotate_pairs(q, c, s, prefix_);
    k = rotate_pairs(k, c, s, prefix_);
}

torch::Tensor RopeImpl::relative_score(const Layout& layout, int64_t layer, std::string* description) {
    torch::NoGradGuard ng;
    Layout l = layout;
    l.prefix = 0;
    begin(l, l);
    const int64_t N = l.length();
    // q, k: (1, H, N, Dh)
    torch::Tensor q = torch::ones({1, info_.n_head, N, info_.head_dim()}, torch::TensorOptions().device(l.device));
    torch::Tensor k = q.clone();
    apply_qk(std::max<int64_t>(0, layer), q, k);
    end();
    if (description) *description = "score the rotation adds to q.k (rotated all-ones vectors, / head size)";
    return torch::matmul(q, k.transpose(-2, -1))[0] / static_cast<double>(info_.head_dim()); // (H, N, N)
}

} // namespace seqpe
