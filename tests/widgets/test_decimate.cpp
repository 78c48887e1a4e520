// Decimation, smoothing and tick placement: the numerical core of the charts.
#include "seqpe/widgets/axis_ticks.h"
#include "seqpe/widgets/decimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace seqpe::ui;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QVector<QPointF> smoothCurve(int n) {
    QVector<QPointF> pts(n);
    for (int i = 0; i < n; ++i) pts[i] = QPointF(i, 0.5 * std::sin(i * 1e-4) + 0.001 * (i % 7));
    return pts;
}

bool contains(const QVector<QPointF>& v, const QPointF& p) {
    return std::find(v.begin(), v.end(), p) != v.end();
}

} // namespace

TEST(WidgetsDecimate, KeepsEndsSpikesAndEveryBucketsExtremes) {
    const int n = 1'000'000, buckets = 500;
    QVector<QPointF> pts = smoothCurve(n);
    pts[123457].setY(100.0); // one-sample spikes must survive 1e6 -> ~2k
    pts[765432].setY(-100.0);
    const QVector<QPointF> out = decimateMinMax(pts, 0, n - 1, buckets);

    EXPECT_LE(out.size(), 4 * buckets + 2);
    EXPECT_GE(out.size(), 2 * buckets);
    EXPECT_EQ(out.first(), pts.first());
    EXPECT_EQ(out.last(), pts.last());
    EXPECT_TRUE(contains(out, pts[123457]));
    EXPECT_TRUE(contains(out, pts[765432]));
    // A subsequence of the input, in order.
    for (int i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1].x(), out[i].x());
    // Every bucket's min and max (computed independently here) are kept.
    const double perX = double(buckets) / (n - 1); // buckets are equal x-intervals of [x0, x1]
    QVector<int> mins(buckets, -1), maxs(buckets, -1);
    for (int i = 0; i < n; ++i) {
        const int b = std::min(int(i * perX), buckets - 1);
        if (mins[b] < 0 || pts[i].y() < pts[mins[b]].y()) mins[b] = i;
        if (maxs[b] < 0 || pts[i].y() > pts[maxs[b]].y()) maxs[b] = i;
    }
    for (int b = 0; b < buckets; ++b) {
        ASSERT_TRUE(contains(out, pts[mins[b]])) << "bucket " << b << " min";
        ASSERT_TRUE(contains(out, pts[maxs[b]])) << "bucket " << b << " max";
    }
}

TEST(WidgetsDecimate, ReturnsInputUnchangedWhenSmall) {
    const QVector<QPointF> pts = smoothCurve(2000);
    EXPECT_EQ(decimateMinMax(pts, 0, 1999, 500), pts);
    EXPECT_EQ(decimateMinMax(pts, 100, 200, 500), pts); // whole input is small: nothing dropped
}

TEST(WidgetsDecimate, FullResolutionWhenZoomedIn) {
    const QVector<QPointF> pts = smoothCurve(1'000'000);
    const QVector<QPointF> out = decimateMinMax(pts, 1000, 1500, 500);
    // All 501 points in range plus one neighbour each side, untouched.
    ASSERT_EQ(out.size(), 503);
    for (int i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], pts[999 + i]);
}

