// Learned table, sinusoidal and no position encoding.
#include "pe/absolute.h"

#include "seqpe/common/error.h"

#include <cmath>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/init.h>

namespace seqpe {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

// Prepends `prefix` rows of `pre` (C) to every layout: (G, N, C) -> (G, prefix + N, C).
static torch::Tensor with_prefix(const torch::Tensor& pe, int64_t prefix, const torch::Tensor& pre) {
    if (prefix == 0) return pe;
    const auto G = pe.size(0), C = pe.size(2);
    torch::Tensor p =
        pre.defined() ? pre.view({1, 1, C}).expand({G, prefix, C}) : torch::zeros({G, prefix, C}, pe.options());
    return torch::cat({p, pe}, 1);
}

torch::Tensor resample_1d(const torch::Tensor& table, int64_t n) {
    if (table.size(0) == n) return table;
    // (L, C) -> (1, C, L) -> interpolated (1, C, n) -> (n, C).
    // out row j samples source coordinate (j + 0.5) * L / n - 0.5, clamped to [0, L - 1].
    return F::interpolate(
               table.t().unsqueeze(0),
               F::InterpolateFuncOptions().size(std::vector<int64_t>{n}).mode(torch::kLinear).align_corners(false))
        .squeeze(0)
        .t();
}

torch::Tensor resample_2d(const torch::Tensor& table, int64_t h, int64_t w) {
    if (table.size(0) == h && table.size(1) == w) return table;
    // (h0, w0, C) -> (1, C, h0, w0) -> interpolated (1, C, h, w) -> (h, w, C)
    return F::interpolate(
               table.permute({2, 0, 1}).unsqueeze(0),
               F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBicubic).align_corners(false))
        .squeeze(0)
        .permute({1, 2, 0});
}

torch::Tensor read_resampled_grid(const torch::Tensor& table, const torch::Tensor& pos,
                                  const std::vector<int64_t>& grid) {
    const torch::Tensor r = pos.select(1, 0), c = pos.select(1, 1); // rows, columns: (N)
    const int64_t h = grid.size() == 2 ? grid[0] : r.max().item<int64_t>() + 1;
    const int64_t w = grid.size() == 2 ? grid[1] : c.max().item<int64_t>() + 1;
    const torch::Tensor t = resample_2d(table, h, w); // (h, w, C)
    return t.reshape({h * w, -1}).index_select(0, (r * w + c).to(t.device()));
}

torch::Tensor resample_trained(const torch::Tensor& train, const Layout& layout) {
    const torch::Tensor pos = layout.pos[0]; // (N, d)
    const int64_t t = layout.trained_length;
    if (layout.dims() == 1) {
        const int64_t n = std::max(pos.max().item<int64_t>() + 1, layout.extent);
        return resample_1d(train, n).index_select(0, pos.select(1, 0).to(train.device())); // (N, C)
    }
    return read_resampled_grid(train.view({t, t, train.size(1)}), pos, layout.grid); // (N, C)
}

// ---- learned ----------------------------------------------------------------------------------

LearnedImpl::LearnedImpl(const PeModelInfo& info) : PositionEncodingImpl(info) {
    const int64_t L = info.table_extent(), C = info.d_model; // randomized positions: the whole range
    if (info.dims == 1) {
        table = register_parameter("table", torch::empty({L, C}));
    } else {
        table = register_parameter("table", torch::empty({L, L, C}));
        cls = register_parameter("cls", torch::empty({C}));
    }
    torch::NoGradGuard ng;
    torch::nn::init::normal_(table, 0.0, info.init_std);
    if (cls.defined()) torch::nn::init::normal_(cls, 0.0, info.init_std);
}

torch::Tensor LearnedImpl::lookup(const torch::Tensor& pos, const std::vector<int64_t>& grid, int64_t extent) {
    // pos: (N, d) -> (N, C)
    const int64_t C = info_.d_model, L = info_.table_extent();
    if (info_.dims == 1) {
        const torch::Tensor p = pos.select(1, 0); // (N)
        // Incremental decoding asks for one position at a time: `extent` keeps the resampled table
        // the same for every step of a sequence.
        const int64_t need = std::max(p.max().item<int64_t>() + 1, extent);
        if (p.min().item<int64_t>() < 0) throw InputError("learned position table: negative position");
        if (need <= L) return table.index_select(0, p.to(table.device()));
        return resample_1d(table, need).index_select(0, p.to(table.device()));
    }
    const torch::Tensor r = pos.select(1, 0), c = pos.select(1, 1); // rows, columns: (N)
    // Trained on randomized positions: the table covers the whole range, read as it is where it can.
    if (info_.position_range > 0 && r.max().item<int64_t>() < L && c.max().item<int64_t>() < L)
        return table.reshape({-1, C}).index_select(0, (r * L + c).to(table.device()));
    return read_resampled_grid(table, pos, grid);
}

