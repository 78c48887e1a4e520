// LineChart: the chart draws exactly the data it was given (decimated only when long), log axes,
// smoothing, legend toggling, zoom, and a render smoke test.
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/theme.h"

#include <QApplication>

#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <cmath>

using namespace seqpe::ui;

namespace {

QVector<QPointF> ramp(int n, double x0 = 0) {
    QVector<QPointF> pts;
    for (int i = 0; i < n; ++i) pts.append(QPointF(x0 + i, 3.0 / (1 + 0.01 * (x0 + i))));
    return pts;
}

int countColour(const QImage& img, const QColor& c, int tolerance = 8) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QColor p = img.pixelColor(x, y);
            if (std::abs(p.red() - c.red()) <= tolerance && std::abs(p.green() - c.green()) <= tolerance &&
                std::abs(p.blue() - c.blue()) <= tolerance)
                ++n;
        }
    return n;
}

} // namespace

TEST(WidgetsLineChart, DrawsExactlyThePointsGivenWhenFew) {
    LineChart chart;
    chart.resize(800, 500);
    const int id = chart.addSeries(QStringLiteral("run"), Qt::red);
    const QVector<QPointF> pts = ramp(300);
    chart.setPoints(id, pts);
    EXPECT_EQ(chart.seriesCount(), 1);
    EXPECT_EQ(chart.points(id), pts);
    EXPECT_EQ(chart.drawnPoints(id), pts);
}

