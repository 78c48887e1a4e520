#pragma once
// Encodings added to the input embeddings: learnable table, sinusoidal, and none.
#include "pe/encoding.h"

namespace seqpe {

// A trained table: 1D one row per training position; 2D the training grid (g, g) plus a vector for
// the class token. Past the table it is resampled (linear in 1D, bicubic in 2D, align_corners
// false), as the official evaluation does.
class LearnedImpl : public PositionEncodingImpl {
public:
    explicit LearnedImpl(const PeModelInfo& info);
    void begin(const Layout& q, const Layout& k) override;
    torch::Tensor add_input(const torch::Tensor& x) override;
    void end() override { current_ = torch::Tensor(); }
    torch::Tensor embeddings(const torch::Tensor& positions) override;
    torch::Tensor embeddings_at(const Layout& layout) override; // what begin() reads, in either mode

    torch::Tensor table; // 1D: (L, C); 2D: (g, g, C)
    torch::Tensor cls;   // 2D: (C)

private:
    // (N, d) -> (N, C); `extent` (1D): resample to at least this many rows when past the table.
    torch::Tensor lookup(const torch::Tensor& pos, const std::vector<int64_t>& grid, int64_t extent = 0);
    torch::Tensor current_; // (G, T, C)
};

// Fixed sin/cos features. 1D: dim 2i = sin(p / base^(2i/C)), 2i+1 = cos. 2D axial: the first C/2
// channels encode the row, the rest the column; flat: the row-major index 1 + r*W + c, class token 0.
// Scaled by `scale`: raw unit-amplitude features would drown GPT-2-initialised token embeddings
// (std 0.02) after the first LayerNorm, and the small models here then cannot learn at all.
class SinusoidalImpl : public PositionEncodingImpl {
public:
    SinusoidalImpl(const PeModelInfo& info, double base, bool flat_2d, double scale);
    void begin(const Layout& q, const Layout& k) override;
    torch::Tensor add_input(const torch::Tensor& x) override;
    void end() override { current_ = torch::Tensor(); }
    torch::Tensor embeddings(const torch::Tensor& positions) override;
    torch::Tensor embeddings_at(const Layout& layout) override; // interpolated: scaled positions

private:
    torch::Tensor features(const torch::Tensor& pos, double scale, int64_t grid_w); // (N, d) -> (N, C)
    double base_;
    bool flat_;
    double scale_;
    torch::Tensor current_;
};

class NoneImpl : public PositionEncodingImpl {
public:
    using PositionEncodingImpl::PositionEncodingImpl;
};

// Resampling of a trained table to another size (align_corners false, as the official evaluation):
// (L, C) -> (n, C) linear; (g, g, C) -> (h, w, C) bicubic.
torch::Tensor resample_1d(const torch::Tensor& table, int64_t n);
torch::Tensor resample_2d(const torch::Tensor& table, int64_t h, int64_t w);
// Rows of a (g, g, C) grid table resampled to `grid` (h, w; empty: the positions' extent), read at
// pos (N, 2) row-major: (N, C).
torch::Tensor read_resampled_grid(const torch::Tensor& table, const torch::Tensor& pos,
                                  const std::vector<int64_t>& grid);
// The trained range read at an interpolated layout's positions (group 0): `train` holds the
// embeddings of the trained positions, (t, C) in 1D or the row-major t x t grid (t*t, C) in 2D.
// 1D resamples to max(largest position + 1, layout.extent) rows and gathers, so that a sequence
// decoded one position at a time reads one table; 2D resamples to the layout's grid. Returns
// (N, C), differentiable in `train`.
torch::Tensor resample_trained(const torch::Tensor& train, const Layout& layout);

// (N) float positions -> (N, dim) interleaved sin/cos features.
torch::Tensor sinusoid_1d(const torch::Tensor& pos, int64_t dim, double base);

} // namespace seqpe
