#pragma once
// SeqPE's training-time position samplers (docs/METHOD.md §4-§6), in plain C++ so the tests can
// check the facts of docs/METHOD.md §11 directly. Every draw takes an Rng derived from (seed, step,
// stream): a resumed run samples exactly what an uninterrupted one would.
#include "util/rng.h"

#include <cstdint>
#include <vector>

namespace seqpe {

// A position as d coordinates (d = 1 or 2), stored flat in the vectors below.
struct SamplerGeometry {
    int dims = 1;
    int64_t train_extent = 0; // 1D: training length N; 2D: training grid side g
    int64_t axis_extent = 0;  // 1D: max_position; 2D: floor(sqrt(max_position)) = A
    int digits = 5;           // D per axis
    int64_t base = 10;
    int64_t positions() const { return dims == 1 ? axis_extent : axis_extent * axis_extent; } // |S|
    int64_t train_positions() const { return dims == 1 ? train_extent : train_extent * train_extent; }
};

// §4.1 random shift: candidate offsets (1D o in [0, A - N]; 2D (or, oc) in [0, A - g]^2) are
// shuffled once and the first `count` kept for the whole run.
class ShiftSampler {
public:
    ShiftSampler(const SamplerGeometry& g, int64_t count, uint64_t seed);
    int64_t candidates() const { return candidates_; }
    const std::vector<int64_t>& offsets() const { return offsets_; } // flat, d per offset
    // `layouts` consecutive kept offsets starting at a random index (wrapping), flat.
    std::vector<int64_t> draw(Rng& rng, int64_t layouts) const;

private:
    SamplerGeometry g_;
    int64_t candidates_ = 0;
    std::vector<int64_t> offsets_;
};

struct ContrastiveOptions {
    int64_t candidates = 32;
    int64_t window = 256;
    double hard_ratio = 0.25;
    double hard_prob = 0.4;
    double window_prob = 0.6;
    bool window_around_anchor = true; // false: anywhere (official)
    bool hard_2d_concat = false;      // 2D hard negatives from the concatenated "rc" string (official)
};

struct ContrastiveBatch {
    std::vector<int64_t> anchors;    // (B, d)
    std::vector<int64_t> candidates; // (B, c, d)
    std::vector<int64_t> labels;     // (B): index of the candidate nearest the anchor (first on ties)
};

// §5.2. Every candidate list has exactly c distinct positions and never the anchor.
ContrastiveBatch sample_contrastive(const SamplerGeometry& g, const ContrastiveOptions& o, Rng& rng, int64_t batch);

// Squared Euclidean distance between two flat positions.
int64_t squared_distance(const int64_t* a, const int64_t* b, int dims);

// §5.2 step 3: `count` digit-edit mutations of `anchor` (flat, d coordinates) that are numerically
// farther from it than `min_dist2`. May return fewer when the string admits few mutations.
std::vector<int64_t> hard_negatives(const SamplerGeometry& g, const int64_t* anchor, int64_t count, int64_t min_dist2,
                                    bool concat_2d, Rng& rng);

struct TransferBatch {
    std::vector<int64_t> slots;    // (B, n): distinct indices into the default layout
    std::vector<int64_t> students; // (B, n, d): the same slots in a far-shifted layout
};

// §6.1. 1D: start s in [N/4, A - N); 2D: (sr, sc) in [0, A - g)^2 outside [0, g)^2.
TransferBatch sample_transfer(const SamplerGeometry& g, Rng& rng, int64_t batch, int64_t positions);

// The distinct rows of `count` positions of `dims` coordinates (flat), in lexicographic order, and
// for each input row the index of its distinct row: what at::unique_dim(rows, 0) returns, without
// its per-row tensor calls (12 ms a step for the ~2,700 rows of SeqPE's default recipe).
struct UniqueRows {
    std::vector<int64_t> rows;    // (U, d)
    std::vector<int64_t> inverse; // (count)
};
UniqueRows unique_rows(const int64_t* flat, int64_t count, int dims);

} // namespace seqpe
