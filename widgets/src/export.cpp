// PNG/SVG/PDF figure export through one render callback, and atomic CSV writing.
#include "seqpe/widgets/export.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRectF>
#include <QSaveFile>
#include <QStringConverter>
#include <QSvgGenerator>
#include <QTextStream>

#include <cmath>

namespace seqpe::ui {
namespace {

constexpr double kLogicalDpi = 96.0;

bool fail(QString* error, const QString& message) {
    if (error) *error = message;
    return false;
}

QString creator() {
    const QString app = QCoreApplication::applicationName();
    return app.isEmpty() ? QStringLiteral("SeqPE Workbench") : app;
}

bool exportPng(const RenderFunction& render, QSizeF size, const QString& path, const ExportOptions& o, QString* error) {
    const double scale = std::max(o.dpi, 1.0) / kLogicalDpi;
    const QSize px(std::max(1, int(std::lround(size.width() * scale))),
                   std::max(1, int(std::lround(size.height() * scale))));
    QImage image(px, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return fail(error, QStringLiteral("cannot allocate a %1x%2 image").arg(px.width()).arg(px.height()));
    image.fill(Qt::white);
    const int dpm = int(std::lround(o.dpi / 0.0254));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setRenderHint(QPainter::TextAntialiasing, true);
        p.scale(double(px.width()) / size.width(), double(px.height()) / size.height());
        render(p, QRectF(QPointF(0, 0), size));
    }
    if (!o.title.isEmpty()) image.setText(QStringLiteral("Title"), o.title);
    if (!o.description.isEmpty()) image.setText(QStringLiteral("Description"), o.description);
    image.setText(QStringLiteral("Software"), creator());
    // Write to a temporary name first so a failed export never leaves a truncated figure behind.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QImageWriter writer(&file, "png");
    if (!writer.write(image))
        return fail(error, QStringLiteral("cannot encode %1: %2").arg(path, writer.errorString()));
    if (!file.commit()) return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

bool exportSvg(const RenderFunction& render, QSizeF size, const QString& path, const ExportOptions& o, QString* error) {
    QSvgGenerator gen;
    gen.setFileName(path);
    gen.setSize(size.toSize());
    gen.setViewBox(QRectF(QPointF(0, 0), size));
    gen.setResolution(int(kLogicalDpi));
    gen.setTitle(o.title);
    gen.setDescription(o.description);
    QPainter p;
    if (!p.begin(&gen)) return fail(error, QStringLiteral("cannot write %1").arg(path));
    render(p, QRectF(QPointF(0, 0), size));
    if (!p.end()) return fail(error, QStringLiteral("cannot write %1").arg(path));
    return true;
}

bool exportPdf(const RenderFunction& render, QSizeF size, const QString& path, const ExportOptions& o, QString* error) {
    {
        // QPdfWriter reports no open failure: check the path first.
        QFile probe(path);
        if (!probe.open(QIODevice::WriteOnly))
            return fail(error, QStringLiteral("cannot write %1: %2").arg(path, probe.errorString()));
    }
    QPdfWriter writer(path);
    writer.setTitle(o.title);
    writer.setCreator(creator());
    // Page = figure: width in points (72 per inch) from logical pixels (96 per inch).
    const QSizeF points(size.width() * 72.0 / kLogicalDpi, size.height() * 72.0 / kLogicalDpi);
    writer.setPageSize(QPageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setResolution(1200);
    QPainter p;
    if (!p.begin(&writer)) return fail(error, QStringLiteral("cannot write %1").arg(path));
    const double s = writer.resolution() / kLogicalDpi;
    p.scale(s, s);
    render(p, QRectF(QPointF(0, 0), size));
    if (!p.end()) return fail(error, QStringLiteral("cannot write %1").arg(path));
    return true;
}

QString csvField(const QString& s) {
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')) &&
        !s.contains(QLatin1Char('\r')))
        return s;
    QString q = s;
    q.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

} // namespace

bool exportFigure(const RenderFunction& render, QSizeF sizePx, const QString& path, const ExportOptions& options,
                  QString* error) {
    if (!render) return fail(error, QStringLiteral("nothing to render"));
    if (!(sizePx.width() >= 1 && sizePx.height() >= 1))
        return fail(error, QStringLiteral("figure size must be positive"));
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QLatin1String("png")) return exportPng(render, sizePx, path, options, error);
    if (ext == QLatin1String("svg")) return exportSvg(render, sizePx, path, options, error);
    if (ext == QLatin1String("pdf")) return exportPdf(render, sizePx, path, options, error);
    return fail(error, QStringLiteral("unknown figure format '%1' (use .png, .svg or .pdf)").arg(ext));
}

bool writeCsv(const QString& path, const QStringList& header, const QVector<QVector<QString>>& rows, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QByteArray out;
    const auto line = [&](const auto& fields) {
        QStringList quoted;
        for (const QString& f : fields) quoted << csvField(f);
        out += quoted.join(QLatin1Char(',')).toUtf8();
        out += '\n';
    };
    line(header);
    for (const QVector<QString>& r : rows) line(r);
    if (file.write(out) != out.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

bool readCsv(const QString& path, QStringList* header, QVector<QVector<QString>>* rows, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QString text = QString::fromUtf8(file.readAll());
    QVector<QVector<QString>> records;
    QVector<QString> record;
    QString field;
    bool quoted = false, fieldStarted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == QLatin1Char('"') && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == QLatin1Char(',')) {
            record.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == QLatin1Char('\n') || c == QLatin1Char('\r')) {
            if (c == QLatin1Char('\r') && i + 1 < text.size() && text[i + 1] == QLatin1Char('\n')) ++i;
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            fieldStarted = false;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted) return fail(error, QStringLiteral("%1: unterminated quoted field").arg(path));
    if (fieldStarted || !record.isEmpty()) {
        record.append(field);
        records.append(record);
    }
    if (header)
        *header = records.isEmpty() ? QStringList() : QStringList(records.first().begin(), records.first().end());
    if (rows) *rows = records.mid(1);
    return true;
}

} // namespace seqpe::ui
