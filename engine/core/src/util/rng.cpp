// Rng::sample: k distinct indices below n (a partial Fisher-Yates shuffle when k is a large share of
// n, else rejection of repeats); normal, gamma and beta draws mapped from raw draws here (std's
// distributions differ between standard libraries).
#include "util/rng.h"

#include <cmath>
#include <unordered_set>

namespace seqpe {

std::vector<int64_t> Rng::sample(int64_t n, int64_t k) {
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(k));
    if (k * 3 >= n) { // dense: partial Fisher-Yates
        std::vector<int64_t> all(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) all[i] = i;
        for (int64_t i = 0; i < k; ++i) {
            const int64_t j = i + static_cast<int64_t>(below(static_cast<uint64_t>(n - i)));
            std::swap(all[i], all[j]);
            out.push_back(all[i]);
        }
        return out;
    }
    std::unordered_set<int64_t> seen;
    while (static_cast<int64_t>(out.size()) < k) {
        const int64_t x = static_cast<int64_t>(below(static_cast<uint64_t>(n)));
        if (seen.insert(x).second) out.push_back(x);
    }
    return out;
}

} // namespace seqpe

namespace seqpe {

double Rng::normal() {
    // Box-Muller; 1 - uniform() lies in (0, 1], so the log is finite.
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

double Rng::gamma(double shape) {
    // Marsaglia and Tsang (2000); shape < 1 via Gamma(shape + 1) * U^(1 / shape).
    if (shape < 1.0) return gamma(shape + 1.0) * std::pow(1.0 - uniform(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = 1.0 - uniform();
        if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
}

double Rng::beta(double a, double b) {
    const double x = gamma(a), y = gamma(b);
    return x + y > 0 ? x / (x + y) : 0.5;
}

} // namespace seqpe
