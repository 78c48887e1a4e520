// FigureExporter: every figure of a project into one folder, and the headless --export mode.
// Not here: how a figure looks (the views and widgets draw it).
#include "figure_exporter.h"

#include "sweep_view.h"

#include "attention_export.h"

#include "charts_panel.h"
#include "extrapolation_view.h"
#include "geometry_pane.h"
#include "guided_heat_map.h"

#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"

#include <QEventLoop>
#include <QTextStream>
#include <QTimer>
#include <cstdio>

namespace seqpe::ui {

Figure trainingChartFigure(Workbench& wb, const ChartsPanel& panel, int chart) {
    Figure f;
    const LineChart* c = panel.chart(chart);
    bool any = false;
    for (int id : c->seriesIds()) any |= !c->points(id).isEmpty();
    if (!any) return f;
    const auto& m = panel.metrics()[static_cast<size_t>(chart)];
    f.stem = "training-all-" + fileSlug(m.title);
    f.title = m.title;
    f.description = configHashes(wb, wb.store().names());
    f.size = c->isVisible() ? QSizeF(c->size()) : QSizeF(760, 460);
    f.render = widgetRender(c);
    f.tables = {lineChartTable(*c, "step", fileSlug(m.yLabel))};
    return f;
}

Figure trainingPanelFigure(Workbench& wb, const ChartsPanel& panel) {
    Figure f;
    QList<QPair<const QWidget*, RenderFunction>> parts;
    FigureTable all;
    all.header = {"chart", "series", "step", "value"};
    for (int i = 0; i < panel.chartCount(); ++i) {
        parts << qMakePair(static_cast<const QWidget*>(panel.chart(i)), RenderFunction());
        for (const auto& row : lineChartTable(*panel.chart(i), "step", "value").rows)
            all.rows.append(QVector<QString>{panel.metrics()[static_cast<size_t>(i)].title} + row);
    }
    if (all.rows.isEmpty()) return f;
    f.stem = "training-all-curves";
    f.title = QObject::tr("Training curves");
    f.description = configHashes(wb, wb.store().names());
    f.size = panel.size();
    f.render = renderAsShown(&panel, parts);
    f.tables = {all};
    return f;
}

FigureExporter::FigureExporter(Workbench& wb, QObject* parent) : QObject(parent), m_wb(wb) {}

FigureExporter::~FigureExporter() = default;

QString FigureExporter::defaultDirectory(Workbench& wb) {
    return QString::fromStdString((wb.document().project().output_path() / "figures").string());
}

void FigureExporter::start(const QString& dir, const QStringList& formats, double dpi) {
    if (m_running) return;
    m_running = true;
    m_dir = dir;
    m_formats = formats;
    m_dpi = dpi;
    m_files.clear();
    m_notes.clear();
    m_errors.clear();
    // Fresh views with their default settings, never shown: the user's choices in the tabs do
    // not change what "Export All" writes.
    m_host = std::make_unique<QWidget>();
    m_charts = new ChartsPanel(m_wb, m_host.get());
    m_extrapolation = new ExtrapolationView(m_wb, m_host.get());

    Q_EMIT progress(tr("training curves"));
    for (int i = 0; i < m_charts->chartCount(); ++i) write(trainingChartFigure(m_wb, *m_charts, i));
    Q_EMIT progress(tr("extrapolation"));
    if (m_extrapolation->shownRuns().isEmpty()) m_notes << tr("no evaluated run: no extrapolation figures");
    for (const QString& mode : m_extrapolation->modes()) {
        m_extrapolation->setMode(mode);
        write(m_extrapolation->curvesFigure());
        write(m_extrapolation->tableFigure());
    }
    write(m_extrapolation->lossFigure());
    if (!m_wb.document().project().sweep.empty()) {
        // The sweep: its chart (against the first swept option) and table.
        Q_EMIT progress(tr("sweep"));
        auto* sweep = new SweepView(m_wb, m_host.get());
        write(sweep->chartFigure());
        write(sweep->tableFigure());
    }

    // Later, not inside a pane's signal: finish() deletes the panes.
    auto done = [this] {
        if (--m_waiting == 0) QTimer::singleShot(0, this, &FigureExporter::writeProbed);
    };
    // Geometry of every run's newest model (or its newest snapshot when no checkpoint is left).
    m_panes.clear();
    m_waiting = 1; // the attention export below
    for (const QString& run : m_wb.store().names()) {
        auto* pane = new GeometryPane(m_wb, m_host.get());
        pane->setRun(run);
        m_panes.push_back(pane);
        ++m_waiting;
        connect(pane, &GeometryPane::resultShown, this, done, Qt::SingleShotConnection);
        connect(
            pane, &GeometryPane::probeFailed, this,
            [this, run, done](const QString& e) {
                m_notes << tr("geometry of %1 skipped: %2").arg(run, e);
                done();
            },
            Qt::SingleShotConnection);
        pane->request(GeometryRequest{});
    }
    Q_EMIT progress(tr("geometry and attention of %1 runs").arg(m_panes.size()));
    m_attention = new AttentionExport(m_wb, m_host.get(), m_host.get());
    connect(m_attention, &AttentionExport::done, this, done, Qt::SingleShotConnection);
    m_attention->start(m_wb.store().names());
}

void FigureExporter::write(const Figure& f) {
    if (f.isNull()) return;
    QString error;
    m_files << writeFigureFormats(f, m_dir, m_formats, m_dpi, &error);
    if (!error.isEmpty()) m_errors << error;
}

void FigureExporter::writeProbed() {
    for (GeometryPane* p : m_panes) {
        if (!p->hasResult()) continue;
        // The figure sizes, set just before drawing (the hidden pane's layout may have moved them);
        // the heat map's guides follow the widget's own layout.
        p->heatMap()->resize(640, 600);
        p->scatter()->resize(560, 460);
        p->profileChart()->resize(560, 460); // relative encodings: the distance profile
        write(p->heatFigure("geometry-" + p->run() + "-heatmap"));
        const Figure pca = p->pcaFigure("geometry-" + p->run() + "-pca"); // or -distance (relative)
        if (pca.isNull())
            m_notes << tr("%1: no PCA figure (%2 encoding has no embedding vectors)")
                           .arg(p->run(), QString::fromStdString(p->result().kind));
        write(pca);
    }
    for (const Figure& f : m_attention->figures()) write(f);
    m_notes << m_attention->notes();
    finish();
}

void FigureExporter::finish() {
    m_panes.clear();
    m_attention = nullptr; // a child of the host
    m_host.reset();
    m_charts = nullptr;
    m_extrapolation = nullptr;
    m_running = false;
    Q_EMIT finished(m_errors.isEmpty());
}

int exportFiguresHeadless(EngineHooks hooks, const QString& project, const QString& dir, const QStringList& formats) {
    QTextStream out(stdout), err(stderr);
    for (const QString& f : formats)
        if (f != "png" && f != "svg" && f != "pdf") {
            err << "seqpe-workbench: unknown figure format '" << f << "' (use png, svg, pdf)\n";
            return 2;
        }
    Workbench wb(std::move(hooks));
    const auto diags = wb.document().open(project);
    if (has_errors(diags)) {
        err << QString::fromStdString(format_diagnostics(diags, project.toStdString())) << "\n";
        return 2;
    }
    // The same validation as `seqpe validate` (cross-field checks included): a project the CLI
    // refuses is refused here too, run by run.
    std::vector<Diagnostic> invalid;
    for (const QString& run : wb.document().runNames())
        for (const Diagnostic& d : wb.document().diagnostics(run))
            if (d.severity == Diagnostic::Severity::Error)
                invalid.push_back({"run " + run.toStdString() + ": " + d.path, d.message, d.severity});
    if (!invalid.empty()) {
        err << QString::fromStdString(format_diagnostics(invalid, project.toStdString())) << "\n";
        return 2;
    }
    const QString target = dir.isEmpty() ? FigureExporter::defaultDirectory(wb) : dir;
    FigureExporter exporter(wb);
    QObject::connect(&exporter, &FigureExporter::progress, [&err](const QString& t) {
        err << "exporting " << t << "\n";
        err.flush();
    });
    QEventLoop loop; // the probes answer through queued calls: wait for them, never sleep
    QObject::connect(&exporter, &FigureExporter::finished, &loop, &QEventLoop::quit);
    exporter.start(target, formats.isEmpty() ? QStringList{"png", "svg", "pdf"} : formats);
    if (exporter.isRunning()) loop.exec();
    for (const QString& f : exporter.files()) out << f << "\n";
    out.flush();
    for (const QString& n : exporter.notes()) err << "note: " << n << "\n";
    for (const QString& e : exporter.errors()) err << "error: " << e << "\n";
    return exporter.errors().isEmpty() ? 0 : 1;
}

} // namespace seqpe::ui
