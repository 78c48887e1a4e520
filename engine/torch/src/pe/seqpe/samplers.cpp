// SeqPE samplers: random shift, contrastive candidates (window, digit-edit hard negatives, random),
// transfer (distillation) students.
#include "pe/seqpe/samplers.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_set>

namespace seqpe {

int64_t squared_distance(const int64_t* a, const int64_t* b, int dims) {
    int64_t s = 0;
    for (int i = 0; i < dims; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

// ---- shift ---------------------------------------------------------------------------------------

ShiftSampler::ShiftSampler(const SamplerGeometry& g, int64_t count, uint64_t seed) : g_(g) {
    const int64_t span = g.axis_extent - g.train_extent + 1; // offsets per axis
    if (span < 1) return;
    candidates_ = g.dims == 1 ? span : span * span;
    Rng rng(seed);
    const int64_t keep = std::min(count, candidates_);
    // Shuffle-and-keep-first equals drawing `keep` distinct candidates in random order.
    for (const int64_t idx : rng.sample(candidates_, keep)) {
        if (g.dims == 1) {
            offsets_.push_back(idx);
        } else {
            offsets_.push_back(idx / span);
            offsets_.push_back(idx % span);
        }
    }
}

std::vector<int64_t> ShiftSampler::draw(Rng& rng, int64_t layouts) const {
    std::vector<int64_t> out;
    const int64_t n = static_cast<int64_t>(offsets_.size()) / g_.dims;
    if (n == 0) return out;
    const int64_t start = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
    for (int64_t i = 0; i < layouts; ++i) {
        const int64_t k = (start + i) % n;
        for (int d = 0; d < g_.dims; ++d) out.push_back(offsets_[static_cast<size_t>(k * g_.dims + d)]);
    }
    return out;
}

// ---- hard negatives --------------------------------------------------------------------------------

namespace {

std::string to_digits(int64_t v, int64_t base) {
    static const char* sym = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s;
    do {
        s.insert(s.begin(), sym[v % base]);
        v /= base;
    } while (v > 0);
    return s;
}

int64_t from_digits(const std::string& s, int64_t base) {
    int64_t v = 0;
    for (const char ch : s) {
        const int64_t d = ch <= '9' ? ch - '0' : ch - 'a' + 10;
        if (v > (std::numeric_limits<int64_t>::max() - d) / base) return std::numeric_limits<int64_t>::max();
        v = v * base + d;
    }
    return v;
}

char digit_char(int64_t d) {
    return "0123456789abcdefghijklmnopqrstuvwxyz"[d];
}

// One edit (insert, swap, replace, delete) following the official rules; false when it failed.
bool edit_once(std::string& s, int64_t base, size_t max_len, Rng& rng) {
    switch (rng.below(4)) {
    case 0: { // insert a digit; a leading digit is 1..base-1
        if (s.size() >= max_len) return false;
        const size_t at = rng.below(s.size() + 1);
        const int64_t d = at == 0 ? 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(base - 1)))
                                  : static_cast<int64_t>(rng.below(static_cast<uint64_t>(base)));
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), digit_char(d));
        return true;
    }
    case 1: { // swap two digits; never a leading 0, never a no-op
        if (s.size() < 2) return false;
        for (int tries = 0; tries < 10; ++tries) {
            const size_t i = rng.below(s.size()), j = rng.below(s.size());
            if (i == j || s[i] == s[j]) continue;
            std::string t = s;
            std::swap(t[i], t[j]);
            if (t[0] == '0') continue;
            s = t;
            return true;
        }
        return false;
    }
    case 2: { // replace a digit by a different one; never a leading 0
        const size_t i = rng.below(s.size());
        for (int tries = 0; tries < 20; ++tries) {
            const char c = digit_char(static_cast<int64_t>(rng.below(static_cast<uint64_t>(base))));
            if (c == s[i] || (i == 0 && c == '0' && s.size() > 1)) continue;
            s[i] = c;
            return true;
        }
        return false;
    }
    default: { // delete a digit; never leave a leading 0
        if (s.size() < 2) return false;
        const size_t i = rng.below(s.size());
        if (i == 0 && s[1] == '0') return false;
        s.erase(i, 1);
        return true;
    }
    }
}

// A mutated value of one coordinate string, or -1.
int64_t mutate_value(int64_t v, int64_t base, int digits, int64_t limit, Rng& rng) {
    std::string s = to_digits(v, base);
    const int k = 1 + static_cast<int>(rng.below(3));
    int done = 0;
    for (int attempt = 0; attempt < 30 && done < k; ++attempt) {
        std::string t = s;
        if (!edit_once(t, base, static_cast<size_t>(digits), rng)) continue;
        if (from_digits(t, base) >= limit) continue; // out of range: draw another operation
        s = t;
        ++done;
    }
    return done == k ? from_digits(s, base) : -1;
}

} // namespace

