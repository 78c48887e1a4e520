// HeatMap: exact end colours, values, picking that matches what is drawn (for 2D patch grids at
// several widget sizes), click/hover signals, overlay, theme independence of data colours.
#include "seqpe/widgets/heat_map.h"
#include "seqpe/widgets/theme.h"

#include <QApplication>
#include <QPainter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace seqpe::ui;

namespace {

// Distinct values in a shuffled order, so neighbouring cells have very different colours.
QVector<float> shuffled(int n, quint32 seed) {
    QVector<float> v(n);
    std::iota(v.begin(), v.end(), 0.0f);
    QRandomGenerator rng(seed);
    for (int i = n - 1; i > 0; --i) std::swap(v[i], v[int(rng.bounded(i + 1))]);
    return v;
}

QImage renderOf(const HeatMap& map) {
    QImage img(map.size(), QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::black);
    QPainter p(&img);
    map.render(p, QRectF(map.rect()));
    return img;
}

} // namespace

TEST(WidgetsHeatMap, MinAndMaxCellsGetTheMapsEndColoursExactly) {
    HeatMap map;
    QVector<float> v{0.3f, -2.0f, 1.5f, 4.0f, 5.0f, 0.0f, 2.2f, -1.1f, 3.3f, 0.7f, 1.0f, 2.0f};
    map.setMatrix(3, 4, v); // min -2 at (0,1), max 5 at (1,0)
    for (ColorMap m : {ColorMap::Viridis, ColorMap::Magma, ColorMap::Hot, ColorMap::Gray}) {
        SCOPED_TRACE(colorMapName(m).toStdString());
        map.setColorMap(m);
        EXPECT_EQ(map.colorAt(0, 1), colorMapColor(m, 0.0));
        EXPECT_EQ(map.colorAt(1, 0), colorMapColor(m, 1.0));
        EXPECT_EQ(map.colorIndexAt(0, 1), 0);
        EXPECT_EQ(map.colorIndexAt(1, 0), 255);
    }
    EXPECT_DOUBLE_EQ(map.valueAt(0, 2), 1.5);
    EXPECT_DOUBLE_EQ(map.valueAt(2, 3), 2.0);
    EXPECT_TRUE(std::isnan(map.valueAt(3, 0)));
    EXPECT_FALSE(map.colorAt(-1, 0).isValid());
}

TEST(WidgetsHeatMap, FixedRangeClampsAndDivergingAutoRangeIsSymmetric) {
    HeatMap map;
    map.setMatrix(1, 3, {-1.0f, 0.0f, 3.0f});
    map.setColorMap(ColorMap::Coolwarm);
    EXPECT_DOUBLE_EQ(map.rangeLow(), -3.0);
    EXPECT_DOUBLE_EQ(map.rangeHigh(), 3.0);
    // 0 is the neutral centre (the 256-entry table has no exact middle: entry 128 is within 1/255).
    const QColor centre = colorMapColor(ColorMap::Coolwarm, 0.5);
    EXPECT_NEAR(map.colorAt(0, 1).red(), centre.red(), 1);
    EXPECT_NEAR(map.colorAt(0, 1).green(), centre.green(), 1);
    EXPECT_NEAR(map.colorAt(0, 1).blue(), centre.blue(), 1);
    map.setRange(0.0, 1.0);
    EXPECT_EQ(map.colorAt(0, 0), colorMapColor(ColorMap::Coolwarm, 0.0));
    EXPECT_EQ(map.colorAt(0, 2), colorMapColor(ColorMap::Coolwarm, 1.0));
    map.setAutoRange();
    EXPECT_DOUBLE_EQ(map.rangeLow(), -3.0);
}

TEST(WidgetsHeatMap, NaNCellsHaveNoColour) {
    HeatMap map;
    map.setMatrix(1, 2, {std::nanf(""), 1.0f});
    EXPECT_EQ(map.colorIndexAt(0, 0), -1);
    EXPECT_FALSE(map.colorAt(0, 0).isValid());
}