void LearnedImpl::begin(const Layout& q, const Layout&) {
    std::vector<torch::Tensor> per;
    for (int64_t g = 0; g < q.groups(); ++g) per.push_back(lookup(q.pos[g], q.grid, q.extent));
    current_ = with_prefix(torch::stack(per), q.prefix, cls); // (G, T, C)
}

// x: (B, T, C) viewed as (B/G, G, T, C); current_ (G, T, C) broadcast over B/G.
torch::Tensor LearnedImpl::add_input(const torch::Tensor& x) {
    const int64_t G = current_.size(0), B = x.size(0);
    return (x.view({B / G, G, x.size(1), x.size(2)}) + current_.unsqueeze(0)).view_as(x);
}

torch::Tensor LearnedImpl::embeddings(const torch::Tensor& positions) {
    return lookup(positions, {});
}

torch::Tensor LearnedImpl::embeddings_at(const Layout& layout) {
    // The table is resampled to the grid whatever the mode (begin() ignores the scale), and a
    // table trained over randomized positions is read as it is where it covers the grid.
    return lookup(layout.pos[0], layout.grid, layout.extent);
}

// ---- sinusoidal -------------------------------------------------------------------------------

torch::Tensor sinusoid_1d(const torch::Tensor& pos, int64_t dim, double base) {
    // inv_freq: (dim/2) = base^(-2i/dim); angles (N, dim/2); interleave sin (even) and cos (odd).
    const torch::Tensor i = torch::arange(0, dim, 2, torch::kDouble);
    const torch::Tensor inv = torch::pow(base, -i / static_cast<double>(dim));
    const torch::Tensor ang = pos.to(torch::kDouble).unsqueeze(1) * inv.unsqueeze(0);
    return torch::stack({ang.sin(), ang.cos()}, 2).reshape({pos.size(0), dim}).to(torch::kFloat);
}

SinusoidalImpl::SinusoidalImpl(const PeModelInfo& info, double base, bool flat_2d, double scale)
    : PositionEncodingImpl(info), base_(base), flat_(flat_2d), scale_(scale) {}

// pos: (N, d) -> (N, C); 2D axial: rows' (N, C/2), then columns' (N, C/2).
torch::Tensor SinusoidalImpl::features(const torch::Tensor& pos, double scale, int64_t grid_w) {
    const int64_t C = info_.d_model;
    if (pos.size(1) == 1) return sinusoid_1d(pos.select(1, 0).to(torch::kDouble) * scale, C, base_);
    if (flat_) {
        const torch::Tensor idx = (pos.select(1, 0) * grid_w + pos.select(1, 1) + 1).to(torch::kDouble) * scale;
        return sinusoid_1d(idx, C, base_);
    }
    return torch::cat({sinusoid_1d(pos.select(1, 0).to(torch::kDouble) * scale, C / 2, base_),
                       sinusoid_1d(pos.select(1, 1).to(torch::kDouble) * scale, C / 2, base_)},
                      1);
}

void SinusoidalImpl::begin(const Layout& q, const Layout&) {
    const int64_t w = q.grid.size() == 2 ? q.grid[1] : 0;
    std::vector<torch::Tensor> per;
    for (int64_t g = 0; g < q.groups(); ++g) per.push_back(features(q.pos[g], q.scale, w));
    torch::Tensor pre;
    if (q.prefix > 0 && flat_ && q.dims() == 2) pre = sinusoid_1d(torch::zeros({1}), info_.d_model, base_).squeeze(0);
    current_ = (with_prefix(torch::stack(per), q.prefix, pre) * scale_).to(q.device); // (G, T, C)
}

// As LearnedImpl::add_input: (B/G, G, T, C) + (G, T, C).
torch::Tensor SinusoidalImpl::add_input(const torch::Tensor& x) {
    const int64_t G = current_.size(0), B = x.size(0);
    return (x.view({B / G, G, x.size(1), x.size(2)}) + current_.to(x.dtype()).unsqueeze(0)).view_as(x);
}

torch::Tensor SinusoidalImpl::embeddings(const torch::Tensor& positions) {
    int64_t w = 0;
    if (positions.size(1) == 2) w = positions.select(1, 1).max().item<int64_t>() + 1;
    return features(positions, 1.0, w) * scale_;
}

torch::Tensor SinusoidalImpl::embeddings_at(const Layout& layout) {
    // What begin() computes: the features of the positions times the layout's scale.
    const torch::Tensor pos = layout.pos[0];
    const int64_t w = layout.grid.size() == 2 ? layout.grid[1]
                      : pos.size(1) == 2      ? pos.select(1, 1).max().item<int64_t>() + 1
                                              : 0;
    return features(pos, layout.scale, w) * scale_;
}

} // namespace seqpe
