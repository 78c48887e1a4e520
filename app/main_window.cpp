// MainWindow: layout, selection, status bar, close handling.
#include "main_window.h"
#include "views/sweep_view.h"

#include <algorithm>
#include <array>

#include "app_settings.h"
#include "charts_panel.h"
#include "config_panel.h"
#include "log_panel.h"
#include "project_history.h"
#include "runs_model.h"
#include "system_panel.h"
#include "views/attention_view.h"
#include "views/extrapolation_view.h"
#include "views/geometry_view.h"

#include "seqpe/common/files.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>

namespace seqpe::ui {

MainWindow::MainWindow(EngineHooks hooks, QWidget* parent) : QMainWindow(parent) {
    m_prompts = QGuiApplication::platformName() != "offscreen";
    const DeviceSummary device = hooks.device ? hooks.device() : DeviceSummary{};
    m_wb = new Workbench(std::move(hooks), this);
    buildUi(device);
    m_history = new ProjectHistory(
        m_wb->document(),
        [this](const QString& run) {
            // Show what an undo or redo changed: the run's row and config, or the base config.
            if (!run.isEmpty() && m_wb->document().runNames().contains(run)) {
                selectRun(run);
                m_config->setTarget(run);
            } else if (run.isEmpty()) {
                m_config->setTarget(QString());
            }
        },
        this);
    qApp->installEventFilter(this);
    buildActions();
    buildMenus();
    connect(m_wb, &Workbench::logLine, this, &MainWindow::report);
    // A finished job's line in the log, its words for each outcome (completed, stopped, failed):
    // failures as errors, the rest as information.
    const auto onFinished = [this](std::array<const char*, 3> words) {
        return [this, words](const QString& run, RunOutcome outcome, const QString& msg) {
            const QString what = words[outcome == RunOutcome::Completed ? 0 : outcome == RunOutcome::Cancelled ? 1 : 2];
            report(run, outcome == RunOutcome::Failed ? 3 : 1, what + (msg.isEmpty() ? "" : ": ") + msg);
            updateActions();
            if (m_closing && !m_wb->anyActive()) close();
        };
    };
    connect(m_wb, &Workbench::sessionFinished, this, onFinished({"completed", "stopped", "failed"}));
    connect(m_wb, &Workbench::evaluationFinished, this,
            onFinished({"evaluation done", "evaluation stopped (no report written)", "evaluation failed"}));
    connect(m_wb, &Workbench::sessionStarted, this, [this](const QString&) { updateActions(); });
    connect(&m_wb->store(), &RunStore::runUpdated, this, [this] {
        updateActions();
        updateStatusBar();
    });
    connect(&m_wb->store(), &RunStore::recordsAdded, this, &MainWindow::updateStatusBar);
    connect(&m_wb->document(), &ProjectDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(&m_wb->document(), &ProjectDocument::changed, this, &MainWindow::updateTitle);
    // Start and Step say why a run cannot train (an error in its config, a refused value, a budget
    // below the step reached) as soon as it changes.
    connect(&m_wb->document(), &ProjectDocument::changed, this, &MainWindow::updateActions);
    connect(m_config, &ConfigPanel::refusedChanged, this, &MainWindow::updateActions);
    connectWeights();
    restoreGeometry(AppSettings::windowGeometry());
    // The docks are restored once the window is shown (showEvent): restored before, Qt gives their
    // saved pixel heights to a window not yet laid out, and the log grew on every reopen.
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi(const DeviceSummary& device) {
    setObjectName("MainWindow");
    resize(1500, 920);
    m_runs = new RunsModel(*m_wb, this);
    m_runsView = new QTableView;
    m_runsView->setModel(m_runs);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runsView->verticalHeader()->hide();
    m_runsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setMinimumHeight(110);
    m_runsView->setAlternatingRowColors(true);
    connect(m_runsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const QString run = selectedRun();
        // A seed or grid point edits its project run (the config panel's targets are those).
        if (const QString target = m_wb->document().projectRunOf(run); !target.isEmpty()) m_config->setTarget(target);
        if (!run.isEmpty() && m_geometry) { // the views follow the selection (attention: unless comparing)
            m_geometry->setRun(run);
            m_extrapolation->highlightRun(run);
            if (m_attention->runs().size() <= 1) m_attention->setRuns({run});
        }
        updateActions();
        updateStatusBar();
    });
    connect(m_runs, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_keepSelection = selectedRun(); });
    connect(m_runs, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_runs->rowOf(m_keepSelection);
        if (row >= 0)
            m_runsView->selectRow(row);
        else if (m_runs->rowCount() > 0)
            m_runsView->selectRow(0);
    });

