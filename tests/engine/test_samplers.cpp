// SeqPE samplers: the checkable facts 13, 15, 18 and 19 of docs/METHOD.md §11.
#include "pe/seqpe/samplers.h"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <torch/torch.h>

using namespace seqpe;

namespace {

SamplerGeometry text_geometry() { // official text settings: N = 512, PE_MAX_POSITION = 20000
    SamplerGeometry g;
    g.dims = 1;
    g.train_extent = 512;
    g.axis_extent = 20000;
    g.digits = 5;
    return g;
}

SamplerGeometry image_geometry() { // official ViT-S: 14x14 grid, 100x100 positions
    SamplerGeometry g;
    g.dims = 2;
    g.train_extent = 14;
    g.axis_extent = 100;
    g.digits = 2;
    return g;
}

void check_contrastive(const SamplerGeometry& g, const ContrastiveOptions& o, uint64_t seed) {
    Rng rng(seed);
    const int64_t B = 64, c = o.candidates, d = g.dims;
    const ContrastiveBatch b = sample_contrastive(g, o, rng, B);
    ASSERT_EQ(b.anchors.size(), static_cast<size_t>(B * d));
    ASSERT_EQ(b.candidates.size(), static_cast<size_t>(B * c * d));
    ASSERT_EQ(b.labels.size(), static_cast<size_t>(B));
    for (int64_t i = 0; i < B; ++i) {
        const int64_t* a = &b.anchors[static_cast<size_t>(i * d)];
        std::set<std::vector<int64_t>> seen;
        int64_t best = -1, best_d = INT64_MAX;
        for (int64_t k = 0; k < c; ++k) {
            const int64_t* p = &b.candidates[static_cast<size_t>((i * c + k) * d)];
            std::vector<int64_t> v(p, p + d);
            for (int64_t x : v) {
                EXPECT_GE(x, 0);
                EXPECT_LT(x, g.axis_extent);
            }
            EXPECT_TRUE(seen.insert(v).second) << "duplicate candidate";
            EXPECT_NE(v, std::vector<int64_t>(a, a + d)) << "the anchor is a candidate";
            const int64_t dd = squared_distance(p, a, static_cast<int>(d));
            if (dd < best_d) {
                best_d = dd;
                best = k;
            }
        }
        const int64_t label = b.labels[static_cast<size_t>(i)];
        EXPECT_GE(label, 0);
        EXPECT_LT(label, c);
        EXPECT_EQ(label, best) << "label is the first nearest candidate";
    }
}

} // namespace

TEST(Samplers, ContrastiveCandidatesAreDistinctNeverTheAnchorAndLabelIsNearest) { // §11.13
    ContrastiveOptions text; // defaults: 32 candidates, window 256, hard 0.4 / window 0.6
    for (uint64_t s = 1; s <= 5; ++s) check_contrastive(text_geometry(), text, s);
    text.window_around_anchor = false; // official window placement
    check_contrastive(text_geometry(), text, 9);
    ContrastiveOptions image;
    image.candidates = 64;
    image.window = 196;
    image.hard_ratio = 0.2;
    image.hard_prob = 0.3;
    image.window_prob = 0.2;
    for (uint64_t s = 1; s <= 5; ++s) check_contrastive(image_geometry(), image, s);
    image.hard_2d_concat = true;
    check_contrastive(image_geometry(), image, 11);
}

