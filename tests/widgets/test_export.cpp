// Figure export: SVG parses and keeps legend and title as text, PDF has one page, PNG honours dpi
// and carries metadata, CSV round-trips; every view's render() paints.
#include "seqpe/widgets/export.h"
#include "seqpe/widgets/heat_map.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace seqpe::ui;

namespace {

struct ChartFixture {
    LineChart chart;
    ChartFixture() {
        chart.setTitle(QStringLiteral("Loss vs step"));
        chart.setAxisLabels(QStringLiteral("step"), QStringLiteral("loss"));
        const int a = chart.addSeries(QStringLiteral("run-alpha"), QColor(230, 159, 0));
        const int b = chart.addSeries(QStringLiteral("run-beta"), QColor(86, 180, 233));
        QVector<QPointF> pa, pb;
        for (int i = 0; i < 400; ++i) {
            pa.append(QPointF(i, 4.0 / (1 + 0.02 * i)));
            pb.append(QPointF(i, 3.5 / (1 + 0.015 * i)));
        }
        chart.setPoints(a, pa);
        chart.setPoints(b, pb);
        chart.setMarker(200, QStringLiteral("train length"));
    }
    RenderFunction render() const {
        return [this](QPainter& p, const QRectF& r) { chart.render(p, r); };
    }
};

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

TEST(WidgetsExport, SvgIsValidAndKeepsLegendAndTitle) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ChartFixture f;
    const QString path = dir.filePath(QStringLiteral("loss.svg"));
    QString error;
    ASSERT_TRUE(exportFigure(f.render(), QSizeF(640, 400), path,
                             {150, QStringLiteral("SeqPE loss"), QStringLiteral("config 3f2a9c")}, &error))
        << error.toStdString();
    QSvgRenderer svg(path);
    EXPECT_TRUE(svg.isValid());
    const QByteArray xml = readAll(path);
    EXPECT_TRUE(xml.contains("run-alpha"));
    EXPECT_TRUE(xml.contains("run-beta"));
    EXPECT_TRUE(xml.contains("Loss vs step"));
    EXPECT_TRUE(xml.contains("<title>SeqPE loss</title>"));
    EXPECT_TRUE(xml.contains("config 3f2a9c"));
}

TEST(WidgetsExport, PdfHasExactlyOnePage) {
    QTemporaryDir dir;
    ChartFixture f;
    const QString path = dir.filePath(QStringLiteral("loss.pdf"));
    QString error;
    ASSERT_TRUE(
        exportFigure(f.render(), QSizeF(640, 400), path, {150, QStringLiteral("SeqPE loss"), QString()}, &error))
        << error.toStdString();
    const QByteArray pdf = readAll(path);
    ASSERT_TRUE(pdf.startsWith("%PDF"));
    int pages = 0;
    for (qsizetype i = pdf.indexOf("/Type /Page"); i >= 0; i = pdf.indexOf("/Type /Page", i + 1))
        if (i + 11 >= pdf.size() || pdf[i + 11] != 's') ++pages;
    EXPECT_EQ(pages, 1);
    EXPECT_TRUE(pdf.contains("/Title"));
    EXPECT_GT(pdf.size(), 2000);
}

TEST(WidgetsExport, PngScalesWithDpiAndCarriesMetadata) {
    QTemporaryDir dir;
    ChartFixture f;
    const QString p150 = dir.filePath(QStringLiteral("a.png")), p300 = dir.filePath(QStringLiteral("b.png"));
    ASSERT_TRUE(
        exportFigure(f.render(), QSizeF(640, 400), p150, {150, QStringLiteral("loss"), QStringLiteral("hash 1")}));
    ASSERT_TRUE(
        exportFigure(f.render(), QSizeF(640, 400), p300, {300, QStringLiteral("loss"), QStringLiteral("hash 1")}));
    const QImage a(p150), b(p300);
    ASSERT_FALSE(a.isNull());
    ASSERT_FALSE(b.isNull());
    EXPECT_EQ(a.width(), 1000); // 640 logical px at 96/inch -> 150 dpi
    EXPECT_EQ(b.width(), 2 * a.width());
    EXPECT_EQ(b.height(), 2 * a.height());
    QImageReader reader(p300);
    EXPECT_EQ(reader.text(QStringLiteral("Description")), QStringLiteral("hash 1"));
    EXPECT_EQ(reader.text(QStringLiteral("Title")), QStringLiteral("loss"));
    EXPECT_NEAR(b.dotsPerMeterX() * 0.0254, 300, 0.5);
}

TEST(WidgetsExport, RejectsUnknownFormatsAndUnwritablePaths) {
    ChartFixture f;
    QString error;
    EXPECT_FALSE(exportFigure(f.render(), QSizeF(100, 100), QStringLiteral("/tmp/x.bmpx"), {}, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("bmpx")));
    EXPECT_FALSE(exportFigure(f.render(), QSizeF(100, 100), QStringLiteral("/nonexistent-dir/x.pdf"), {}, &error));
    EXPECT_FALSE(exportFigure(f.render(), QSizeF(100, 100), QStringLiteral("/nonexistent-dir/x.png"), {}, &error));
}

TEST(WidgetsExport, CsvRoundTripsTheRows) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("loss.csv"));
    const QStringList header{QStringLiteral("step"), QStringLiteral("run"), QStringLiteral("loss")};
    const QVector<QVector<QString>> rows{
        {QStringLiteral("0"), QStringLiteral("rope"), QStringLiteral("4.25")},
        {QStringLiteral("1"), QStringLiteral("a,b"), QStringLiteral("3.5")},
        {QStringLiteral("2"), QStringLiteral("say \"hi\""), QStringLiteral("")},
        {QStringLiteral("3"), QStringLiteral("two\nlines"), QStringLiteral("ünï")},
    };
    QString error;
    ASSERT_TRUE(writeCsv(path, header, rows, &error)) << error.toStdString();
    EXPECT_TRUE(readAll(path).startsWith("step,run,loss\n0,rope,4.25\n1,\"a,b\",3.5\n"));
    QStringList h;
    QVector<QVector<QString>> back;
    ASSERT_TRUE(readCsv(path, &h, &back, &error)) << error.toStdString();
    EXPECT_EQ(h, header);
    EXPECT_EQ(back, rows);
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("loss.csv")}); // no temp files left
}

TEST(WidgetsExport, EveryViewRendersIntoAnImage) {
    ChartFixture f;
    HeatMap heat;
    heat.setMatrix(2, 2, {0.0f, 1.0f, 2.0f, 3.0f});
    ScatterPlot scatter;
    scatter.setPoints({{0, 0}, {1, 1}, {2, 0.5}}, {0, 1, 2});
    const RenderFunction renders[] = {
        f.render(),
        [&](QPainter& p, const QRectF& r) { heat.render(p, r); },
        [&](QPainter& p, const QRectF& r) { scatter.render(p, r); },
    };
    for (const RenderFunction& render : renders) {
        QImage img(400, 300, QImage::Format_ARGB32_Premultiplied);
        img.fill(Qt::transparent);
        {
            QPainter p(&img);
            render(p, QRectF(0, 0, 400, 300));
        }
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 3)
            for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
        EXPECT_GT(colours.size(), 5);   // background plus axes, text and data
        EXPECT_NE(img.pixel(0, 0), 0u); // the background is painted too
    }
}
