// Colour maps: exact end colours (the published values, rounded to 8 bits), table consistency.
#include "seqpe/widgets/color_map.h"
#include "seqpe/widgets/theme.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace seqpe::ui;

TEST(WidgetsColorMap, EndsAreThePublishedColours) {
    struct Ends {
        ColorMap map;
        QColor lo, hi;
    };
    // matplotlib: viridis[0] = (0.267004, 0.004874, 0.329415), viridis[255] = (0.993248, 0.906157,
    // 0.143936); magma (0.001462, 0.000466, 0.013866) .. (0.987053, 0.991438, 0.749504);
    // coolwarm (0.2298, 0.2987, 0.7537) .. (0.7057, 0.0156, 0.1502); hot (0.0416, 0, 0) .. white.
    const Ends ends[] = {
        {ColorMap::Viridis, QColor(68, 1, 84), QColor(253, 231, 37)},
        {ColorMap::Magma, QColor(0, 0, 4), QColor(252, 253, 191)},
        {ColorMap::Coolwarm, QColor(59, 76, 192), QColor(180, 4, 38)},
        {ColorMap::Hot, QColor(11, 0, 0), QColor(255, 255, 255)},
        {ColorMap::Gray, QColor(0, 0, 0), QColor(255, 255, 255)},
    };
    ASSERT_EQ(std::size(ends), size_t(allColorMaps().size()));
    for (const Ends& e : ends) {
        SCOPED_TRACE(colorMapName(e.map).toStdString());
        EXPECT_EQ(colorMapColor(e.map, 0.0), e.lo);
        EXPECT_EQ(colorMapColor(e.map, 1.0), e.hi);
        EXPECT_EQ(colorMapColor(e.map, -3.0), e.lo); // clamped
        EXPECT_EQ(colorMapColor(e.map, 7.0), e.hi);
        const QVector<QRgb> table = colorMapTable(e.map, 256);
        ASSERT_EQ(table.size(), 256);
        EXPECT_EQ(QColor(table.first()), e.lo);
        EXPECT_EQ(QColor(table.last()), e.hi);
    }
}

TEST(WidgetsColorMap, InteriorFollowsControlPoints) {
    // viridis[128] = (0.127568, 0.566949, 0.550556) sits at t = 128/255.
    EXPECT_EQ(colorMapColor(ColorMap::Viridis, 128.0 / 255.0), QColor(33, 145, 140));
    // magma[128] = (0.716387, 0.214982, 0.475290).
    EXPECT_EQ(colorMapColor(ColorMap::Magma, 128.0 / 255.0), QColor(183, 55, 121));
    // Coolwarm's centre is its neutral grey: what 0 maps to on a symmetric range.
    EXPECT_EQ(colorMapColor(ColorMap::Coolwarm, 0.5), QColor(221, 221, 221));
    EXPECT_EQ(colorMapColor(ColorMap::Gray, 0.5), QColor(128, 128, 128));
}

TEST(WidgetsColorMap, NaNGivesInvalidColour) {
    EXPECT_FALSE(colorMapColor(ColorMap::Viridis, std::numeric_limits<double>::quiet_NaN()).isValid());
}

TEST(WidgetsColorMap, DivergingOnlyCoolwarm) {
    for (ColorMap m : allColorMaps()) EXPECT_EQ(isDiverging(m), m == ColorMap::Coolwarm);
}

TEST(WidgetsTheme, SeriesColoursAreDistinctAndCycle) {
    for (int i = 0; i < seriesColorCount(); ++i)
        for (int j = i + 1; j < seriesColorCount(); ++j) EXPECT_NE(seriesColor(i), seriesColor(j));
    EXPECT_EQ(seriesColor(seriesColorCount()), seriesColor(0));
    EXPECT_EQ(seriesColor(-1), seriesColor(seriesColorCount() - 1));
}
