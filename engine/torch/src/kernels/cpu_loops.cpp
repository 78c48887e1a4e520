// The out-of-line pieces of kernels/cpu_loops.h.
#include "kernels/cpu_loops.h"

#include <limits>

namespace seqpe::kernels {

SEQPE_CLONES void widen(const uint16_t* in, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = bits_to_float(static_cast<uint32_t>(in[i]) << 16);
}

SEQPE_CLONES void narrow(const float* in, uint16_t* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t b = float_to_bits(in[i]);
        const uint32_t rounded = (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;
        out[i] = static_cast<uint16_t>((b & 0x7fffffffu) > 0x7f800000u ? 0x7fc0u : rounded);
    }
}

SEQPE_CLONES float row_max(const float* x, int64_t n) {
    float m = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : m)
    for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
}

} // namespace seqpe::kernels