    m_tabs = new QTabWidget;
    // Each page scrolls below its own minimum size instead of growing the window (a 1000x700 window
    // or a 1366x768 laptop screen keeps its size; the pages lay out to the space they get).
    auto page = [this](QWidget* view, const QString& title) {
        auto* scroll = new QScrollArea;
        scroll->setWidget(view);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        m_tabs->addTab(scroll, title);
    };
    m_charts = new ChartsPanel(*m_wb);
    page(m_charts, tr("Training"));
    m_geometry = new GeometryView(*m_wb);
    page(m_geometry, tr("Geometry"));
    m_extrapolation = new ExtrapolationView(*m_wb);
    page(m_extrapolation, tr("Extrapolation"));
    m_attention = new AttentionView(*m_wb);
    page(m_attention, tr("Attention"));
    page(new SweepView(*m_wb), tr("Sweep"));
    setCentralWidget(m_tabs);

    auto dock = [this](const QString& title, const QString& name, QWidget* w, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    dock(tr("Runs"), "runsDock", m_runsView, Qt::TopDockWidgetArea);
    m_config = new ConfigPanel(*m_wb);
    dock(tr("Configuration"), "configDock", m_config, Qt::RightDockWidgetArea);
    m_log = new LogPanel;
    auto* logDock = dock(tr("Log"), "logDock", m_log, Qt::BottomDockWidgetArea);
    m_system = new SystemPanel;
    {
        // What this machine computes in: runtime.precision auto is bf16 where the CPU has it natively.
        const DeviceSummary& ri = device;
        QString cuda = ri.cuda_devices > 0 ? tr(", %n CUDA device(s)", nullptr, ri.cuda_devices) : QString();
        m_system->setDeviceText(tr("CPU %1%2\nbf16 %3: runtime.precision auto = %4\nLibTorch %5, %6 threads")
                                    .arg(ri.cpu.empty() ? tr("(unknown)") : QString::fromStdString(ri.cpu), cuda,
                                         ri.cpu_bf16 ? tr("native") : tr("not native"),
                                         ri.cpu_bf16 ? QStringLiteral("bf16") : QStringLiteral("fp32"),
                                         QString::fromStdString(ri.torch_version))
                                    .arg(ri.threads));
    }
    // In a scroll area: its lines must not set the height of the dock it shares with the log.
    auto* sysScroll = new QScrollArea;
    sysScroll->setWidget(m_system);
    sysScroll->setWidgetResizable(true);
    sysScroll->setFrameShape(QFrame::NoFrame);
    auto* sysDock = dock(tr("System"), "systemDock", sysScroll, Qt::BottomDockWidgetArea);
    tabifyDockWidget(logDock, sysDock);
    logDock->raise();

    m_statusRun = new QLabel;
    statusBar()->addPermanentWidget(m_statusRun, 1);
}

QAction* MainWindow::action(const QString& name) const {
    return m_actions.value(name);
}

QWidget* MainWindow::currentView() const {
    auto* scroll = qobject_cast<QScrollArea*>(m_tabs->currentWidget());
    return scroll ? scroll->widget() : m_tabs->currentWidget();
}

bool MainWindow::showTab(const QString& name) {
    if (name.compare(QStringLiteral("diagnostics"), Qt::CaseInsensitive) == 0) { // Training tab, PE diagnostics
        m_charts->showGroup(1);
        return showTab(QStringLiteral("training"));
    }
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->tabText(i).remove('&').compare(name, Qt::CaseInsensitive) == 0) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    return false;
}