TEST(WidgetsLineChart, DecimatesLongSeriesToPixelColumnsAndKeepsSpikes) {
    LineChart chart;
    chart.resize(700, 400);
    const int id = chart.addSeries(QStringLiteral("run"), Qt::blue);
    QVector<QPointF> pts = ramp(200'000);
    pts[150'001].setY(50.0);
    chart.setPoints(id, pts);
    const QVector<QPointF> drawn = chart.drawnPoints(id);
    const double columns = chart.plotRect().width() * chart.devicePixelRatioF();
    EXPECT_LE(drawn.size(), 4 * std::ceil(columns) + 2);
    EXPECT_GT(drawn.size(), columns); // not a sparse random sample
    EXPECT_EQ(drawn.first(), pts.first());
    EXPECT_EQ(drawn.last(), pts.last());
    EXPECT_NE(std::find(drawn.begin(), drawn.end(), pts[150'001]), drawn.end());

    // Zoomed in: full resolution again.
    chart.setXRange(1000, 1100);
    const QVector<QPointF> zoomed = chart.drawnPoints(id);
    ASSERT_EQ(zoomed.size(), 103);
    EXPECT_EQ(zoomed.first(), pts[999]);
    EXPECT_EQ(zoomed.last(), pts[1101]);
}

TEST(WidgetsLineChart, AppendKeepsOrderAndSortsLateArrivals) {
    LineChart chart;
    chart.resize(800, 500);
    const int id = chart.addSeries(QStringLiteral("run"), Qt::red);
    chart.setPoints(id, ramp(10));
    chart.appendPoints(id, ramp(5, 10));
    EXPECT_EQ(chart.drawnPoints(id), ramp(15));
    chart.appendPoints(id, {QPointF(2.5, 1.0)}); // out of order: inserted by x
    const QVector<QPointF> pts = chart.points(id);
    ASSERT_EQ(pts.size(), 16);
    EXPECT_EQ(pts[3], QPointF(2.5, 1.0));
}

TEST(WidgetsLineChart, LogYIgnoresNonPositiveValues) {
    LineChart chart;
    chart.resize(640, 400);
    const int id = chart.addSeries(QStringLiteral("loss"), Qt::darkGreen);
    chart.setPoints(id, {{0, 1.0}, {1, 0.0}, {2, -1.0}, {3, 10.0}, {4, 100.0}});
    chart.setLogY(true);
    EXPECT_EQ(chart.drawnPoints(id), (QVector<QPointF>{{0, 1.0}, {3, 10.0}, {4, 100.0}}));
    EXPECT_GT(chart.yRange().first, 0.0);

    const int bad = chart.addSeries(QStringLiteral("all negative"), Qt::red);
    chart.setPoints(bad, {{0, -1.0}, {1, 0.0}});
    EXPECT_TRUE(chart.drawnPoints(bad).isEmpty());
    chart.setLogX(true); // x = 0 is not placeable either
    EXPECT_EQ(chart.drawnPoints(id), (QVector<QPointF>{{3, 10.0}, {4, 100.0}}));
    QImage img(640, 400, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&img);
    chart.render(p, QRectF(0, 0, 640, 400)); // must not crash or hang
}

TEST(WidgetsLineChart, SmoothedForegroundUsesDebiasedEma) {
    LineChart chart;
    chart.resize(640, 400);
    const int id = chart.addSeries(QStringLiteral("run"), Qt::red);
    chart.setPoints(id, {{0, 1.0}, {1, 2.0}, {2, 3.0}});
    chart.setSmoothing(LineChart::Smoothing::Ema, 0.5);
    const QVector<QPointF> drawn = chart.drawnPoints(id);
    ASSERT_EQ(drawn.size(), 3);
    EXPECT_NEAR(drawn[0].y(), 1.0, 1e-12);
    EXPECT_NEAR(drawn[1].y(), 5.0 / 3.0, 1e-12);
    EXPECT_NEAR(drawn[2].y(), 17.0 / 7.0, 1e-12);
    chart.setSmoothing(LineChart::Smoothing::MovingAverage, 3);
    EXPECT_NEAR(chart.drawnPoints(id)[0].y(), 1.5, 1e-12);
    chart.setSmoothing(LineChart::Smoothing::None, 0);
    EXPECT_EQ(chart.drawnPoints(id)[1], QPointF(1, 2.0));
}

TEST(WidgetsLineChart, ValuesAtGivesNearestPointOfEachVisibleSeries) {
    LineChart chart;
    const int a = chart.addSeries(QStringLiteral("a"), Qt::red);
    const int b = chart.addSeries(QStringLiteral("b"), Qt::blue);
    chart.setPoints(a, {{0, 1}, {10, 2}, {20, 3}});
    chart.setPoints(b, {{0, 5}, {4, 6}});
    const auto v = chart.valuesAt(12);
    ASSERT_EQ(v.size(), 2);
    EXPECT_EQ(v[0].id, a);
    EXPECT_EQ(v[0].point, QPointF(10, 2));
    EXPECT_EQ(v[1].point, QPointF(4, 6));
    chart.setSeriesVisible(b, false);
    EXPECT_EQ(chart.valuesAt(12).size(), 1);
    EXPECT_TRUE(chart.drawnPoints(b).isEmpty());
}

TEST(WidgetsLineChart, LegendClickTogglesSeries) {
    LineChart chart;
    chart.resize(640, 400);
    const int id = chart.addSeries(QStringLiteral("baseline"), Qt::red);
    chart.setPoints(id, ramp(50));
    chart.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
    // Find the legend entry by probing the public hit test (the legend is inside the plot).
    QPoint hit(-1, -1);
    for (int y = 0; y < chart.height() && hit.x() < 0; y += 2)
        for (int x = 0; x < chart.width(); x += 2)
            if (chart.legendEntryAt(QPointF(x, y)) == id) {
                hit = QPoint(x, y);
                break;
            }
    ASSERT_GE(hit.x(), 0);
    EXPECT_TRUE(chart.plotRect().contains(hit));
    QSignalSpy spy(&chart, &LineChart::seriesVisibilityChanged);
    QTest::mouseClick(&chart, Qt::LeftButton, {}, hit);
    ASSERT_EQ(spy.count(), 1);
    EXPECT_EQ(spy.at(0).at(0).toInt(), id);
    EXPECT_FALSE(spy.at(0).at(1).toBool());
    EXPECT_FALSE(chart.isSeriesVisible(id));
    QTest::mouseClick(&chart, Qt::LeftButton, {}, hit);
    EXPECT_TRUE(chart.isSeriesVisible(id));
}

TEST(WidgetsLineChart, WheelZoomsRubberBandZoomsDoubleClickResets) {
    LineChart chart;
    chart.resize(800, 500);
    const int id = chart.addSeries(QString(), Qt::red); // unnamed: no legend in the way
    chart.setPoints(id, ramp(1001));
    chart.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
    const auto full = chart.xRange();
    EXPECT_DOUBLE_EQ(full.first, 0.0);
    EXPECT_DOUBLE_EQ(full.second, 1000.0);

    const QPointF centre = chart.plotRect().center();
    QWheelEvent wheel(centre, chart.mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&chart, &wheel);
    const auto zoomed = chart.xRange();
    EXPECT_GT(zoomed.first, full.first);
    EXPECT_LT(zoomed.second, full.second);

    QTest::mouseDClick(&chart, Qt::LeftButton, {}, centre.toPoint());
    EXPECT_DOUBLE_EQ(chart.xRange().first, 0.0);
    EXPECT_DOUBLE_EQ(chart.xRange().second, 1000.0);

    // Right-drag over the middle fifth of the plot.
    const QRectF pr = chart.plotRect();
    const QPoint a(int(pr.left() + pr.width() * 0.4), int(pr.top() + 20));
    const QPoint b(int(pr.left() + pr.width() * 0.6), int(pr.bottom() - 20));
    QSignalSpy view(&chart, &LineChart::viewChanged);
    QTest::mousePress(&chart, Qt::RightButton, {}, a);
    QTest::mouseMove(&chart, b);
    QTest::mouseRelease(&chart, Qt::RightButton, {}, b);
    EXPECT_GE(view.count(), 1);
    EXPECT_NEAR(chart.xRange().first, 400, 5);
    EXPECT_NEAR(chart.xRange().second, 600, 5);
}

TEST(WidgetsLineChart, RenderPaintsCurvesLegendAndAnnotations) {
    LineChart chart;
    chart.setTitle(QStringLiteral("loss"));
    chart.setAxisLabels(QStringLiteral("step"), QStringLiteral("loss"));
    const QColor c(230, 20, 20);
    const int id = chart.addSeries(QStringLiteral("rope"), c);
    chart.setPoints(id, ramp(500));
    chart.setMarker(250, QStringLiteral("train length"));
    chart.setShadedFrom(250, QStringLiteral("extrapolation"));
    QImage img(640, 400, QImage::Format_ARGB32_Premultiplied);
    img.fill(chart.palette().color(QPalette::Base));
    const QImage blank = img;
    {
        QPainter p(&img);
        chart.render(p, QRectF(0, 0, 640, 400));
    }
    EXPECT_NE(img, blank);
    EXPECT_GT(countColour(img, c), 200); // the curve (and legend swatch) in the series colour
}

TEST(WidgetsLineChart, RemoveAndClear) {
    LineChart chart;
    const int a = chart.addSeries(QStringLiteral("a"), Qt::red);
    const int b = chart.addSeries(QStringLiteral("b"), Qt::blue);
    EXPECT_NE(a, b);
    chart.removeSeries(a);
    EXPECT_EQ(chart.seriesIds(), QList<int>{b});
    chart.clear();
    EXPECT_EQ(chart.seriesCount(), 0);
    EXPECT_TRUE(chart.drawnPoints(b).isEmpty());
}

TEST(WidgetsLineChart, RepaintFollowsThemeButKeepsDataColours) {
    auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
    ASSERT_NE(app, nullptr);
    applyTheme(*app, Theme::Light);
    LineChart chart;
    chart.resize(400, 300);
    const QColor c(230, 20, 20);
    chart.setPoints(chart.addSeries(QStringLiteral("run"), c), ramp(100));
    const QImage light = chart.grab().toImage();
    applyTheme(*app, Theme::Dark); // the widget caches its figure: the palette change must redraw it
    const QImage dark = chart.grab().toImage();
    applyTheme(*app, Theme::Light);
    EXPECT_GT(light.pixelColor(2, 2).lightness(), 128);
    EXPECT_LT(dark.pixelColor(2, 2).lightness(), 128);
    EXPECT_GT(countColour(light, c), 50);
    EXPECT_GT(countColour(dark, c), 50); // the same series colour in both themes
}

TEST(WidgetsLineChart, BandsAreShadedUnderTheCurveAndCountInTheRange) {
    LineChart c;
    c.resize(400, 300);
    const int id = c.addSeries("mean", QColor(200, 0, 0));
    c.setPoints(id, {{1, 10}, {2, 20}});
    c.autoRange();
    const auto plain = c.yRange();
    EXPECT_GT(plain.first, 5.0);
    c.setBand(id, {{1, 5}, {2, 15}}, {{1, 12}, {2, 30}});
    ASSERT_TRUE(c.hasBand(id));
    c.autoRange();
    const auto banded = c.yRange();
    EXPECT_LE(banded.first, 5.0);
    EXPECT_GE(banded.second, 30.0);
    // Painted: a pixel inside the band (between the curve and the upper edge) carries the colour.
    QImage img(400, 300, QImage::Format_ARGB32);
    img.fill(Qt::white);
    {
        QPainter p(&img);
        c.render(p, QRectF(0, 0, 400, 300));
    }
    int tinted = 0;
    for (int y = 0; y < 300; ++y)
        for (int x = 0; x < 400; ++x) {
            const QColor px = img.pixelColor(x, y);
            tinted += px.red() > 200 && px.green() < 235 && px.green() > 150 && px.blue() < 235 && px.blue() > 150;
        }
    EXPECT_GT(tinted, 2000) << "no shaded band";
    // Mismatched edges are refused; clearBand removes it.
    c.setBand(id, {{1, 5}}, {{1, 6}, {2, 7}});
    EXPECT_TRUE(c.hasBand(id)); // unchanged
    c.clearBand(id);
    EXPECT_FALSE(c.hasBand(id));
}

namespace {
// Every series id whose legend entry the hit test finds somewhere in the widget, and whether each
// entry lies outside the plot.
QMap<int, bool> legendEntries(const LineChart& chart) {
    QMap<int, bool> found;
    for (int y = 0; y < chart.height(); y += 2)
        for (int x = 0; x < chart.width(); x += 2) {
            const int id = chart.legendEntryAt(QPointF(x, y));
            if (id >= 0 && !found.contains(id)) found.insert(id, !chart.plotRect().contains(QPointF(x, y)));
        }
    return found;
}
} // namespace

// Five runs in a short chart (the Training tab at 1000x700) and a sweep's long names: every series
// is listed; names that do not fit inside the plot go beside or below it, never over the curves.
TEST(WidgetsLineChart, TheLegendListsEverySeriesAndMovesOutsideWhenNamesAreLong) {
    LineChart chart;
    chart.resize(420, 190);
    QVector<int> ids;
    for (const char* n : {"seqpe", "learned", "rope", "alibi", "sinusoidal"}) {
        ids << chart.addSeries(QString::fromLatin1(n), seriesColor(int(ids.size())));
        chart.setPoints(ids.back(), ramp(40, ids.size() * 3));
    }
    chart.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&chart));
    QMap<int, bool> found = legendEntries(chart);
    EXPECT_EQ(found.size(), ids.size()) << "a short chart listed only some of its runs";

    LineChart sweep;
    sweep.resize(640, 400);
    QVector<int> sids;
    for (const char* n : {"seqpe/weight=0,scalar_scale=8/seed-1", "seqpe/weight=0,scalar_scale=16/seed-1",
                          "seqpe/weight=0.1,scalar_scale=8/seed-1", "seqpe/weight=0.1,scalar_scale=16/seed-1"}) {
        sids << sweep.addSeries(QString::fromLatin1(n), seriesColor(int(sids.size())));
        sweep.setPoints(sids.back(), ramp(30));
    }
    sweep.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&sweep));
    found = legendEntries(sweep);
    ASSERT_EQ(found.size(), sids.size());
    for (int id : sids) EXPECT_TRUE(found.value(id)) << "entry " << id << " covers the plot";
    // ... and the plot made room for it: the curves keep most of the width or height.
    EXPECT_GT(sweep.plotRect().width() * sweep.plotRect().height(), 0.3 * 640 * 400);
    // The band below the plot is the figure's background, also right of the legend (it was left
    // unpainted: black on a fresh image, whatever lay under the widget on screen).
    QImage img(640, 400, QImage::Format_ARGB32);
    img.fill(Qt::black);
    QPainter p(&img);
    sweep.render(p, QRectF(0, 0, 640, 400));
    p.end();
    const QColor background = sweep.palette().color(QPalette::Base);
    EXPECT_EQ(img.pixelColor(636, 396).rgb(), background.rgb());
    EXPECT_EQ(img.pixelColor(2, 396).rgb(), background.rgb());
}

// A series of one point (a sweep with one value) is drawn as a visible dot, not nothing.
TEST(WidgetsLineChart, ALonePointIsDrawnAsADot) {
    LineChart chart;
    chart.resize(300, 200);
    const int id = chart.addSeries(QString(), QColor(200, 30, 30)); // unnamed: no legend swatch in that colour
    chart.setPoints(id, {QPointF(1, 2)});
    QImage img(300, 200, QImage::Format_ARGB32);
    QPainter p(&img);
    chart.render(p, QRectF(0, 0, 300, 200));
    p.end();
    EXPECT_GE(countColour(img, QColor(200, 30, 30), 30), 12); // a dot of radius ~3, not one pixel
}