TEST(WidgetsHeatMap, CellAtMatchesTheDrawnCellForPatchGridsAndWidgetSizes) {
    const QSize sizes[] = {{300, 300}, {640, 480}, {900, 350}, {257, 611}};
    for (int n : {7, 10, 21}) {
        for (QSize size : sizes) {
            SCOPED_TRACE(
                QStringLiteral("%1x%1 grid in %2x%3").arg(n).arg(size.width()).arg(size.height()).toStdString());
            HeatMap map;
            map.resize(size);
            map.setMatrix(n, n, shuffled(n * n, quint32(n * 1000 + size.width())));
            map.setTitle(QStringLiteral("attention"));
            const QRectF m = map.matrixRect();
            ASSERT_TRUE(QRectF(map.rect()).contains(m));
            ASSERT_GT(std::min(m.width(), m.height()), 0.4 * std::min(size.width(), size.height()) - 60);
            // Cells tile the matrix and are square.
            const QRectF first = map.cellRect(0, 0), last = map.cellRect(n - 1, n - 1);
            EXPECT_NEAR(first.left(), m.left(), 1e-9);
            EXPECT_NEAR(last.right(), m.right(), 1e-9);
            EXPECT_NEAR(last.bottom(), m.bottom(), 1e-9);
            EXPECT_NEAR(first.width(), first.height(), 1e-6);
            // Picking agrees with the picture: the pixel under a point has the colour of the cell
            // cellAt() names, at random points away from cell borders.
            const QImage img = renderOf(map);
            QRandomGenerator rng(42);
            int checked = 0;
            for (int k = 0; k < 400; ++k) {
                const QPointF pos(m.left() + rng.generateDouble() * m.width(),
                                  m.top() + rng.generateDouble() * m.height());
                const QPoint cell = map.cellAt(pos);
                ASSERT_GE(cell.x(), 0);
                const QRectF r = map.cellRect(cell.y(), cell.x());
                ASSERT_TRUE(r.contains(pos));
                if (!r.adjusted(1.5, 1.5, -1.5, -1.5).contains(pos))
                    continue; // resampling may put a border pixel in either cell
                EXPECT_EQ(img.pixelColor(int(pos.x()), int(pos.y())).rgb(), map.colorAt(cell.y(), cell.x()).rgb());
                ++checked;
            }
            EXPECT_GT(checked, 50);
            EXPECT_EQ(map.cellAt(QPointF(m.left() - 2, m.center().y())), QPoint(-1, -1));
            EXPECT_EQ(map.cellAt(QPointF(m.center().x(), m.bottom() + 2)), QPoint(-1, -1));
            // Both sides of a border.
            const QRectF c = map.cellRect(n / 2, n / 2);
            EXPECT_EQ(map.cellAt(QPointF(c.left() + 0.25, c.center().y())), QPoint(n / 2, n / 2));
            EXPECT_EQ(map.cellAt(QPointF(c.left() - 0.25, c.center().y())), QPoint(n / 2 - 1, n / 2));
        }
    }
}

TEST(WidgetsHeatMap, CellsStayCrispAtDevicePixelRatioTwo) {
    HeatMap map;
    map.resize(300, 300);
    const int n = 7;
    map.setMatrix(n, n, shuffled(n * n, 1));
    QImage img(600, 600, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(2.0);
    img.fill(Qt::black);
    {
        QPainter p(&img);
        map.render(p, QRectF(0, 0, 300, 300));
    }
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const QRectF cell = map.cellRect(r, c);
            const QRgb want = map.colorAt(r, c).rgb();
            // Centre and 1.5 logical px inside each corner: no blur reaches into the cell.
            for (const QPointF& pt :
                 {cell.center(), cell.topLeft() + QPointF(1.5, 1.5), cell.bottomRight() - QPointF(1.5, 1.5)})
                ASSERT_EQ(img.pixel(int(pt.x() * 2), int(pt.y() * 2)), want) << "cell " << r << "," << c;
        }
}

TEST(WidgetsHeatMap, ClickEmitsCellClickedAndHoverEmitsCellHovered) {
    HeatMap map;
    map.resize(500, 400);
    QVector<float> v(10 * 10);
    for (int i = 0; i < v.size(); ++i) v[i] = float(i) / 10;
    map.setMatrix(10, 10, v);
    map.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&map));
    QSignalSpy clicked(&map, &HeatMap::cellClicked);
    QSignalSpy hovered(&map, &HeatMap::cellHovered);
    const QPoint at = map.cellRect(3, 7).center().toPoint();
    QTest::mouseMove(&map, at);
    ASSERT_GE(hovered.count(), 1);
    EXPECT_EQ(hovered.last().at(0).toInt(), 3);
    EXPECT_EQ(hovered.last().at(1).toInt(), 7);
    EXPECT_NEAR(hovered.last().at(2).toDouble(), 3.7, 1e-6);
    QTest::mouseClick(&map, Qt::LeftButton, {}, at);
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.at(0).at(0).toInt(), 3);
    EXPECT_EQ(clicked.at(0).at(1).toInt(), 7);
    EXPECT_EQ(map.cellText(3, 7), QStringLiteral("row 3, col 7: 3.7"));
}

