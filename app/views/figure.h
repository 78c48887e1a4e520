#pragma once
// What a view hands to the exporters: a figure drawn through the widgets' own render() (the path
// the screen uses, so a file has the same title, axes, legend and colour bar), the data it shows
// as CSV tables, and the config hashes of its runs for the file's metadata. Writing is shared by
// each view's "Export figure...", File > "Export All Figures" and the headless --export.
//
// GUI thread only. A Figure's render function points at live widgets: write it before they die.
#include "seqpe/widgets/export.h"

#include <QList>
#include <QPair>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>

class QWidget;

namespace seqpe::ui {

class LineChart;
class Workbench;

// One CSV of a figure: "<stem>.csv" for the first table, "<stem>-<suffix>.csv" for the others.
struct FigureTable {
    QString suffix;
    QStringList header;
    QVector<QVector<QString>> rows;
};

struct Figure {
    QString stem;        // file name without extension: "<view>-<run>-<what>"
    QString title;       // metadata title (PNG chunk, SVG <title>, PDF /Title)
    QString description; // metadata description: the runs' config hashes
    QSizeF size;         // logical pixels (96 per inch)
    RenderFunction render;
    QVector<FigureTable> tables;
    bool isNull() const { return !render; }
};

// The CSV file of table `i` of a figure whose image is `imagePath` (same folder and stem).
QString tablePath(const QString& imagePath, const FigureTable& table);

// Writes the figure to `path` (.png at `dpi`, .svg, .pdf) and its tables beside it. Returns the
// files written; on failure sets *error and returns what was written before it.
QStringList writeFigure(const Figure& f, const QString& path, double dpi, QString* error);
// Writes <dir>/<stem>.<format> for each format ("png", "svg", "pdf") and the tables once.
QStringList writeFigureFormats(const Figure& f, const QString& dir, const QStringList& formats, double dpi,
                               QString* error);
// "Export figure...": asks for a file name (PNG, SVG or PDF) and, for PNG, the resolution; writes
// the figure and its CSV; reports the outcome in a message box.
// Asks where to write (starting in the last export folder, else `folder`: the project's figures
// folder), then writes the figure and its tables.
void exportFigureInteractively(QWidget* parent, const Figure& f, const QString& folder);

// A number as CSV text: the shortest form that reads back as the same double.
QString csvNumber(double v);
// Lower-case file-name token: "SeqPE contrastive loss" -> "seqpe-contrastive-loss".
QString fileSlug(const QString& text);
// "config hash seqpe=1a2b3c4d5e6f, learned=..." for the metadata (runs without a config skipped).
QString configHashes(Workbench& wb, const QStringList& runs);

// The data a line chart shows, long format (series, x, y): every point of every visible series.
FigureTable lineChartTable(const LineChart& chart, const QString& xName, const QString& yName);

// The render function of one widget: HeatMap, GuidedHeatMap, ScatterPlot or LineChart (others are
// not drawable and are skipped).
RenderFunction widgetRender(const QWidget* w);
// A figure of several parts laid out as on screen: each part at its place inside `frame`, the
// whole scaled to the target. Hidden parts are skipped. `draw` may be null for widgetRender(part).
RenderFunction renderAsShown(const QWidget* frame, const QList<QPair<const QWidget*, RenderFunction>>& parts);

} // namespace seqpe::ui