TEST(WidgetsDecimate, IsDeterministic) {
    QVector<QPointF> pts = smoothCurve(300'000);
    for (int i = 0; i < pts.size(); i += 997) pts[i].setY(std::fmod(i * 0.618, 1.0) * 3);
    EXPECT_EQ(decimateMinMax(pts, 1234, 250'000, 640), decimateMinMax(pts, 1234, 250'000, 640));
    EXPECT_EQ(decimateMinMaxIndices(pts, 0, 299'999, 100), decimateMinMaxIndices(pts, 0, 299'999, 100));
}

TEST(WidgetsDecimate, KeepsGaps) {
    QVector<QPointF> pts = smoothCurve(100'000);
    for (int i = 40'000; i < 40'500; ++i) pts[i].setY(kNaN);
    const QVector<QPointF> out = decimateMinMax(pts, 0, 99'999, 200);
    EXPECT_LT(out.size(), 1000);
    EXPECT_TRUE(std::any_of(out.begin(), out.end(), [](const QPointF& p) { return std::isnan(p.y()); }));
}

TEST(WidgetsSmoothing, EmaFirstValueEqualsRaw) {
    const QVector<double> out = smoothEma({5.0, 1.0, 3.0}, 0.9);
    EXPECT_DOUBLE_EQ(out[0], 5.0); // an EMA started at 0 would give 0.5
}

TEST(WidgetsSmoothing, EmaConstantStaysConstant) {
    const QVector<double> out = smoothEma(QVector<double>(200, 2.5), 0.99);
    for (double v : out) ASSERT_NEAR(v, 2.5, 1e-12);
}

TEST(WidgetsSmoothing, EmaKnownValues) {
    // w = 0.5: a = 0.5, 1.25, 2.125; debias by 1 - 0.5^n = 0.5, 0.75, 0.875.
    const QVector<double> out = smoothEma({1.0, 2.0, 3.0}, 0.5);
    ASSERT_EQ(out.size(), 3);
    EXPECT_NEAR(out[0], 1.0, 1e-12);
    EXPECT_NEAR(out[1], 5.0 / 3.0, 1e-12);
    EXPECT_NEAR(out[2], 17.0 / 7.0, 1e-12);
}

TEST(WidgetsSmoothing, EmaSkipsNaN) {
    const QVector<double> out = smoothEma({1.0, kNaN, 3.0}, 0.5);
    EXPECT_NEAR(out[0], 1.0, 1e-12);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 7.0 / 3.0, 1e-12); // as if the NaN were absent: (0.25 + 1.5) / 0.75
}

TEST(WidgetsSmoothing, EmaWeightZeroIsIdentity) {
    const QVector<double> ys{3, 1, 4, 1, 5};
    EXPECT_EQ(smoothEma(ys, 0.0), ys);
}

TEST(WidgetsSmoothing, MovingAverageCentredKnownValues) {
    const QVector<double> out = smoothMovingAverage({1, 2, 3, 4, 5}, 3, MovingAverageMode::Centred);
    const QVector<double> expected{1.5, 2, 3, 4, 4.5};
    ASSERT_EQ(out.size(), 5);
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(out[i], expected[i], 1e-12) << i;
}

TEST(WidgetsSmoothing, MovingAverageTrailingKnownValues) {
    const QVector<double> out = smoothMovingAverage({1, 2, 3, 4, 5}, 3, MovingAverageMode::Trailing);
    const QVector<double> expected{1, 1.5, 2, 3, 4};
    for (int i = 0; i < 5; ++i) EXPECT_NEAR(out[i], expected[i], 1e-12) << i;
}

TEST(WidgetsSmoothing, MovingAverageSkipsNaN) {
    const QVector<double> out = smoothMovingAverage({1, kNaN, 3, 4}, 3, MovingAverageMode::Centred);
    EXPECT_NEAR(out[0], 1.0, 1e-12);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 3.5, 1e-12);
    EXPECT_NEAR(out[3], 3.5, 1e-12);
}

TEST(WidgetsAxisTicks, NiceLinearSteps) {
    EXPECT_DOUBLE_EQ(niceStep(10, 6), 2.0);
    EXPECT_DOUBLE_EQ(niceStep(1, 11), 0.1);
    EXPECT_DOUBLE_EQ(niceStep(100'000, 5), 50'000.0);
    const QVector<AxisTick> t = linearTicks(0, 1, 6);
    ASSERT_EQ(t.size(), 6);
    EXPECT_EQ(t[0].label, QStringLiteral("0"));
    EXPECT_EQ(t[1].label, QStringLiteral("0.2"));
    EXPECT_EQ(t[5].label, QStringLiteral("1"));
}

TEST(WidgetsAxisTicks, LogDecades) {
    QStringList labels;
    for (const AxisTick& t : logTicks(-3, 1, 10))
        if (t.major) labels << t.label;
    EXPECT_EQ(labels, (QStringList{"0.001", "0.01", "0.1", "1", "10"}));
    // Many decades: every k-th, still at integer exponents.
    for (const AxisTick& t : logTicks(-20, 20, 6)) {
        if (t.major) {
            EXPECT_DOUBLE_EQ(t.value, std::round(t.value));
        }
    }
}

TEST(WidgetsAxisTicks, LogAxisOverOneToThreeDecadesLabels125) {
    // Evaluation lengths 128..2048: more than the single "1000" a decade rule gives.
    QStringList labels;
    int minor = 0;
    for (const AxisTick& t : logTicks(std::log10(128.0), std::log10(2048.0), 8)) {
        if (t.major)
            labels << t.label;
        else
            ++minor;
    }
    EXPECT_EQ(labels, (QStringList{"200", "500", "1000", "2000"}));
    EXPECT_EQ(minor, 6); // 300, 400, 600, 700, 800, 900
}

TEST(WidgetsAxisTicks, CompactLabels) {
    EXPECT_EQ(formatTickValue(50'000, 10'000), QStringLiteral("50k"));
    EXPECT_EQ(formatTickValue(1'500'000, 500'000), QStringLiteral("1.5M"));
    EXPECT_EQ(formatTickValue(3e-4, 1e-4), QStringLiteral("3e-4"));
    EXPECT_EQ(formatTickValue(0.25, 0.05), QStringLiteral("0.25"));
    EXPECT_EQ(formatTickValue(-1e-17, 0.1), QStringLiteral("0"));
}