TEST(WidgetsHeatMap, OverlayOpacityBlendsHeatOverThePicture) {
    HeatMap map;
    map.resize(400, 400);
    map.setMatrix(2, 2, {0.0f, 0.0f, 0.0f, 0.0f});
    map.setRange(0.0, 1.0); // all cells at the map's first colour
    map.setColorMap(ColorMap::Gray);
    QImage picture(64, 64, QImage::Format_RGB32);
    picture.fill(QColor(255, 0, 0));
    const QPoint probe = map.cellRect(0, 0).center().toPoint();

    map.setBackgroundImage(picture, 0.0); // heat layer invisible: the picture shows
    EXPECT_EQ(renderOf(map).pixelColor(probe), QColor(255, 0, 0));
    map.setBackgroundImage(picture, 1.0); // opaque heat layer: black
    EXPECT_EQ(renderOf(map).pixelColor(probe), QColor(0, 0, 0));
    map.setBackgroundImage(picture, 0.5);
    const QColor mixed = renderOf(map).pixelColor(probe);
    EXPECT_NEAR(mixed.red(), 128, 3);
    EXPECT_EQ(mixed.green(), 0);

    map.setMarkedCell(1, 0);
    EXPECT_EQ(map.markedCell(), QPoint(0, 1));
    map.setMarkedCell(5, 5);
    EXPECT_EQ(map.markedCell(), QPoint(-1, -1));
}

TEST(WidgetsHeatMap, DataColoursDoNotChangeWithTheTheme) {
    auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
    ASSERT_NE(app, nullptr);
    HeatMap map;
    map.resize(300, 300);
    map.setMatrix(2, 2, {0.0f, 1.0f, 2.0f, 3.0f});
    applyTheme(*app, Theme::Light);
    EXPECT_FALSE(isDarkTheme());
    const QColor light = map.colorAt(1, 0);
    const QColor lightPixel = renderOf(map).pixelColor(map.cellRect(1, 0).center().toPoint());
    applyTheme(*app, Theme::Dark);
    EXPECT_TRUE(isDarkTheme());
    EXPECT_EQ(map.colorAt(1, 0), light);
    EXPECT_EQ(renderOf(map).pixelColor(map.cellRect(1, 0).center().toPoint()), lightPixel);
    applyTheme(*app, Theme::Light);
}

TEST(WidgetsHeatMap, LargeMatrixAndLabelsRender) {
    HeatMap map;
    map.resize(600, 500);
    const int n = 1024;
    QVector<float> v(n * n);
    for (int i = 0; i < v.size(); ++i) v[i] = float((i * 2654435761u) % 1000) / 1000.0f;
    map.setMatrix(n, n, v);
    QStringList labels;
    for (int i = 0; i < n; ++i) labels << QStringLiteral("tok%1").arg(i);
    map.setRowLabels(labels);
    map.setColumnLabels(labels);
    const QImage img = renderOf(map);
    EXPECT_EQ(img.size(), QSize(600, 500));
    EXPECT_EQ(map.cellAt(map.cellRect(1000, 3).center()), QPoint(3, 1000));

    map.setMatrix(2, 3, {1, 2}); // wrong size: ignored, map emptied
    EXPECT_EQ(map.rows(), 0);
}

TEST(WidgetsHeatMap, TickLabelsNeverOverlapOrClipAtAnySize) {
    // Position matrices of 5 to 4096 positions (labels up to four digits) at small to large
    // widget sizes: every label drawn lies inside the widget and apart from every other.
    for (int n : {5, 17, 100, 128, 256, 1000, 4096}) {
        HeatMap h;
        h.setMatrix(n, n, QVector<float>(qsizetype(n) * n, 0.0f));
        QStringList labels;
        for (int i = 0; i < n; ++i) labels << QString::number(i);
        h.setRowLabels(labels);
        h.setColumnLabels(labels);
        h.setTitle(QStringLiteral("cosine similarity"));
        h.setKeepAspect(true);
        for (QSize size : {QSize(160, 120), QSize(240, 220), QSize(520, 460), QSize(1400, 900), QSize(3000, 2400)}) {
            h.resize(size);
            const QVector<QRectF> boxes = h.tickLabelRects();
            ASSERT_FALSE(boxes.isEmpty()) << n << " " << size.width();
            const QRectF inside = QRectF(h.rect());
            for (int i = 0; i < boxes.size(); ++i) {
                EXPECT_TRUE(inside.contains(boxes[i]))
                    << "n " << n << " size " << size.width() << "x" << size.height() << ": label " << i << " clipped";
                for (int j = i + 1; j < boxes.size(); ++j)
                    EXPECT_FALSE(boxes[i].intersects(boxes[j])) << "n " << n << " size " << size.width() << "x"
                                                                << size.height() << ": labels " << i << ", " << j;
            }
            // Three-digit labels keep their digits (no "110" drawn as "10").
            if (n >= 128 && size.width() >= 520) {
                EXPECT_GE(boxes.back().height(), QFontMetricsF(h.font()).horizontalAdvance(QStringLiteral("99")));
            }
        }
    }
}
