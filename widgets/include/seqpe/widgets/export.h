#pragma once
// Figure and data export shared by every view: one render callback (the view's render()) drawn
// into a PNG, an SVG or a PDF, so exported figures have the same legend, axes and colour bar as
// the screen (the TensorBoard/W&B complaint: SVGs without legends, blurry PNGs). Plus CSV of the
// plotted data, written atomically.
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

class QPainter;
class QRectF;

namespace seqpe::ui {

struct ExportOptions {
    double dpi = 150;    // PNG only: raster resolution; vector output is resolution-free
    QString title;       // PNG "Title" text chunk, SVG <title>, PDF /Title
    QString description; // PNG "Description" chunk, SVG <desc>; e.g. the run's config hash
};

using RenderFunction = std::function<void(QPainter&, const QRectF&)>;

// Draws `render` into a file chosen by the extension of `path` (case-insensitive):
//   .png  sizePx * dpi / 96 pixels (sizePx is in logical pixels, 96 per inch, as on screen), with
//         the physical size stored, and Title/Description/Software text chunks;
//   .svg  QSvgGenerator, viewBox sizePx, title and description set, text kept as text;
//   .pdf  QPdfWriter, one page of sizePx / 96 inches, title and creator set, vectors.
// The callback always sees the target QRectF(0, 0, sizePx) in logical pixels: one layout for all
// formats. Returns false and sets *error (if given) on an unknown extension or a write failure.
bool exportFigure(const RenderFunction& render, QSizeF sizePx, const QString& path, const ExportOptions& options,
                  QString* error = nullptr);

// Writes RFC 4180 CSV (comma separated, fields with commas, quotes or newlines quoted, "\n" line
// ends, UTF-8) through QSaveFile: the file is replaced only when completely written.
bool writeCsv(const QString& path, const QStringList& header, const QVector<QVector<QString>>& rows,
              QString* error = nullptr);

// Reads what writeCsv() writes (quoted fields, embedded newlines). The first line is the header.
bool readCsv(const QString& path, QStringList* header, QVector<QVector<QString>>* rows, QString* error = nullptr);

} // namespace seqpe::ui
