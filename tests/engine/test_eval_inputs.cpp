// What the extrapolation evaluation feeds its models and how it scores them: the QA exact-match
// rule (near misses included), images resized with OpenCV, and the patch grid layout.
#include "data/image_data.h"
#include "data/qa_data.h"
#include "model/vit.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "test_util.h"
#include "util/rng.h"

#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

TEST(QaScore, OfficialSubstringRuleWithNearMisses) { // docs/METHOD.md §8.2
    // A hit: the answer anywhere in the generation, case and surrounding white space ignored.
    EXPECT_TRUE(qa_answer_matches("4817203", "4817203"));
    EXPECT_TRUE(qa_answer_matches(" 4817203.\n", "4817203"));
    EXPECT_TRUE(qa_answer_matches("The pass key is 4817203", " 4817203 "));
    EXPECT_TRUE(qa_answer_matches("PARIS is the capital", "paris"));
    // Near misses score 0: a digit short, a digit wrong, two digits swapped, a split answer.
    EXPECT_FALSE(qa_answer_matches("481720", "4817203"));
    EXPECT_FALSE(qa_answer_matches("4817204", "4817203"));
    EXPECT_FALSE(qa_answer_matches("4812703", "4817203"));
    EXPECT_FALSE(qa_answer_matches("481 7203", "4817203"));
    EXPECT_FALSE(qa_answer_matches("", "4817203"));
    // The official rule is a substring test, so a run-on generation that contains the answer
    // counts (RULER's string_match_all does the same); an empty answer never matches.
    EXPECT_TRUE(qa_answer_matches("48172031", "4817203"));
    EXPECT_FALSE(qa_answer_matches("anything", "  "));
}

namespace {

// One 16x16 grey image with the linear ramp v(r, c) = 8r + 4c (0..180), so that area averages
// and bilinear samples have exact integer values away from the borders.
std::filesystem::path ramp_dataset(const std::filesystem::path& dir) {
    write_image_dataset(dir, 1, 1, 1);
    std::string px;
    for (int r = 0; r < 16; ++r)
        for (int c = 0; c < 16; ++c) px.push_back(static_cast<char>(8 * r + 4 * c));
    write_file_atomic(dir / "test.images", px);
    return dir;
}

// The dataset's normalisation (mean 0.25, std 0.3 in write_image_dataset) of a pixel value.
double normalised(double v) {
    return (v / 255.0 - 0.25) / 0.3;
}

} // namespace

TEST(ImageResize, AreaDownAndBilinearUpWithOpenCvsPixelCentres) {
    TempDir tmp("img-resize");
    const auto dir = ramp_dataset(tmp / "data");
    const ImageSplit split(dir, read_manifest(dir), "test");
    const double px = 1.0 / 255.0 / 0.3; // one grey level after normalisation

    const torch::Tensor same = split.batch({0}, 16); // (1, 1, 16, 16): the stored pixels
    ASSERT_EQ(same.sizes(), (std::vector<int64_t>{1, 1, 16, 16}));
    EXPECT_NEAR(same[0][0][3][5].item<double>(), normalised(8 * 3 + 4 * 5), 1e-5);

    // 16 -> 8 (INTER_AREA): each output pixel is the mean of a 2x2 block, 16i + 8j + 6.
    const torch::Tensor down = split.batch({0}, 8);
    ASSERT_EQ(down.sizes(), (std::vector<int64_t>{1, 1, 8, 8}));
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j)
            ASSERT_NEAR(down[0][0][i][j].item<double>(), normalised(16 * i + 8 * j + 6), 1e-5) << i << "," << j;

    // 16 -> 32 (INTER_LINEAR, pixel centres aligned): output (y, x) samples the source at
    // (y/2 - 1/4, x/2 - 1/4), where the ramp is 4y + 2x - 3; OpenCV's fixed point rounds within a level.
    const torch::Tensor up = split.batch({0}, 32);
    ASSERT_EQ(up.sizes(), (std::vector<int64_t>{1, 1, 32, 32}));
    for (int y = 1; y < 31; ++y)
        for (int x = 1; x < 31; ++x)
            ASSERT_NEAR(up[0][0][y][x].item<double>(), normalised(4 * y + 2 * x - 3), 1.01 * px) << y << "," << x;
    // The border clamps to the edge pixel instead of extrapolating the ramp.
    EXPECT_NEAR(up[0][0][0][0].item<double>(), normalised(0), 1e-5);
}

TEST(ImageGrid, PatchIndexMapsToRowAndColumnFromTheOrigin) {
    RunConfig c = tiny_image_config("none"); // 16 px training images, patch 4: a 4x4 grid
    const VisionTransformer vit(resolve_config(c), 1, 4);
    const Layout l = vit->layout_for(40, 40); // 10x10 grid, laid out from (0, 0) ('extend')
    EXPECT_EQ(l.grid, (std::vector<int64_t>{10, 10}));
    EXPECT_EQ(l.prefix, 1);         // the class token carries no grid position
    EXPECT_EQ(l.trained_length, 4); // 'interpolate' scales by 4 / 10 from this side
    ASSERT_EQ(l.pos.sizes(), (std::vector<int64_t>{1, 100, 2}));
    for (const int64_t t : {0, 9, 10, 23, 57, 99}) {
        EXPECT_EQ(l.pos[0][t][0].item<int64_t>(), t / 10) << "row of patch " << t;
        EXPECT_EQ(l.pos[0][t][1].item<int64_t>(), t % 10) << "column of patch " << t;
    }
    const Layout wide = vit->layout_for(16, 24); // 4 rows x 6 columns: row-major over the width
    EXPECT_EQ(wide.pos[0][7][0].item<int64_t>(), 1);
    EXPECT_EQ(wide.pos[0][7][1].item<int64_t>(), 1);
    EXPECT_THROW(vit->layout_for(18, 18), InputError); // 18 is not a multiple of the patch
}

