#pragma once
// SeqPE's position tokenisation (docs/METHOD.md §1): a position of d axes is written as d blocks
// of D fixed-width digits (most significant first, left-padded with the digit 0), concatenated in
// axis order. Pure functions on standard types, shared by validation, the encoder and the tests.
#include <cstdint>
#include <string>
#include <vector>

namespace seqpe {

struct DigitScheme {
    int dims = 1;   // d: 1 for text, 2 for image grids
    int digits = 5; // D per axis
    int64_t base = 10;
    bool per_dim_slots = false; // slot ids restart per axis (paper figure) instead of running

    int length() const { return digits * dims; } // L_seq (without the CLS token)
    int64_t max_per_axis() const;                // base^D - 1 (saturating)
};

// Digits needed for `value` in `base` (at least 1).
int digit_count(int64_t value, int64_t base = 10);

// The scheme of the official code: 1D: D = digits of (max_position - 1); 2D: the per-axis range is
// floor(sqrt(max_position)) and D = digits of (that - 1). `forced_digits` > 0 overrides.
DigitScheme make_digit_scheme(int dims, int64_t max_position, int64_t base, int forced_digits, bool per_dim_slots);

// Per-axis position range [0, axis_extent) implied by max_position (1D: max_position; 2D: floor(sqrt)).
int64_t axis_extent(int dims, int64_t max_position);

struct TokenizedPosition {
    std::vector<int64_t> tokens;   // digit values, length D*d
    std::vector<int64_t> pad_mask; // 1 = real digit, 0 = left padding (position 0 has one real digit)
    std::vector<int64_t> slots;    // 0..D*d-1 (running) or 0..D-1 per axis
    std::vector<int64_t> dim_ids;  // axis of each digit
};

// Throws InputError when a coordinate is negative or needs more than D digits (never truncates).
TokenizedPosition tokenize_position(const DigitScheme& s, const std::vector<int64_t>& position);

} // namespace seqpe