std::vector<int64_t> hard_negatives(const SamplerGeometry& g, const int64_t* anchor, int64_t count, int64_t min_dist2,
                                    bool concat_2d, Rng& rng) {
    std::vector<int64_t> out;
    for (int64_t attempt = 0; attempt < 4 * count && static_cast<int64_t>(out.size()) / g.dims < count; ++attempt) {
        int64_t m[2] = {anchor[0], g.dims == 2 ? anchor[1] : 0};
        if (g.dims == 1) {
            m[0] = mutate_value(anchor[0], g.base, g.digits, g.axis_extent, rng);
            if (m[0] < 0) continue;
        } else if (concat_2d) {
            // Official: mutate the concatenated "rc" string, then cut it at a random place.
            const std::string joined = to_digits(anchor[0], g.base) + to_digits(anchor[1], g.base);
            std::string s = joined;
            const int k = 1 + static_cast<int>(rng.below(3));
            int done = 0;
            for (int a = 0; a < 30 && done < k; ++a) {
                std::string t = s;
                if (!edit_once(t, g.base, static_cast<size_t>(2 * g.digits), rng)) continue;
                if (t.size() > static_cast<size_t>(2 * g.digits)) continue;
                s = t;
                ++done;
            }
            if (done < k) continue;
            if (s.size() == 1) s = rng.below(2) ? "0" + s : s + "0";
            // cut so both parts have 1..D digits
            const int64_t lo = std::max<int64_t>(1, static_cast<int64_t>(s.size()) - g.digits);
            const int64_t hi = std::min<int64_t>(g.digits, static_cast<int64_t>(s.size()) - 1);
            if (lo > hi) continue;
            const int64_t cut = rng.range(lo, hi + 1);
            m[0] = from_digits(s.substr(0, static_cast<size_t>(cut)), g.base);
            m[1] = from_digits(s.substr(static_cast<size_t>(cut)), g.base);
            if (m[0] >= g.axis_extent || m[1] >= g.axis_extent) continue;
        } else {
            // Per axis: mutate one coordinate's digit string (unambiguous, stays on the grid).
            const int axis = static_cast<int>(rng.below(2));
            const int64_t v = mutate_value(anchor[axis], g.base, g.digits, g.axis_extent, rng);
            if (v < 0) continue;
            m[axis] = v;
        }
        if (squared_distance(m, anchor, g.dims) <= min_dist2) continue; // string-similar, numerically far
        for (int d = 0; d < g.dims; ++d) out.push_back(m[d]);
    }
    return out;
}

// ---- contrastive ---------------------------------------------------------------------------------

static void random_position(const SamplerGeometry& g, Rng& rng, int64_t* out) {
    for (int d = 0; d < g.dims; ++d) out[d] = static_cast<int64_t>(rng.below(static_cast<uint64_t>(g.axis_extent)));
}

