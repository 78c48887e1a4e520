// Rng::sample: k distinct indices below n (a partial Fisher-Yates shuffle when k is a large share of
// n, else rejection of repeats).
#include "util/rng.h"

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
