#pragma once
// A plain float buffer with its shape, row-major: what crosses from the engine to the views.
#include <cstdint>
#include <vector>

namespace seqpe {

struct Matrix {
    std::vector<float> data;
    std::vector<int64_t> shape;
    int64_t numel() const {
        int64_t n = shape.empty() ? 0 : 1;
        for (auto s : shape) n *= s;
        return n;
    }
};

} // namespace seqpe
