// SeqPE position tokenisation: the checkable facts 1-4 and 6 of docs/METHOD.md §11.
#include "seqpe/common/error.h"
#include "seqpe/position_digits.h"

#include <gtest/gtest.h>

using namespace seqpe;
using V = std::vector<int64_t>;

TEST(Digits, DerivedDigitCounts) { // §11.1
    EXPECT_EQ(make_digit_scheme(1, 20000, 10, 0, false).digits, 5);
    EXPECT_EQ(make_digit_scheme(1, 10000, 10, 0, false).digits, 4);
    EXPECT_EQ(make_digit_scheme(2, 10000, 10, 0, false).digits, 2);
    EXPECT_EQ(make_digit_scheme(1, 100000, 10, 0, false).digits, 5);
    EXPECT_EQ(axis_extent(2, 10000), 100);
    EXPECT_EQ(axis_extent(2, 10200), 100);
    EXPECT_EQ(make_digit_scheme(1, 20000, 10, 7, false).digits, 7); // forced
    EXPECT_EQ(make_digit_scheme(1, 256, 2, 0, false).digits, 8);    // other bases
}

TEST(Digits, TextPositions) { // §11.2
    const DigitScheme s = make_digit_scheme(1, 20000, 10, 0, false);
    auto t = tokenize_position(s, {507});
    EXPECT_EQ(t.tokens, (V{0, 0, 5, 0, 7}));
    EXPECT_EQ(t.pad_mask, (V{0, 0, 1, 1, 1}));
    EXPECT_EQ(t.slots, (V{0, 1, 2, 3, 4}));
    t = tokenize_position(s, {0});
    EXPECT_EQ(t.tokens, (V{0, 0, 0, 0, 0}));
    EXPECT_EQ(t.pad_mask, (V{0, 0, 0, 0, 1}));
    t = tokenize_position(s, {19999});
    EXPECT_EQ(t.tokens, (V{1, 9, 9, 9, 9}));
    t = tokenize_position(s, {32767});
    EXPECT_EQ(t.tokens, (V{3, 2, 7, 6, 7}));
    EXPECT_EQ(t.pad_mask, (V{1, 1, 1, 1, 1}));
}

TEST(Digits, ImagePositions) { // §11.3
    const DigitScheme s = make_digit_scheme(2, 10000, 10, 0, false);
    auto t = tokenize_position(s, {12, 7});
    EXPECT_EQ(t.tokens, (V{1, 2, 0, 7}));
    EXPECT_EQ(t.pad_mask, (V{1, 1, 0, 1}));
    EXPECT_EQ(t.slots, (V{0, 1, 2, 3}));
    EXPECT_EQ(t.dim_ids, (V{0, 0, 1, 1}));
    EXPECT_EQ(tokenize_position(s, {2, 3}).tokens, (V{0, 2, 0, 3}));
    const DigitScheme per_dim = make_digit_scheme(2, 10000, 10, 0, true);
    EXPECT_EQ(tokenize_position(per_dim, {2, 3}).slots, (V{0, 1, 0, 1})); // the paper figure's variant
    EXPECT_EQ(s.length(), 4);
}

TEST(Digits, PositionsThatDoNotFitAreRejectedNeverTruncated) { // §11.4
    const DigitScheme s = make_digit_scheme(1, 20000, 10, 0, false);
    EXPECT_NO_THROW(tokenize_position(s, {99999}));
    EXPECT_THROW(tokenize_position(s, {100000}), InputError);
    EXPECT_THROW(tokenize_position(s, {-1}), InputError);
    const DigitScheme g = make_digit_scheme(2, 10000, 10, 0, false);
    EXPECT_THROW(tokenize_position(g, {100, 0}), InputError);
    EXPECT_THROW(tokenize_position(g, {5}), InputError);
    try {
        tokenize_position(s, {123456});
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("max_position"), std::string::npos);
    }
}
