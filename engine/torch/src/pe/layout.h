#pragma once
// Positions of the tokens one forward pass sees, handed to the position encoding.
#include <cstdint>
#include <torch/types.h>
#include <vector>

namespace seqpe {

struct Layout {
    // (G, N, d) int64: the positions of the N position-carrying tokens, for each of G layouts.
    // Example b of a batch uses layout b % G (G > 1 only on SeqPE's random-shift steps).
    torch::Tensor pos;
    int64_t prefix = 0;                 // tokens before them that carry no position (the ViT class token)
    std::vector<int64_t> grid;          // (H, W) of a 2D grid layout; empty in 1D
    double scale = 1.0;                 // "interpolate" evaluation: positions are multiplied by this
    int64_t trained_length = 0;         // 1D: training length; 2D: training grid side (for resampling)
    int64_t extent = 0;                 // 1D: resample tables to this many positions (0: the largest + 1)
    torch::Device device = torch::kCPU; // where the model runs: encodings put their tensors there

    int64_t groups() const { return pos.size(0); }
    int64_t length() const { return pos.size(1); } // N
    int64_t dims() const { return pos.size(2); }
    int64_t tokens() const { return prefix + length(); }
};

// Positions first..first+n-1 as a (1, n, 1) layout.
Layout layout_1d(int64_t n, int64_t first = 0);
// Row-major (h x w) grid from (r0, c0): patch t <-> (r0 + t / w, c0 + t % w); (1, h*w, 2).
Layout layout_2d(int64_t h, int64_t w, int64_t prefix, int64_t r0 = 0, int64_t c0 = 0);
// (n, d) positions of a grid, row-major, as a plain tensor.
torch::Tensor grid_positions(int64_t h, int64_t w, int64_t r0 = 0, int64_t c0 = 0);

} // namespace seqpe