TEST(Samplers, WindowAroundTheAnchorMakesTheNearestCandidateClose) {
    ContrastiveOptions o;
    o.hard_prob = 0;
    o.window_prob = 1; // window mode only
    Rng rng(3);
    const auto b = sample_contrastive(text_geometry(), o, rng, 200);
    double mean_dist = 0;
    for (int i = 0; i < 200; ++i) {
        const int64_t a = b.anchors[static_cast<size_t>(i)];
        const int64_t p = b.candidates[static_cast<size_t>(i * 32 + b.labels[static_cast<size_t>(i)])];
        mean_dist += std::abs(a - p);
    }
    EXPECT_LT(mean_dist / 200, 10.0); // 32 of the 256 window positions around the anchor
    o.window_around_anchor = false;   // official: the window ignores the anchor (§12.4)
    Rng rng2(3);
    const auto b2 = sample_contrastive(text_geometry(), o, rng2, 200);
    double mean2 = 0;
    for (int i = 0; i < 200; ++i)
        mean2 += std::abs(b2.anchors[static_cast<size_t>(i)] -
                          b2.candidates[static_cast<size_t>(i * 32 + b2.labels[static_cast<size_t>(i)])]);
    EXPECT_GT(mean2 / 200, 1000.0);
}

TEST(Samplers, HardNegativesAreStringSimilarButNumericallyFar) { // §11.15
    const SamplerGeometry g = text_geometry();
    for (uint64_t s = 1; s <= 20; ++s) {
        Rng rng(s);
        const int64_t anchor = 1000 + static_cast<int64_t>(s) * 917;
        const int64_t min_d2 = 50 * 50;
        const auto hard = hard_negatives(g, &anchor, 8, min_d2, false, rng);
        EXPECT_LE(hard.size(), 8u);
        for (const int64_t h : hard) {
            EXPECT_GT((h - anchor) * (h - anchor), min_d2);
            EXPECT_GE(h, 0);
            EXPECT_LT(h, g.axis_extent);
            // 1-3 edits: the digit strings differ in length by at most 3.
            const auto la = std::to_string(anchor).size(), lh = std::to_string(h).size();
            EXPECT_LE(la > lh ? la - lh : lh - la, 3u);
        }
    }
    // 2D: both coordinates stay on the grid.
    const SamplerGeometry gi = image_geometry();
    for (bool concat : {false, true}) {
        Rng rng(5);
        const int64_t a[2] = {6, 7};
        const auto hard = hard_negatives(gi, a, 12, 4, concat, rng);
        for (size_t i = 0; i < hard.size(); i += 2) {
            EXPECT_LT(hard[i], 100);
            EXPECT_LT(hard[i + 1], 100);
            EXPECT_GT(squared_distance(&hard[i], a, 2), 4);
        }
    }
}

TEST(Samplers, TransferStudentsFollowTheOfficialRanges) { // §11.18
    {
        Rng rng(1);
        const SamplerGeometry g = text_geometry();
        const auto t = sample_transfer(g, rng, 200, 32);
        ASSERT_EQ(t.slots.size(), 200u * 32);
        for (int b = 0; b < 200; ++b) {
            std::set<int64_t> slots;
            const int64_t s = t.students[static_cast<size_t>(b * 32)] - t.slots[static_cast<size_t>(b * 32)];
            EXPECT_GE(s, 128);
            EXPECT_LT(s, 19488);
            for (int k = 0; k < 32; ++k) {
                const auto i = static_cast<size_t>(b * 32 + k);
                EXPECT_TRUE(slots.insert(t.slots[i]).second) << "teacher slots distinct";
                EXPECT_LT(t.slots[i], 512);
                EXPECT_EQ(t.students[i] - t.slots[i], s) << "one shift per sample";
                EXPECT_LE(t.students[i], 19998);
            }
        }
    }
    {
        Rng rng(2);
        const auto t = sample_transfer(image_geometry(), rng, 200, 64);
        for (int b = 0; b < 200; ++b) {
            const auto i0 = static_cast<size_t>(b * 64);
            const int64_t sr = t.students[2 * i0] - t.slots[i0] / 14, sc = t.students[2 * i0 + 1] - t.slots[i0] % 14;
            EXPECT_FALSE(sr < 14 && sc < 14) << "start inside the training grid";
            EXPECT_LT(sr, 86);
            EXPECT_LT(sc, 86);
            for (int k = 0; k < 64; ++k) {
                const auto i = static_cast<size_t>(b * 64 + k);
                EXPECT_LE(t.students[2 * i], 99);
                EXPECT_LE(t.students[2 * i + 1], 99);
                EXPECT_LT(t.slots[i], 196);
            }
        }
    }
}