QString MainWindow::selectedRun() const {
    return m_runs->runAt(m_runsView->currentIndex().row());
}

void MainWindow::selectRun(const QString& run) {
    const int row = m_runs->rowOf(run);
    if (row >= 0) m_runsView->selectRow(row);
}

void MainWindow::compareWith(const QString& run) {
    if (!m_wb->store().run(run)) return;
    m_geometry->setCompareRun(run);
    m_attention->addRun(run);
}

void MainWindow::showBeside(int pixels) {
    const RunView* v = m_wb->store().run(m_geometry->run());
    const int64_t patch = v && v->config ? std::max<int64_t>(1, v->config->model.patch_size) : 1;
    if (v && v->config) { // the training grid beside the larger one, as maps of one query patch
        const int64_t g = v->config->data.image_size / patch;
        m_geometry->setGrid(g, g);
        m_geometry->setQueryMode(true);
    }
    m_geometry->setSecondGrid(pixels / patch);
    m_attention->setSecondResolution(pixels);
}

void MainWindow::setGeometryReadMode(const QString& mode) {
    m_geometry->setReadMode(mode);
}

void MainWindow::report(const QString& run, int level, const QString& text) {
    m_log->append(run, level, text);
}

void MainWindow::updateTitle() {
    const auto& doc = m_wb->document();
    const QString file = doc.fileName().isEmpty() ? tr("untitled") : QFileInfo(doc.fileName()).fileName();
    setWindowTitle(QString("%1%2 — SeqPE Workbench").arg(file, doc.isModified() ? "*" : ""));
}

void MainWindow::updateActions() {
    const QString run = selectedRun();
    const bool active = !run.isEmpty() && m_wb->isActive(run);
    RunSession* s = m_wb->session(run);
    const bool paused = active && s && s->isPaused();
    // A paused run resumes with the config it started with: only a new start is checked.
    const QString why = run.isEmpty() || active ? QString() : startProblem(run);
    if (auto* a = action("start")) {
        a->setEnabled(!run.isEmpty() && why.isEmpty() && (!active || paused));
        a->setToolTip(why.isEmpty() ? tr("Train the selected run (queued behind the active job)")
                                    : tr("Cannot start: %1").arg(why));
        a->setStatusTip(a->toolTip());
    }
    if (auto* a = action("pause")) a->setEnabled(active && !paused);
    if (auto* a = action("step")) {
        a->setEnabled(!run.isEmpty() && why.isEmpty() && (paused || (!active && !m_wb->anyActive())));
        a->setToolTip(why.isEmpty() ? tr("Train one step, then pause") : tr("Cannot step: %1").arg(why));
    }
    if (auto* a = action("stop")) a->setEnabled(active || m_wb->isQueued(run));
    if (auto* a = action("stopAll")) a->setEnabled(m_wb->anyActive() || !m_wb->queue().isEmpty());
    const RunView* v = m_wb->store().run(run);
    const bool trained = v && v->hasUsableCheckpoint();
    if (auto* a = action("evaluate")) a->setEnabled(trained && !active);
    for (const char* n : {"exportWeights", "checkpoints"})
        if (auto* a = action(n)) a->setEnabled(v && !v->checkpoints.empty());
    if (auto* a = action("start")) a->setText(paused ? tr("&Resume") : tr("&Start"));
}

QString MainWindow::startProblem(const QString& run) const {
    const QString refused = m_config ? m_config->refusedProblem(run) : QString();
    return refused.isEmpty() ? m_wb->startProblem(run) : refused;
}

