#pragma once
// Deterministic, platform-independent randomness. Every random choice of a run is derived from
// (seed, step, stream) so a resumed run draws exactly what an uninterrupted one would, without
// saving generator state. std::mt19937_64 is fully specified by the standard; std distributions
// are not, so the helpers below map raw draws themselves.
#include <cstdint>
#include <random>
#include <vector>

namespace seqpe {

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// A seed for stream `stream` at step `step` of a run seeded with `seed`.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream, uint64_t step = 0) {
    return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ step);
}

class Rng {
public:
    explicit Rng(uint64_t seed) : g_(seed) {}
    uint64_t next() { return g_(); }
    // Uniform integer in [0, n) by rejection (no modulo bias). n > 0.
    uint64_t below(uint64_t n) {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x;
        do x = g_();
        while (x >= limit);
        return x % n;
    }
    int64_t range(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo)));
    }                                                                        // [lo, hi)
    double uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; } // [0, 1)
    template <class T> void shuffle(std::vector<T>& v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }
    // k distinct values from [0, n), in random order (k <= n).
    std::vector<int64_t> sample(int64_t n, int64_t k);
    double normal();                 // N(0, 1), Box-Muller
    double gamma(double shape);      // Gamma(shape, 1), Marsaglia-Tsang; shape > 0
    double beta(double a, double b); // Beta(a, b) from two gammas

private:
    std::mt19937_64 g_;
};

// Stream identifiers (fixed: changing one changes every run's draws).
enum RngStream : uint64_t {
    kStreamInit = 1,
    kStreamData = 2,
    kStreamDropout = 3,
    kStreamShift = 4,
    kStreamContrastive = 5,
    kStreamTransfer = 6,
    kStreamAugment = 7,
    kStreamShiftOffsets = 8,
    kStreamEval = 9,
    kStreamRandomPositions = 10,
    kStreamAlgoTrain = 11, // algorithmic task: training instances (train.seed)
    kStreamAlgoValid = 12, // validation and test instances (algo.seed: the same for every run)
    kStreamAlgoTest = 13,
    kStreamEvalPositions = 14, // randomized positions sampled at evaluation (eval.randomized_positions)
    kStreamResolution = 15,    // data.mixed_resolution: each step's image side
    kStreamMix = 16,           // data.mixup_alpha / cutmix_alpha: each step's mixing draw
};

} // namespace seqpe
