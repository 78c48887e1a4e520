// The defaults of an encoding's probes: the relative score is the bias of one forward pass; an
// interpolated read of embeddings resamples the trained range.
#include "pe/encoding.h"

#include "pe/absolute.h"

namespace seqpe {

torch::Tensor PositionEncodingImpl::relative_score(const Layout& layout, int64_t layer, std::string* description) {
    torch::NoGradGuard ng;
    Layout l = layout;
    l.prefix = 0;
    begin(l, l);
    torch::Tensor b = bias(layer); // (1, H or 1, N, N) or undefined
    end();
    if (!b.defined()) return {};
    if (description) *description = "bias added to the attention logits";
    return b[0].expand({info_.n_head, l.length(), l.length()}).to(torch::kFloat); // (H, N, N)
}

torch::Tensor PositionEncodingImpl::embeddings_at(const Layout& layout) {
    const int64_t t = layout.trained_length;
    if (layout.scale == 1.0 || t <= 0) return embeddings(layout.pos[0]);
    torch::NoGradGuard ng;
    // The trained range: positions 0..t-1, or the t x t grid row-major.
    const torch::Tensor train = embeddings((layout.dims() == 1 ? layout_1d(t) : layout_2d(t, t, 0)).pos[0]);
    if (!train.defined()) return {};
    return resample_trained(train, layout); // (N, P)
}

} // namespace seqpe