TEST(Samplers, ShiftKeepsExactly320OffsetsThatStayInRange) { // §11.19
    const ShiftSampler text(text_geometry(), 320, 42);
    EXPECT_EQ(text.candidates(), 19489);
    ASSERT_EQ(text.offsets().size(), 320u);
    EXPECT_EQ(std::set<int64_t>(text.offsets().begin(), text.offsets().end()).size(), 320u);
    for (const int64_t o : text.offsets()) EXPECT_LE(o + 511, 19999);
    const ShiftSampler image(image_geometry(), 320, 42);
    EXPECT_EQ(image.candidates(), 7569);
    ASSERT_EQ(image.offsets().size(), 640u);
    for (const int64_t o : image.offsets()) EXPECT_LE(o + 13, 99);
    Rng rng(1);
    const auto drawn = text.draw(rng, 16);
    ASSERT_EQ(drawn.size(), 16u);
    for (const int64_t o : drawn)
        EXPECT_NE(std::find(text.offsets().begin(), text.offsets().end(), o), text.offsets().end());
}

TEST(Samplers, SameSeedSameSamples) {
    Rng a(77), b(77);
    const auto x = sample_contrastive(text_geometry(), ContrastiveOptions{}, a, 16);
    const auto y = sample_contrastive(text_geometry(), ContrastiveOptions{}, b, 16);
    EXPECT_EQ(x.candidates, y.candidates);
    EXPECT_EQ(x.labels, y.labels);
    EXPECT_EQ(ShiftSampler(text_geometry(), 320, 5).offsets(), ShiftSampler(text_geometry(), 320, 5).offsets());
}

TEST(UniqueRows, SameRowsAndInverseAsTheLibrarysUniqueDim) {
    torch::manual_seed(11);
    for (const int d : {1, 2}) {
        // Many repeats: 3,000 rows drawn from a few hundred values per coordinate.
        const torch::Tensor rows = torch::randint(0, d == 1 ? 700 : 30, {3000, d}, torch::kLong);
        const UniqueRows u = unique_rows(rows.data_ptr<int64_t>(), rows.size(0), d);
        auto [ref, ref_inverse, counts] = at::unique_dim(rows, 0, /*sorted=*/true, /*return_inverse=*/true);
        const int64_t U = static_cast<int64_t>(u.rows.size()) / d;
        ASSERT_EQ(U, ref.size(0)) << "d=" << d;
        EXPECT_TRUE(torch::equal(torch::tensor(u.rows, torch::kLong).view({U, d}), ref));
        EXPECT_TRUE(torch::equal(torch::tensor(u.inverse, torch::kLong), ref_inverse));
        // SeqPE called it with sorted=false, which the CPU kernel ignores: the same rows, the
        // same order, so the encoder's rows and dropout masks line up as before.
        auto [unsorted, unsorted_inverse, c2] = at::unique_dim(rows, 0, /*sorted=*/false, /*return_inverse=*/true);
        EXPECT_TRUE(torch::equal(unsorted, ref));
    }
    const UniqueRows none = unique_rows(nullptr, 0, 2);
    EXPECT_TRUE(none.rows.empty());
    EXPECT_TRUE(none.inverse.empty());
    const std::vector<int64_t> flat = {5, 1, 5, 0, 5, 1, 2, 9}; // (4, 2): rows 0 and 2 repeat
    const UniqueRows u = unique_rows(flat.data(), 4, 2);
    EXPECT_EQ(u.rows, (std::vector<int64_t>{2, 9, 5, 0, 5, 1}));
    EXPECT_EQ(u.inverse, (std::vector<int64_t>{2, 1, 2, 0}));
}
