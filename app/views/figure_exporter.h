#pragma once
// "Export All Figures" of a project, in the window and headless (seqpe-workbench --export): the
// training curves (one figure per metric), the extrapolation curves and table (per evaluation
// mode), the loss by position, each run's final geometry heat map and PCA scatter, and each run's
// attention on fixed inputs (AttentionExport: the Attention tab's default view), into
// <project output_dir>/figures/ as <view>-<run>-<what>.{png,svg,pdf} plus .csv ("all" stands for
// the run in figures that compare every run).
//
// The exporter builds its own hidden views on the Workbench (the same classes the tabs use, with
// their default settings), so a figure looks the same whether a window exists or not. Geometry
// comes from probes through ProbeService: start() returns at once and finished() follows when
// every probe has answered. GUI thread only.
#include "figure.h"
#include "workbench.h"

#include <QObject>
#include <memory>
#include <vector>

class QWidget;

namespace seqpe::ui {

class AttentionExport;
class ChartsPanel;
class ExtrapolationView;
class GeometryPane;

class FigureExporter : public QObject {
    Q_OBJECT
public:
    explicit FigureExporter(Workbench& wb, QObject* parent = nullptr);
    ~FigureExporter() override;

    // <project output_dir>/figures (the project must be open).
    static QString defaultDirectory(Workbench& wb);

    void start(const QString& dir, const QStringList& formats = {"png", "svg", "pdf"}, double dpi = 150);
    bool isRunning() const { return m_running; }
    QStringList files() const { return m_files; }
    QStringList notes() const { return m_notes; }   // figures skipped, and why
    QStringList errors() const { return m_errors; } // files that could not be written

Q_SIGNALS:
    void progress(const QString& text);
    void finished(bool ok);

private:
    void write(const Figure& f);
    void writeProbed(); // geometry and attention, once every probe answered
    void finish();

    Workbench& m_wb;
    std::unique_ptr<QWidget> m_host; // hidden parent of the exporter's views
    ChartsPanel* m_charts = nullptr;
    ExtrapolationView* m_extrapolation = nullptr;
    std::vector<GeometryPane*> m_panes;
    AttentionExport* m_attention = nullptr;
    int m_waiting = 0; // geometry panes and the attention export still probing
    QString m_dir;
    QStringList m_formats;
    double m_dpi = 150;
    bool m_running = false;
    QStringList m_files, m_notes, m_errors;
};

// The Training tab as shown (every chart) and one of its charts alone.
Figure trainingPanelFigure(Workbench& wb, const ChartsPanel& panel);
Figure trainingChartFigure(Workbench& wb, const ChartsPanel& panel, int chart);

// seqpe-workbench --export: opens `project`, writes every figure into `dir` (empty: the default
// directory) and prints the files written. Returns 0, 1 (a file could not be written) or 2 (bad
// project or options). Runs its own event loop until the probes answered.
int exportFiguresHeadless(EngineHooks hooks, const QString& project, const QString& dir, const QStringList& formats);

} // namespace seqpe::ui
