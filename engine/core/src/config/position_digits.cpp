// SeqPE digit tokenisation (pure C++; the encoder builds its tensors from the same rules).
#include "seqpe/position_digits.h"

#include "seqpe/common/error.h"

#include <cmath>

namespace seqpe {

int digit_count(int64_t value, int64_t base) {
    int n = 1;
    while (value >= base) {
        value /= base;
        ++n;
    }
    return n;
}

int64_t DigitScheme::max_per_axis() const {
    int64_t m = 1;
    for (int i = 0; i < digits; ++i) {
        if (m > INT64_MAX / base) return INT64_MAX;
        m *= base;
    }
    return m - 1;
}

int64_t axis_extent(int dims, int64_t max_position) {
    if (dims == 1) return max_position;
    int64_t a = static_cast<int64_t>(std::floor(std::sqrt(static_cast<double>(max_position))));
    while (a * a > max_position) --a;
    while ((a + 1) * (a + 1) <= max_position) ++a;
    return a;
}

DigitScheme make_digit_scheme(int dims, int64_t max_position, int64_t base, int forced_digits, bool per_dim_slots) {
    DigitScheme s;
    s.dims = dims;
    s.base = base;
    s.per_dim_slots = per_dim_slots;
    s.digits = forced_digits > 0 ? forced_digits
                                 : digit_count(std::max<int64_t>(0, axis_extent(dims, max_position) - 1), base);
    return s;
}

TokenizedPosition tokenize_position(const DigitScheme& s, const std::vector<int64_t>& pos) {
    if (static_cast<int>(pos.size()) != s.dims)
        throw InputError("position has " + std::to_string(pos.size()) + " coordinates, the scheme expects " +
                         std::to_string(s.dims));
    TokenizedPosition t;
    const int64_t maxv = s.max_per_axis();
    for (int a = 0; a < s.dims; ++a) {
        const int64_t v = pos[a];
        if (v < 0 || v > maxv)
            throw InputError("position " + std::to_string(v) + " does not fit " + std::to_string(s.digits) + " base-" +
                             std::to_string(s.base) + " digits (max " + std::to_string(maxv) +
                             "); raise position_encoding.seqpe.max_position or max_digits");
        const int real = digit_count(v, s.base);
        std::vector<int64_t> block(s.digits, 0);
        int64_t x = v;
        for (int i = s.digits - 1; i >= 0; --i) {
            block[i] = x % s.base;
            x /= s.base;
        }
        for (int i = 0; i < s.digits; ++i) {
            t.tokens.push_back(block[i]);
            t.pad_mask.push_back(i >= s.digits - real ? 1 : 0);
            t.slots.push_back(s.per_dim_slots ? i : a * s.digits + i);
            t.dim_ids.push_back(a);
        }
    }
    return t;
}

} // namespace seqpe
