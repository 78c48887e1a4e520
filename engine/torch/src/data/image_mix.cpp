// Mixup and cutmix draws and their application to a batch (image_mix.h).
#include "data/image_mix.h"

#include "util/rng.h"

#include <algorithm>
#include <cmath>

namespace seqpe {

MixDraw draw_mix(int h, int w, double mixup_alpha, double cutmix_alpha, Rng& rng) {
    MixDraw d;
    if (mixup_alpha <= 0 && cutmix_alpha <= 0) return d;
    d.active = true;
    d.cutmix = cutmix_alpha > 0 && (mixup_alpha <= 0 || rng.uniform() < 0.5);
    const double alpha = d.cutmix ? cutmix_alpha : mixup_alpha;
    d.lambda = rng.beta(alpha, alpha);
    if (!d.cutmix) return d;
    // timm's rand_bbox: a box of (H, W) * sqrt(1 - lambda) around a uniform centre, clipped.
    const double cut = std::sqrt(1.0 - d.lambda);
    const int ch = static_cast<int>(h * cut), cw = static_cast<int>(w * cut);
    const int cy = static_cast<int>(rng.below(static_cast<uint64_t>(h)));
    const int cx = static_cast<int>(rng.below(static_cast<uint64_t>(w)));
    const int y0 = std::clamp(cy - ch / 2, 0, h), y1 = std::clamp(cy + ch / 2, 0, h);
    const int x0 = std::clamp(cx - cw / 2, 0, w), x1 = std::clamp(cx + cw / 2, 0, w);
    d.box = {x0, y0, x1 - x0, y1 - y0};
    d.lambda = 1.0 - static_cast<double>(d.box.w) * d.box.h / (static_cast<double>(h) * w);
    return d;
}

torch::Tensor apply_mix(const torch::Tensor& x, const MixDraw& d) {
    if (!d.active) return x;
    const torch::Tensor partner = x.flip({0}); // (B, C, H, W): example b's partner is B-1-b
    if (!d.cutmix) return (x * d.lambda + partner * (1.0 - d.lambda)).contiguous();
    torch::Tensor out = x.clone();
    if (d.box.w > 0 && d.box.h > 0) {
        using torch::indexing::Slice;
        const auto rows = Slice(d.box.y, d.box.y + d.box.h), cols = Slice(d.box.x, d.box.x + d.box.w);
        out.index_put_({Slice(), Slice(), rows, cols}, partner.index({Slice(), Slice(), rows, cols}));
    }
    return out;
}

} // namespace seqpe
