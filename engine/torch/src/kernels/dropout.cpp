// Dropout with a counter-based mask (kernels/dropout.h).
#include "kernels/dropout.h"

#include "kernels/cpu_loops.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <algorithm>
#include <mutex>
#include <torch/autograd.h>

namespace seqpe {

namespace {

// A 32-bit finaliser with low bias (C. Wellons' "lowbias32"): every input bit flips each output bit
// with probability close to 1/2.
inline uint32_t mix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

// 1 when element i is kept: two keyed rounds of the finaliser over the index, top 24 bits
// against the threshold p 2^24 (so P(drop) = threshold / 2^24, p to within 6e-8).
inline uint32_t keep_bit(uint32_t k0, uint32_t k1, uint32_t i, uint32_t threshold) {
    return (mix32(mix32(i ^ k0) + k1) >> 8) >= threshold ? 1u : 0u;
}

struct Key {
    uint32_t k0, k1, threshold;
    float scale;
};

Key make_key(uint64_t key, double p) {
    return {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32),
            static_cast<uint32_t>(std::clamp(p, 0.0, 1.0) * 16777216.0),
            p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.f};
}

// Elements [first, first + n) of the flat tensor. Indices are taken modulo 2^32 (tensors here are
// far smaller; beyond that the mask would repeat with period 2^32).
SEQPE_CLONES void apply_loop(const float* x, float* y, int64_t first, int64_t n, Key k) {
    for (int64_t j = 0; j < n; ++j) {
        const uint32_t keep = keep_bit(k.k0, k.k1, static_cast<uint32_t>(first + j), k.threshold);
        y[j] = keep ? x[j] * k.scale : 0.f;
    }
}

SEQPE_CLONES void mask_loop(uint8_t* m, int64_t first, int64_t n, Key k) {
    for (int64_t j = 0; j < n; ++j)
        m[j] = static_cast<uint8_t>(keep_bit(k.k0, k.k1, static_cast<uint32_t>(first + j), k.threshold));
}

uint64_t draw_key() {
    // The default CPU generator: the trainer seeds it per step from (seed, step).
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get<at::CPUGeneratorImpl>()->random64();
}

} // namespace

// Outside the anonymous namespace so that profiles name its backward node readably
// (CppNode<seqpe::kernels::DropoutFn>).
namespace kernels {

class DropoutFn : public torch::autograd::Function<DropoutFn> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double p) {
        const uint64_t key = draw_key();
        ctx->saved_data["key"] = static_cast<int64_t>(key);
        ctx->saved_data["p"] = p;
        return dropout_apply_cpu(x, key, p);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto key = static_cast<uint64_t>(ctx->saved_data["key"].toInt());
        return {dropout_apply_cpu(grads[0], key, ctx->saved_data["p"].toDouble()), torch::Tensor()};
    }
};
} // namespace kernels

torch::Tensor dropout_apply_cpu(const torch::Tensor& x_in, uint64_t key, double p) {
    if (x_in.scalar_type() != torch::kFloat && x_in.scalar_type() != torch::kBFloat16) // e.g. a double gradient
        return (x_in * dropout_mask(key, x_in.numel(), p).view(x_in.sizes()).to(x_in.scalar_type())) *
               (1.0 / (1.0 - p));
    const torch::Tensor x = x_in.contiguous();
    torch::Tensor y = torch::empty_like(x);
    const Key k = make_key(key, p);
    kernels::map_blocks<1>({x}, y, 32768, [&](const float* const* in, float* out, int64_t first, int64_t n) {
        apply_loop(in[0], out, first, n, k);
    });
    return y;
}

torch::Tensor dropout_mask(uint64_t key, int64_t n, double p) {
    torch::Tensor m = torch::empty({n}, torch::kUInt8);
    const Key k = make_key(key, p);
    mask_loop(m.data_ptr<uint8_t>(), 0, n, k);
    return m;
}

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
    if (!training || p <= 0) return x;
    const bool kernel =
        x.device().is_cpu() && (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kBFloat16);
    if (!kernel || p >= 1) return torch::dropout(x, p, true);
    return kernels::DropoutFn::apply(x, p);
}

} // namespace seqpe
