#pragma once
// Positions of the tokens one forward pass sees, handed to the position encoding.
#include "seqpe/config.h"

#include <cstdint>
#include <string>
#include <torch/types.h>
#include <vector>

namespace seqpe {

struct Layout {
    // (G, N, d) int64: the positions of the N position-carrying tokens, for each of G layouts.
    // Example b of a batch uses layout b % G (G > 1 only on SeqPE's random-shift steps).
    torch::Tensor pos;
    int64_t prefix = 0;        // tokens before them that carry no position (the ViT class token)
    std::vector<int64_t> grid; // (H, W) of a 2D grid layout; empty in 1D
    double scale = 1.0;        // "interpolate" evaluation: positions are multiplied by this
    // Evaluation-time context extension of rotary encodings (eval modes ntk, dynamic-ntk, yarn; ""
    // none), by the factor s of each axis: the evaluated length (grid rows, grid columns) over the
    // trained one. dynamic-ntk takes its factor from the positions of each forward pass instead.
    std::string rope_extension;
    double rope_factor[2] = {1.0, 1.0}; // 1D: [0]; 2D: rows, columns
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
// An evaluation mode on a layout of `rows` x `cols` (1D: rows = cols = the length) for a model
// trained at `trained` (length, or grid side): interpolate scales positions into the trained range
// (Position Interpolation for RoPE); ntk, dynamic-ntk and yarn set the rotary extension and its
// factors (rows / trained, cols / trained, at least 1); extend changes nothing.
void apply_eval_mode(Layout& l, const std::string& mode, int64_t trained, int64_t rows, int64_t cols);
// Randomized positions (Ruoss et al. 2023): replaces the positions of a one-group layout by a sorted
// random subset of [0, range) of the same size (2D: sorted subsets of rows and of columns, their
// grid), drawn from `seed`. The order of the tokens and the relative order of positions stay.
void randomize_positions(Layout& l, int64_t range, uint64_t seed);
// Evaluation (of a resolved config) of a run trained on randomized positions with
// eval.randomized_positions "sampled" (as
// Ruoss et al.'s reference code, which samples at training and test alike): the positions of batch
// `batch` of the evaluation at `length` become a sorted random subset of [0, randomize_max), drawn
// from train.seed so that evaluations repeat and runs of one seed see the same draws. Only in
// extend mode and where the layout fits the range; otherwise the layout stays 0..L-1. Returns
// whether it sampled.
bool sample_eval_positions(Layout& l, const ResolvedConfig& c, const std::string& mode, int64_t length, int64_t batch);
// (n, d) positions of a grid, row-major, as a plain tensor.
torch::Tensor grid_positions(int64_t h, int64_t w, int64_t r0 = 0, int64_t c0 = 0);

} // namespace seqpe