// The official evaluation's protocol: resize to size / crop_fraction, keep the central size x size.
TEST(ImageResize, CenterCropResizesLargerAndKeepsTheMiddle) {
    TempDir tmp("img-center");
    const auto dir = ramp_dataset(tmp / "data");
    const ImageSplit split(dir, read_manifest(dir), "test");
    // 14 / 0.875 = 16: the stored image, cropped to its central 14 x 14 (offset 1).
    const torch::Tensor c14 = split.batch({0}, 14, 0.875);
    ASSERT_EQ(c14.sizes(), (std::vector<int64_t>{1, 1, 14, 14}));
    for (int i = 0; i < 14; ++i)
        for (int j = 0; j < 14; ++j)
            ASSERT_NEAR(c14[0][0][i][j].item<double>(), normalised(8 * (i + 1) + 4 * (j + 1)), 1e-5) << i << "," << j;
    // 8 / 0.5 = 16: the central 8 x 8 (offset 4), against the whole image resized to 8 without it.
    const torch::Tensor c8 = split.batch({0}, 8, 0.5);
    EXPECT_NEAR(c8[0][0][0][0].item<double>(), normalised(8 * 4 + 4 * 4), 1e-5);
    EXPECT_NEAR(c8[0][0][7][7].item<double>(), normalised(8 * 11 + 4 * 11), 1e-5);
    EXPECT_NEAR(split.batch({0}, 8)[0][0][0][0].item<double>(), normalised(6), 1e-5); // 2x2 area mean
}

// RandomResizedCrop's boxes: inside the image, their area share and aspect ratio within the
// ranges (up to the rounding of a side to whole pixels), spread over the ranges, repeatable; where
// no draw fits, the whole image clamped to the ratio range, centred (torchvision's rule).
TEST(ScaleAugment, CropBoxesStayInsideTheImageAndWithinTheirRanges) {
    Rng rng(7), again(7);
    double lo_share = 1, hi_share = 0, lo_ratio = 10, hi_ratio = 0;
    for (int i = 0; i < 2000; ++i) {
        const CropBox b = random_resized_box(28, 28, 0.35, 1.0, 0.75, 4.0 / 3.0, rng);
        const CropBox b2 = random_resized_box(28, 28, 0.35, 1.0, 0.75, 4.0 / 3.0, again);
        ASSERT_TRUE(b.x == b2.x && b.y == b2.y && b.w == b2.w && b.h == b2.h) << i;
        ASSERT_TRUE(b.x >= 0 && b.y >= 0 && b.w >= 1 && b.h >= 1 && b.x + b.w <= 28 && b.y + b.h <= 28) << i;
        const double share = b.w * b.h / 784.0, ratio = static_cast<double>(b.w) / b.h;
        ASSERT_GE(share, 0.35 * 0.92) << i; // sides rounded to pixels: within ~4% each
        ASSERT_LE(share, 1.0) << i;
        ASSERT_GE(ratio, 0.75 * 0.92) << i;
        ASSERT_LE(ratio, 4.0 / 3.0 * 1.08) << i;
        lo_share = std::min(lo_share, share), hi_share = std::max(hi_share, share);
        lo_ratio = std::min(lo_ratio, ratio), hi_ratio = std::max(hi_ratio, ratio);
    }
    EXPECT_LT(lo_share, 0.40);
    EXPECT_GT(hi_share, 0.93);
    EXPECT_LT(lo_ratio, 0.80);
    EXPECT_GT(hi_ratio, 1.25);
    // Ratio 2 of a whole square image never fits: the fallback is the full width, half the height.
    const CropBox f = random_resized_box(16, 16, 1.0, 1.0, 2.0, 2.0, rng);
    EXPECT_TRUE(f.x == 0 && f.y == 4 && f.w == 16 && f.h == 8) << f.x << " " << f.y << " " << f.w << " " << f.h;
}

// A crop of the whole image is the image or its mirror; the draws follow (seed, step).
TEST(ScaleAugment, AWholeImageCropIsTheImageOrItsMirrorPerStep) {
    TempDir tmp("img-rrc");
    const auto dir = ramp_dataset(tmp / "data");
    const ImageSplit split(dir, read_manifest(dir), "test");
    const torch::Tensor plain = split.batch({0}, 16)[0];
    const std::vector<int64_t> idx(8, 0);
    const torch::Tensor a = split.batch_random_resized(idx, 16, 1.0, 1.0, 1.0, 1.0, 5, 3);
    int mirrored = 0;
    for (int b = 0; b < 8; ++b) {
        const bool same = torch::equal(a[b], plain), flipped = torch::equal(a[b], plain.flip({2}));
        ASSERT_TRUE(same || flipped) << b;
        mirrored += flipped;
    }
    EXPECT_GT(mirrored, 0);
    EXPECT_LT(mirrored, 8);
    EXPECT_TRUE(torch::equal(a, split.batch_random_resized(idx, 16, 1.0, 1.0, 1.0, 1.0, 5, 3)));
    EXPECT_FALSE(torch::equal(a, split.batch_random_resized(idx, 16, 1.0, 1.0, 1.0, 1.0, 5, 4)));
    // A smaller share: every image a crop resized back to 16 x 16, not the plain image.
    const torch::Tensor s = split.batch_random_resized(idx, 16, 0.3, 0.5, 0.75, 4.0 / 3.0, 5, 3);
    ASSERT_EQ(s.sizes(), (std::vector<int64_t>{8, 1, 16, 16}));
    for (int b = 0; b < 8; ++b) EXPECT_FALSE(torch::equal(s[b], plain) || torch::equal(s[b], plain.flip({2}))) << b;
}