void MainWindow::updateStatusBar() {
    // The selected run (what the user is looking at), then the job that trains or evaluates if it
    // is another run. An ETA only while a run is actually training (not queued, paused or done).
    const auto describe = [this](const QString& run) {
        const RunView* v = m_wb->store().run(run);
        if (!v) return QString();
        const Record* t = v->lastOf("train");
        const int64_t total = v->budget();
        QString text = QString("%1: %2").arg(run, v->stateText(m_wb->isQueued(run)));
        if (t) {
            text += QString(" · step %1/%2 · %3 tok/s")
                        .arg(t->step)
                        .arg(total)
                        .arg(QLocale().toString(qRound64(v->recentTokensPerS())));
            if (v->live && v->status.state == RunState::Running && !m_wb->isEvaluating(run)) {
                const double eta = v->recentStepTime() * static_cast<double>(std::max<int64_t>(0, total - t->step));
                text += QString(" · ETA %1").arg(QString::fromStdString(human_duration(eta)));
            }
        }
        return text;
    };
    const QString selected = selectedRun();
    QStringList parts;
    if (!selected.isEmpty()) parts << describe(selected);
    for (const QString& n : m_wb->store().names())
        if (n != selected && m_wb->isActive(n)) parts << tr("active: %1").arg(describe(n));
    m_statusRun->setText(parts.join("   |   "));
}

void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (m_docksPlaced) return;
    m_docksPlaced = true;
    const bool restored = restoreState(AppSettings::windowState());
    // Checked once the restored layout is applied (after this event), not with the sizes of now.
    QTimer::singleShot(0, this, [this, restored] { placeDocks(restored); });
}

void MainWindow::placeDocks(bool restored) {
    auto* runs = findChild<QDockWidget*>("runsDock");
    auto* log = findChild<QDockWidget*>("logDock");
    // The views get the space: a saved layout whose runs table or log takes more than a fair share
    // of the height (or any layout the first time) is put back to the defaults.
    // Defaults in proportion to the height, so a 1000x700 window keeps room for the views.
    const int h = height();
    const int runsH = std::clamp(h * 17 / 100, 110, 170), logH = std::clamp(h * 12 / 100, 70, 130);
    if (!restored || (runs && !runs->isFloating() && runs->height() > h * 25 / 100) ||
        (log && !log->isFloating() && log->height() > h * 17 / 100)) {
        resizeDocks({runs, log}, {runsH, logH}, Qt::Vertical);
        if (!restored)
            resizeDocks({findChild<QDockWidget*>("configDock")}, {std::min(340, width() * 28 / 100)}, Qt::Horizontal);
    }
}

bool MainWindow::eventFilter(QObject* o, QEvent* e) {
    // Ctrl+Z / Ctrl+Shift+Z in a config field: not the field's own text undo, the project's (the
    // shortcut then reaches the window's Undo/Redo actions).
    if (e->type() == QEvent::ShortcutOverride && m_config) {
        auto* k = static_cast<QKeyEvent*>(e);
        auto* w = qobject_cast<QWidget*>(o);
        const QKeySequence key(k->keyCombination());
        if (w && m_config->form()->isAncestorOf(w) &&
            (action("undo")->shortcuts().contains(key) || action("redo")->shortcuts().contains(key)))
            return true; // not accepted: the shortcut map goes on to the window's actions
    }
    return QMainWindow::eventFilter(o, e);
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (m_wb->anyActive()) {
        // Ask about unsaved edits first (Cancel keeps the window and the run), then stop cleanly:
        // the run finishes its step and writes a checkpoint; the window closes when the worker is
        // done. The GUI stays responsive meanwhile.
        if (!m_closing) {
            if (!maybeSave()) {
                e->ignore();
                return;
            }
            m_asked = true;
            m_closing = true;
            statusBar()->showMessage(tr("Stopping the run and writing its checkpoint..."));
            m_wb->stopAll();
        }
        e->ignore();
        return;
    }
    if (!m_asked && !maybeSave()) {
        e->ignore();
        return;
    }
    AppSettings::saveWindow(saveGeometry(), saveState());
    e->accept();
}

} // namespace seqpe::ui
