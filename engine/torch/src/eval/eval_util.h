#pragma once
// What the evaluations of every task share: the interval bootstrap's settings and the table's
// notes on rows evaluated past the trained length.
#include "seqpe/config.h"
#include "seqpe/encodings.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace seqpe {

// The bootstrap of every evaluation interval (docs/METHOD.md §14): 1000 resamples, the seed a
// function of the length and mode only, so two runs of the same evaluation give the same interval.
inline constexpr int kBootstrapResamples = 1000;
inline uint64_t bootstrap_seed(int64_t length, const std::string& mode) {
    uint64_t h = 1469598103934665603ull; // FNV-1a over the mode, then the length
    for (const char ch : mode) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    return h ^ static_cast<uint64_t>(length) * 0x9E3779B97F4A7C15ull;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A note of the encodings table with {train} replaced by the trained length or size.
inline std::string fill_note(const char* text, int64_t train) {
    std::string n = text ? text : "";
    if (const size_t at = n.find("{train}"); at != std::string::npos) n.replace(at, 7, std::to_string(train));
    return n;
}

// The note for a 1D row of `positions` under `mode`: how the encoding reached positions it never
// trained on; "" when it did not.
inline std::string extrapolation_note(const EncodingInfo* e, const RunConfig& c, const std::string& mode,
                                      int64_t positions) {
    if (!e) return {};
    const auto fill = [&](const char* text) { return fill_note(text, c.train.seq_len); };
    if (mode == "interpolate" && e->interpolate_note && *e->interpolate_note) return fill(e->interpolate_note);
    // Trained on randomized positions up to randomize_max: nothing is resampled below it.
    const bool seen = c.position_encoding.randomize && positions <= c.position_encoding.randomize_max;
    if (positions > c.train.seq_len && !seen) return fill(e->resized_note);
    return {};
}

} // namespace seqpe
