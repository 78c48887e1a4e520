#pragma once
// The workbench window: runs table and run controls (left), live charts (centre), config editor
// (right), log and system panel (bottom), step/rate/ETA in the status bar. Wiring only: the
// bridge (Workbench) holds the state and talks to the engine, the widgets draw.
#include "workbench.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTableView;
class QTabWidget;

namespace seqpe::ui {

class AttentionView;
class ChartsPanel;
class CheckpointsDialog;
class ConfigPanel;
class ExtrapolationView;
class FigureExporter;
class GeometryView;
class LogPanel;
class ProjectHistory;
class RunsModel;
class SystemPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(EngineHooks hooks, QWidget* parent = nullptr);
    ~MainWindow() override;

    Workbench& workbench() { return *m_wb; }
    bool openProject(const QString& file); // shows problems in a dialog (or the log when offscreen)
    bool openRunDirectory(const QString& dir);
    // The run's checkpoints with export and "show in" (runs table, File > Export Weights).
    CheckpointsDialog* openCheckpoints(const QString& run);
    // File > Import Weights without the file dialogs: starts the import (progress in the status
    // bar; the run is selected when it lands). False with the reason logged when it cannot start.
    bool importWeights(const QString& file, const QString& config, const QString& name);
    QString selectedRun() const;
    void selectRun(const QString& run);
    // Geometry's "compare with" and a second run in Attention (--compare).
    void compareWith(const QString& run);
    // Image runs: the selected run also at `pixels` in Geometry and Attention (--beside); Geometry
    // shows the training grid beside it, as maps of one query patch.
    void showBeside(int pixels);
    void setGeometryReadMode(const QString& mode); // --read: extend | interpolate
    // Why `run` cannot start now ("" if it can): a value typed in the Configuration panel that was
    // refused, else Workbench::startProblem. Start and Step are disabled with it as their tooltip.
    QString startProblem(const QString& run) const;
    ChartsPanel* charts() const { return m_charts; }
    ConfigPanel* configPanel() const { return m_config; }
    LogPanel* logPanel() const { return m_log; }
    QTableView* runsView() const { return m_runsView; }
    GeometryView* geometryView() const { return m_geometry; }
    ExtrapolationView* extrapolationView() const { return m_extrapolation; }
    AttentionView* attentionView() const { return m_attention; }
    bool
    showTab(const QString& name); // "training", "diagnostics" (its PE group), "geometry", "extrapolation", "attention"
    // Actions by name ("start", "pause", "step", "stop", "runAll", "stopAll", ...), for tests.
    QAction* action(const QString& name) const;
    ProjectHistory* history() const { return m_history; }
    // Questions and warnings in dialogs (on by default with a display; off offscreen unless set,
    // so that unattended runs never wait for an answer).
    void setPrompts(bool on) { m_prompts = on; }
    // File > Export Report: <output_dir>/report/results.{md,tex} from the runs' evaluation reports
    // (seqpe/paper_tables.h, the same files as `seqpe report`); the files written, empty when none.
    QStringList exportReport();

protected:
    void closeEvent(QCloseEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    void placeDocks(bool restored); // default dock sizes, or the restored ones when they are sane

protected:
    bool eventFilter(QObject* o, QEvent* e) override;

private:
    void buildUi(const DeviceSummary& device); // device: the System panel's text
    void buildActions();                       // main_window_actions.cpp
    void buildMenus();                         // main_window_actions.cpp
    void updateActions();
    QWidget* currentView() const; // the view of the current tab (inside its scroll area)
    void updateStatusBar();
    void updateTitle();
    void rebuildRecentMenu();
    bool maybeSave();
    bool saveProject(bool saveAs);
    void newProject();
    void toggleStartPause();
    bool refuseStart(const QString& run); // says why in the log and status bar; false: it may start
    void report(const QString& run, int level, const QString& text);
    void exportCurrentFigure();        // main_window_actions.cpp
    void exportAllFigures();           // main_window_actions.cpp
    void importWeightsInteractively(); // main_window_weights.cpp
    void connectWeights();             // main_window_weights.cpp

    Workbench* m_wb = nullptr;
    RunsModel* m_runs = nullptr;
    QTableView* m_runsView = nullptr;
    ChartsPanel* m_charts = nullptr;
    ConfigPanel* m_config = nullptr;
    LogPanel* m_log = nullptr;
    SystemPanel* m_system = nullptr;
    QTabWidget* m_tabs = nullptr;
    GeometryView* m_geometry = nullptr;
    ExtrapolationView* m_extrapolation = nullptr;
    AttentionView* m_attention = nullptr;
    FigureExporter* m_exporter = nullptr;
    QLabel* m_statusRun = nullptr;
    QProgressBar* m_transfer = nullptr; // an import's progress, in the status bar
    QMenu* m_recent = nullptr;
    QMap<QString, QAction*> m_actions;
    ProjectHistory* m_history = nullptr;
    bool m_closing = false;
    bool m_asked = false; // the unsaved-edits question was answered for this close
    bool m_prompts = true;
    bool m_docksPlaced = false; // the saved dock layout is restored at the first show
    QString m_keepSelection;    // the selected run across model resets
};

} // namespace seqpe::ui
