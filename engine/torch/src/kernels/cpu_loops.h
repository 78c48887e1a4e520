#pragma once
// Shared pieces of the engine's CPU kernels: function multi-versioning, a vectorisable exp, and
// elementwise maps over fp32 or bf16 storage.
//
// The kernels are plain loops the compiler vectorises. The project builds for baseline x86-64, so
// each hot loop is compiled three times (AVX-512, AVX2, baseline) and the loader picks the one the
// CPU runs (GCC's target_clones); bf16 storage is widened to fp32 through small stack blocks, so
// the maths runs in fp32 registers and each element is rounded once on the way out.
#include <ATen/Parallel.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <torch/types.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) &&               \
    !defined(__SANITIZE_THREAD__)
#define SEQPE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SEQPE_CLONES
#endif

namespace seqpe::kernels {

constexpr int64_t kBlock = 1024; // floats per stack block when widening bf16

inline float bits_to_float(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}
inline uint32_t float_to_bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

// exp(v) for v in [-87, 87] (callers clamp): 2^n e^r with |r| <= ln2 / 2 and a degree-6 Taylor
// polynomial (relative error below 2e-7, about 2 ulp); branch-free so the loop vectorises.
inline float exp_clamped(float v) {
    const float n = std::nearbyint(v * 1.4426950408889634f);
    const float r = (v - n * 0.693145751953125f) - n * 1.428606765330187e-06f; // Cody-Waite ln2
    float p = 1.f / 720.f;
    p = p * r + 1.f / 120.f;
    p = p * r + 1.f / 24.f;
    p = p * r + 1.f / 6.f;
    p = p * r + 0.5f;
    p = p * r + 1.f;
    p = p * r + 1.f;
    return p * bits_to_float(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
}

// e^v for v <= 0, flushed to 0 below -87 (where fp32's e^v is denormal or zero anyway).
inline float exp_nonpositive(float v) {
    const float c = v < -87.f ? -87.f : v;
    const float e = exp_clamped(c);
    return v < -87.f ? 0.f : e;
}

// The largest of n floats (-inf for n = 0).
float row_max(const float* x, int64_t n);

// bf16 (as its 16 bits) -> fp32, n elements.
void widen(const uint16_t* in, float* out, int64_t n);
// fp32 -> bf16, rounded to nearest even as c10::BFloat16 does; a NaN becomes the quiet NaN 0x7fc0.
void narrow(const float* in, uint16_t* out, int64_t n);

// out[i] = f(ins[0][i], ..., ins[K-1][i]) over contiguous tensors of one dtype (fp32 or bf16) and
// size, in parallel: fn(in, y, first, n) gets K fp32 pointers to elements [first, first + n) and
// writes n floats to y. fp32 storage is passed through; bf16 is widened through stack blocks and the
// results rounded once on the way out.
template <size_t K, typename Fn>
void map_blocks(const std::array<torch::Tensor, K>& ins, torch::Tensor& out, int64_t grain, Fn fn) {
    if (out.scalar_type() == torch::kFloat) {
        float* o = out.data_ptr<float>();
        at::parallel_for(0, out.numel(), grain, [&](int64_t b, int64_t e) {
            std::array<const float*, K> in;
            for (size_t k = 0; k < K; ++k) in[k] = ins[k].template data_ptr<float>() + b;
            fn(in.data(), o + b, b, e - b);
        });
        return;
    }
    auto* o = reinterpret_cast<uint16_t*>(out.data_ptr());
    at::parallel_for(0, out.numel(), grain, [&](int64_t b, int64_t e) {
        float in[K][kBlock], y[kBlock];
        std::array<const float*, K> ptr;
        for (int64_t i = b; i < e; i += kBlock) {
            const int64_t n = std::min(kBlock, e - i);
            for (size_t k = 0; k < K; ++k) {
                widen(reinterpret_cast<const uint16_t*>(ins[k].data_ptr()) + i, in[k], n);
                ptr[k] = in[k];
            }
            fn(ptr.data(), y, i, n);
            narrow(y, o + i, n);
        }
    });
}

} // namespace seqpe::kernels
