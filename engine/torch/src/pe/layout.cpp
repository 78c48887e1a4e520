// Layouts of positions (layout.h): consecutive and grid layouts, evaluation modes, randomized positions.
#include "pe/layout.h"

#include "util/rng.h"

#include <algorithm>

namespace seqpe {

Layout layout_1d(int64_t n, int64_t first) {
    Layout l;
    l.pos = torch::arange(first, first + n, torch::kLong).view({1, n, 1});
    return l;
}

torch::Tensor grid_positions(int64_t h, int64_t w, int64_t r0, int64_t c0) {
    const torch::Tensor t = torch::arange(h * w, torch::kLong);
    return torch::stack({t.div(w, "floor") + r0, t.remainder(w) + c0}, 1); // (h*w, 2)
}

Layout layout_2d(int64_t h, int64_t w, int64_t prefix, int64_t r0, int64_t c0) {
    Layout l;
    l.pos = grid_positions(h, w, r0, c0).unsqueeze(0);
    l.prefix = prefix;
    l.grid = {h, w};
    return l;
}

void apply_eval_mode(Layout& l, const std::string& mode, int64_t trained, int64_t rows, int64_t cols) {
    const double t = static_cast<double>(std::max<int64_t>(1, trained));
    if (mode == "interpolate") {
        l.scale = t / static_cast<double>(std::max(rows, cols));
        // Text shorter than the trained length keeps its positions (Position Interpolation only
        // compresses; a fine-tuned run is evaluated at its base run's shorter lengths too). A smaller
        // image grid is still spread over the trained grid, as a resampled table would be.
        if (l.grid.size() != 2) l.scale = std::min(1.0, l.scale);
    }
    if (mode == "ntk" || mode == "dynamic-ntk" || mode == "yarn") {
        l.rope_extension = mode;
        l.rope_factor[0] = std::max(1.0, static_cast<double>(rows) / t);
        l.rope_factor[1] = std::max(1.0, static_cast<double>(cols) / t);
    }
}

void randomize_positions(Layout& l, int64_t range, uint64_t seed) {
    Rng rng(seed);
    auto sorted_subset = [&](int64_t n) {
        std::vector<int64_t> v = rng.sample(range, n);
        std::sort(v.begin(), v.end());
        return torch::tensor(v, torch::kLong);
    };
    if (l.grid.size() == 2) { // rows and columns each a sorted subset: a grid with random spacing
        const torch::Tensor rows = sorted_subset(l.grid[0]), cols = sorted_subset(l.grid[1]);
        const torch::Tensor r = rows.repeat_interleave(l.grid[1]), c = cols.repeat(l.grid[0]);
        l.pos = torch::stack({r, c}, 1).unsqueeze(0); // (1, h*w, 2)
    } else {
        l.pos = sorted_subset(l.length()).view({1, -1, 1}); // (1, N, 1)
    }
}

bool sample_eval_positions(Layout& l, const ResolvedConfig& c, const std::string& mode, int64_t length, int64_t batch) {
    const auto& pe = c.position_encoding;
    if (!pe.randomize || c.eval.randomized_positions != "sampled" || mode != "extend" || l.groups() != 1) return false;
    const int64_t range = pe.randomize_max; // resolved: 0 became the longest evaluated length
    const int64_t need = l.grid.size() == 2 ? std::max(l.grid[0], l.grid[1]) : l.length();
    if (range <= 0 || need > range) return false;
    randomize_positions(l, range,
                        derive_seed(static_cast<uint64_t>(c.train.seed), kStreamEvalPositions,
                                    static_cast<uint64_t>(length) * 1000003ULL + static_cast<uint64_t>(batch)));
    return true;
}

} // namespace seqpe
