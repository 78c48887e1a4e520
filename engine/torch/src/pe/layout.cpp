#include "pe/layout.h"

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

} // namespace seqpe
