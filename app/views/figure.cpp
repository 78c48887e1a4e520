// Figure writing (image + CSV beside it), the interactive export dialog, and the render helpers
// that turn widgets into one figure. No drawing of its own: every pixel comes from a widget's
// render() so files and screen agree.
#include "figure.h"

#include "app_settings.h"

#include "guided_heat_map.h"
#include "workbench.h"

#include "seqpe/config_io.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QRegularExpression>

namespace seqpe::ui {

QString tablePath(const QString& imagePath, const FigureTable& table) {
    const QFileInfo fi(imagePath);
    const QString stem = fi.completeBaseName() + (table.suffix.isEmpty() ? QString() : "-" + table.suffix);
    return fi.dir().filePath(stem + ".csv");
}

static bool writeTables(const Figure& f, const QString& imagePath, QStringList& written, QString* error) {
    for (const FigureTable& t : f.tables) {
        const QString path = tablePath(imagePath, t);
        if (!writeCsv(path, t.header, t.rows, error)) return false;
        written << path;
    }
    return true;
}

QStringList writeFigure(const Figure& f, const QString& path, double dpi, QString* error) {
    QStringList written;
    if (f.isNull()) {
        if (error) *error = QObject::tr("nothing to export");
        return written;
    }
    const ExportOptions o{dpi, f.title, f.description};
    if (!exportFigure(f.render, f.size, path, o, error)) return written;
    written << path;
    writeTables(f, path, written, error);
    return written;
}

QStringList writeFigureFormats(const Figure& f, const QString& dir, const QStringList& formats, double dpi,
                               QString* error) {
    QStringList written;
    if (f.isNull()) return written;
    QDir().mkpath(dir);
    const ExportOptions o{dpi, f.title, f.description};
    for (const QString& fmt : formats) {
        const QString path = QDir(dir).filePath(f.stem + "." + fmt);
        if (!exportFigure(f.render, f.size, path, o, error)) return written;
        written << path;
    }
    writeTables(f, QDir(dir).filePath(f.stem + ".png"), written, error);
    return written;
}

void exportFigureInteractively(QWidget* parent, const Figure& f, const QString& folder) {
    if (f.isNull()) {
        QMessageBox::information(parent, QObject::tr("Export figure"),
                                 QObject::tr("This view shows nothing to export yet."));
        return;
    }
    QString selected;
    const QString path =
        QFileDialog::getSaveFileName(parent, QObject::tr("Export figure"),
                                     QDir(AppSettings::dialogFolder("export", folder)).filePath(f.stem + ".pdf"),
                                     QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG image (*.png)"), &selected);
    if (path.isEmpty()) return;
    AppSettings::setDialogFolder("export", path);
    double dpi = 150;
    if (QFileInfo(path).suffix().compare("png", Qt::CaseInsensitive) == 0) {
        bool ok = false;
        dpi = QInputDialog::getInt(parent, QObject::tr("PNG resolution"), QObject::tr("Dots per inch"), 300, 72, 1200,
                                   50, &ok);
        if (!ok) return;
    }
    QString error;
    const QStringList files = writeFigure(f, path, dpi, &error);
    if (!error.isEmpty())
        QMessageBox::warning(parent, QObject::tr("Export failed"), error);
    else if (!files.isEmpty())
        QMessageBox::information(parent, QObject::tr("Figure exported"),
                                 QObject::tr("Wrote:\n%1").arg(files.join('\n')));
}

QString csvNumber(double v) {
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString fileSlug(const QString& text) {
    QString s = text.toLower();
    s.replace(QRegularExpression("[^a-z0-9_.]+"), "-");
    while (s.startsWith('-')) s.remove(0, 1);
    while (s.endsWith('-')) s.chop(1);
    return s.isEmpty() ? QStringLiteral("figure") : s;
}

QString configHashes(Workbench& wb, const QStringList& runs) {
    QStringList parts;
    for (const QString& r : runs)
        if (const RunView* v = wb.store().run(r); v && v->config)
            parts << QString("%1=%2").arg(r, QString::fromStdString(config_hash(*v->config)));
    return parts.isEmpty() ? QString() : "SeqPE Workbench; config hash " + parts.join(", ");
}

FigureTable lineChartTable(const LineChart& chart, const QString& xName, const QString& yName) {
    FigureTable t;
    t.header = {"series", xName, yName};
    for (int id : chart.seriesIds()) {
        if (!chart.isSeriesVisible(id)) continue;
        const QString name = chart.seriesName(id);
        for (const QPointF& p : chart.points(id)) t.rows.append({name, csvNumber(p.x()), csvNumber(p.y())});
    }
    return t;
}

RenderFunction widgetRender(const QWidget* w) {
    if (auto* g = qobject_cast<const GuidedHeatMap*>(w))
        return [g](QPainter& p, const QRectF& r) { g->renderFigure(p, r); };
    if (auto* h = qobject_cast<const HeatMap*>(w)) return [h](QPainter& p, const QRectF& r) { h->render(p, r); };
    if (auto* s = qobject_cast<const ScatterPlot*>(w)) return [s](QPainter& p, const QRectF& r) { s->render(p, r); };
    if (auto* c = qobject_cast<const LineChart*>(w)) return [c](QPainter& p, const QRectF& r) { c->render(p, r); };
    return {};
}

RenderFunction renderAsShown(const QWidget* frame, const QList<QPair<const QWidget*, RenderFunction>>& parts) {
    return [frame, parts](QPainter& p, const QRectF& target) {
        const QSizeF own = frame->size();
        p.save();
        p.fillRect(target, frame->palette().color(QPalette::Base));
        p.translate(target.topLeft());
        if (!own.isEmpty()) p.scale(target.width() / own.width(), target.height() / own.height());
        for (const auto& [w, draw] : parts) {
            if (!w || !w->isVisibleTo(frame) || w->size().isEmpty()) continue;
            const RenderFunction fn = draw ? draw : widgetRender(w);
            if (!fn) continue;
            const QPointF at = w->mapTo(frame, QPoint(0, 0));
            fn(p, QRectF(at, QSizeF(w->size())));
        }
        p.restore();
    };
}

} // namespace seqpe::ui