ContrastiveBatch sample_contrastive(const SamplerGeometry& g, const ContrastiveOptions& o, Rng& rng, int64_t batch) {
    const int dims = g.dims;
    const int64_t c = o.candidates;
    ContrastiveBatch out;
    out.anchors.resize(static_cast<size_t>(batch * dims));
    out.candidates.reserve(static_cast<size_t>(batch * c * dims));
    for (int64_t b = 0; b < batch; ++b) {
        int64_t* a = &out.anchors[static_cast<size_t>(b * dims)];
        random_position(g, rng, a);
        auto key = [&](const int64_t* p) { return dims == 1 ? p[0] : p[0] * g.axis_extent + p[1]; };
        auto unkey = [&](int64_t k, int64_t* p) {
            if (dims == 1)
                p[0] = k;
            else {
                p[0] = k / g.axis_extent;
                p[1] = k % g.axis_extent;
            }
        };
        // R: c + 1 distinct uniform positions (may contain the anchor).
        const std::vector<int64_t> random_keys = rng.sample(g.positions(), c + 1);
        std::vector<int64_t> special; // keys
        const double u = rng.uniform();
        if (u < o.hard_prob) {
            const int64_t n_hard = static_cast<int64_t>(static_cast<double>(c) * o.hard_ratio);
            int64_t min_d = std::numeric_limits<int64_t>::max();
            int64_t p[2];
            for (int64_t i = 0; i < c + 1 - n_hard; ++i) {
                unkey(random_keys[static_cast<size_t>(i)], p);
                min_d = std::min(min_d, squared_distance(p, a, dims));
            }
            const auto hard = hard_negatives(g, a, n_hard, min_d, o.hard_2d_concat, rng);
            for (size_t i = 0; i + dims <= hard.size(); i += dims) special.push_back(key(&hard[i]));
        } else if (u < o.hard_prob + o.window_prob) {
            if (dims == 1) {
                const int64_t w = std::min(g.axis_extent, std::max(o.window, 5 * c));
                int64_t start;
                if (o.window_around_anchor)
                    start = std::clamp<int64_t>(a[0] - static_cast<int64_t>(rng.below(static_cast<uint64_t>(w))), 0,
                                                g.axis_extent - w);
                else
                    start = static_cast<int64_t>(static_cast<double>(std::max<int64_t>(0, g.axis_extent - o.window)) *
                                                 rng.uniform());
                const int64_t end = std::min(g.axis_extent, start + w);
                const int64_t size = end - start;
                for (const int64_t i : rng.sample(size, std::min(size, c))) special.push_back(start + i);
            } else {
                int64_t side = 1;
                while ((side + 1) * (side + 1) <= o.window) ++side;
                int64_t side5 = 1;
                while ((side5 + 1) * (side5 + 1) <= 5 * c) ++side5;
                side = std::min(g.axis_extent, std::max(side, side5));
                int64_t st[2];
                for (int d = 0; d < 2; ++d) {
                    if (o.window_around_anchor)
                        st[d] = std::clamp<int64_t>(a[d] - static_cast<int64_t>(rng.below(static_cast<uint64_t>(side))),
                                                    0, g.axis_extent - side);
                    else
                        st[d] = static_cast<int64_t>(static_cast<double>(g.axis_extent - side) * rng.uniform());
                }
                for (const int64_t i : rng.sample(side * side, std::min(side * side, c)))
                    special.push_back((st[0] + i / side) * g.axis_extent + st[1] + i % side);
            }
        }
        // Candidates = special ++ random, de-duplicated in order, anchor removed, truncated to c.
        std::unordered_set<int64_t> seen{key(a)};
        std::vector<int64_t> cand;
        for (const std::vector<int64_t>* list :
             std::initializer_list<const std::vector<int64_t>*>{&special, &random_keys})
            for (const int64_t k : *list)
                if (static_cast<int64_t>(cand.size()) < c && seen.insert(k).second) cand.push_back(k);
        int64_t best = 0, best_d = std::numeric_limits<int64_t>::max();
        for (int64_t i = 0; i < c; ++i) {
            int64_t p[2];
            unkey(cand[static_cast<size_t>(i)], p);
            for (int d = 0; d < dims; ++d) out.candidates.push_back(p[d]);
            const int64_t dd = squared_distance(p, a, dims);
            if (dd < best_d) {
                best_d = dd;
                best = i;
            }
        }
        out.labels.push_back(best);
    }
    return out;
}

// ---- transfer --------------------------------------------------------------------------------------

TransferBatch sample_transfer(const SamplerGeometry& g, Rng& rng, int64_t batch, int64_t positions) {
    TransferBatch out;
    const int64_t N = g.train_extent;
    for (int64_t b = 0; b < batch; ++b) {
        int64_t s[2] = {0, 0};
        if (g.dims == 1) {
            s[0] = rng.range(N / 4, g.axis_extent - N);
        } else {
            const int64_t span = g.axis_extent - N; // starts in [0, A - g) per axis
            do {
                s[0] = static_cast<int64_t>(rng.below(static_cast<uint64_t>(span)));
                s[1] = static_cast<int64_t>(rng.below(static_cast<uint64_t>(span)));
            } while (s[0] < N && s[1] < N);
        }
        for (const int64_t slot : rng.sample(g.train_positions(), positions)) {
            out.slots.push_back(slot);
            if (g.dims == 1) {
                out.students.push_back(s[0] + slot);
            } else {
                out.students.push_back(s[0] + slot / N);
                out.students.push_back(s[1] + slot % N);
            }
        }
    }
    return out;
}

UniqueRows unique_rows(const int64_t* flat, int64_t count, int dims) {
    const auto row = [&](int64_t i) { return flat + i * dims; };
    std::vector<int64_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return std::lexicographical_compare(row(a), row(a) + dims, row(b), row(b) + dims);
    });
    UniqueRows u;
    u.inverse.resize(static_cast<size_t>(count));
    int64_t distinct = -1;
    for (size_t k = 0; k < order.size(); ++k) {
        const int64_t i = order[k];
        if (k == 0 || !std::equal(row(i), row(i) + dims, row(order[k - 1]))) {
            u.rows.insert(u.rows.end(), row(i), row(i) + dims);
            ++distinct;
        }
        u.inverse[static_cast<size_t>(i)] = distinct;
    }
    return u;
}

} // namespace seqpe
