// ScatterPlot: colours from the map, picking, hover signal, render smoke test.
#include "seqpe/widgets/scatter_plot.h"

#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <cmath>

using namespace seqpe::ui;

namespace {

void spiral(ScatterPlot& plot, int n) {
    QVector<QPointF> pts;
    QVector<double> pos;
    for (int i = 0; i < n; ++i) {
        const double t = i * 0.15;
        pts.append(QPointF(t * std::cos(t), t * std::sin(t)));
        pos.append(i);
    }
    plot.setPoints(pts, pos);
}

} // namespace

TEST(WidgetsScatterPlot, ColoursFollowTheValueRange) {
    ScatterPlot plot;
    spiral(plot, 64);
    EXPECT_EQ(plot.pointCount(), 64);
    EXPECT_EQ(plot.pointColor(0), colorMapColor(ColorMap::Viridis, 0.0));
    EXPECT_EQ(plot.pointColor(63), colorMapColor(ColorMap::Viridis, 1.0));
    plot.setColorMap(ColorMap::Magma);
    EXPECT_EQ(plot.pointColor(63), colorMapColor(ColorMap::Magma, 1.0));
    plot.setColorRange(0, 126);
    EXPECT_EQ(plot.pointColor(63), colorMapColor(ColorMap::Magma, 128.0 / 255.0)); // 63/126 -> LUT 128
}

TEST(WidgetsScatterPlot, PickingAndHover) {
    ScatterPlot plot;
    plot.resize(500, 400);
    spiral(plot, 40);
    plot.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&plot));
    for (int i : {0, 17, 39}) {
        const QPointF at = plot.pointPosition(i);
        EXPECT_TRUE(QRectF(plot.rect()).contains(at));
        EXPECT_EQ(plot.pointAt(at), i);
    }
    QSignalSpy hovered(&plot, &ScatterPlot::pointHovered);
    QTest::mouseMove(&plot, plot.pointPosition(39).toPoint());
    ASSERT_GE(hovered.count(), 1);
    EXPECT_EQ(hovered.last().at(0).toInt(), 39);
    EXPECT_DOUBLE_EQ(hovered.last().at(1).toDouble(), 39.0);
    EXPECT_EQ(plot.pointAt(QPointF(2, 2)), -1);
}

TEST(WidgetsScatterPlot, RenderPaintsPoints) {
    ScatterPlot plot;
    spiral(plot, 200);
    plot.setTitle(QStringLiteral("PCA of position embeddings"));
    QImage img(500, 400, QImage::Format_ARGB32_Premultiplied);
    img.fill(plot.palette().color(QPalette::Base));
    const QImage blank = img;
    {
        QPainter p(&img);
        plot.render(p, QRectF(0, 0, 500, 400));
    }
    EXPECT_NE(img, blank);
    // The last point's colour (viridis yellow) appears in the picture.
    const QColor c = colorMapColor(ColorMap::Viridis, 1.0);
    bool found = false;
    for (int y = 0; y < img.height() && !found; ++y)
        for (int x = 0; x < img.width() && !found; ++x) found = img.pixelColor(x, y) == c;
    EXPECT_TRUE(found);
}
