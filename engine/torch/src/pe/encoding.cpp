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
    const torch::Tensor pos = layout.pos[0]; // (N, d)
    const int64_t t = layout.trained_length;
    if (layout.scale == 1.0 || t <= 0) return embeddings(pos);
    torch::NoGradGuard ng;
    if (layout.dims() == 1) {
        const torch::Tensor train = embeddings(layout_1d(t).pos[0]); // (t, P)
        if (!train.defined()) return {};
        const int64_t n = std::max(pos.max().item<int64_t>() + 1, layout.extent);
        return resample_1d(train, n).index_select(0, pos.select(1, 0).to(train.device())); // (N, P)
    }
    // The t x t trained grid, row-major, resampled bicubically to the layout's grid.
    const torch::Tensor train = embeddings(layout_2d(t, t, 0).pos[0]); // (t*t, P)
    if (!train.defined()) return {};
    const torch::Tensor r = pos.select(1, 0), c = pos.select(1, 1);
    const int64_t h = layout.grid.size() == 2 ? layout.grid[0] : r.max().item<int64_t>() + 1;
    const int64_t w = layout.grid.size() == 2 ? layout.grid[1] : c.max().item<int64_t>() + 1;
    const torch::Tensor grid = resample_2d(train.view({t, t, train.size(1)}), h, w); // (h, w, P)
    return grid.reshape({h * w, -1}).index_select(0, (r * w + c).to(grid.device()));
}

} // namespace seqpe
