// MainWindow: actions, menus, toolbar, shortcuts, file operations.
#include "main_window.h"

#include "add_run_dialog.h"

#include "app_settings.h"
#include "charts_panel.h"
#include "config_panel.h"
#include "log_panel.h"
#include "project_history.h"
#include "runs_model.h"
#include "views/attention_view.h"
#include "views/extrapolation_view.h"
#include "views/figure_exporter.h"
#include "views/geometry_view.h"

#include "seqpe/common/files.h"
#include "seqpe/common/version.h"
#include "seqpe/encodings.h"
#include "seqpe/paper_tables.h"
#include "seqpe/widgets/theme.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QUndoStack>

namespace seqpe::ui {

// The platform's keys for a standard action plus the usual Linux one (some platforms and themes,
// offscreen included, bind nothing to Quit or only Ctrl+Y to Redo).
static QList<QKeySequence> keysFor(QKeySequence::StandardKey std, const QKeySequence& usual) {
    QList<QKeySequence> keys = QKeySequence::keyBindings(std);
    if (!keys.contains(usual)) keys.append(usual);
    return keys;
}

void MainWindow::buildActions() {
    auto add = [this](const QString& name, const QString& text, const QList<QKeySequence>& keys, auto fn) {
        auto* a = new QAction(text, this);
        if (!keys.isEmpty()) a->setShortcuts(keys);
        connect(a, &QAction::triggered, this, fn);
        m_actions.insert(name, a);
        return a;
    };
    add("new", tr("&New Project"), keysFor(QKeySequence::New, QKeySequence(Qt::CTRL | Qt::Key_N)),
        [this] { newProject(); });
    add("open", tr("&Open Project..."), keysFor(QKeySequence::Open, QKeySequence(Qt::CTRL | Qt::Key_O)), [this] {
        if (!maybeSave()) return;
        const QString here =
            m_wb->document().fileName().isEmpty() ? QString() : QFileInfo(m_wb->document().fileName()).absolutePath();
        const QString f = QFileDialog::getOpenFileName(
            this, tr("Open project"), AppSettings::dialogFolder("project", here), tr("Projects (*.json)"));
        if (f.isEmpty()) return;
        AppSettings::setDialogFolder("project", f);
        openProject(f);
    });
    add("openRun", tr("Open &Run Directory..."), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)}, [this] {
        const QString runs = QString::fromStdString(m_wb->document().project().output_path().string());
        const QString d = QFileDialog::getExistingDirectory(
            this, tr("Open a run directory (trained here or elsewhere)"), AppSettings::dialogFolder("runDir", runs));
        if (d.isEmpty()) return;
        AppSettings::setDialogFolder("runDir", QFileInfo(d).absolutePath());
        openRunDirectory(d);
    });
    add("exportWeights", tr("Export &Weights..."), {}, [this] { openCheckpoints(selectedRun()); });
    m_actions["exportWeights"]->setToolTip(
        tr("The selected run's checkpoints: export one as safetensors, or show it in the views"));
    add("checkpoints", tr("&Checkpoints and Export..."), {}, [this] { openCheckpoints(selectedRun()); });
    add("importWeights", tr("&Import Weights..."), {}, [this] { importWeightsInteractively(); });
    m_actions["importWeights"]->setToolTip(tr("A safetensors file and its config as a new run of this project"));
    add("save", tr("&Save"), keysFor(QKeySequence::Save, QKeySequence(Qt::CTRL | Qt::Key_S)),
        [this] { saveProject(false); });
    add("saveAs", tr("Save &As..."), keysFor(QKeySequence::SaveAs, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)),
        [this] { saveProject(true); });
    add("quit", tr("&Quit"), keysFor(QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q)), [this] { close(); });
    add("exportFigure", tr("&Export Figure..."), {QKeySequence(Qt::CTRL | Qt::Key_E)},
        [this] { exportCurrentFigure(); });
    add("exportAll", tr("Export A&ll Figures..."), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E)},
        [this] { exportAllFigures(); });
    add("exportReport", tr("Export &Report"), {}, [this] { exportReport(); });
    m_actions["exportReport"]->setToolTip(
        tr("The comparison as tables for a paper (Markdown and LaTeX), with intervals and tested bold, as `seqpe "
           "report` writes it"));
    // Undo/redo follow the project's history whichever field has the focus (eventFilter keeps the
    // editors' own text undo from taking Ctrl+Z); a typed edit not yet reported is reported first.
    QUndoStack* history = m_history->stack();
    auto* undo = add("undo", tr("&Undo"), keysFor(QKeySequence::Undo, QKeySequence(Qt::CTRL | Qt::Key_Z)), [this] {
        m_config->form()->flushPendingEdits();
        m_history->stack()->undo();
    });
    auto* redo =
        add("redo", tr("&Redo"), keysFor(QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)), [this] {
            m_config->form()->flushPendingEdits();
            m_history->stack()->redo();
        });
    auto label = [](QAction* a, const QString& verb) {
        return [a, verb](const QString& what) { a->setText(what.isEmpty() ? verb : verb + " " + what); };
    };
    connect(history, &QUndoStack::undoTextChanged, undo, label(undo, tr("&Undo")));
    connect(history, &QUndoStack::redoTextChanged, redo, label(redo, tr("&Redo")));
    connect(history, &QUndoStack::canUndoChanged, undo, &QAction::setEnabled);
    connect(history, &QUndoStack::canRedoChanged, redo, &QAction::setEnabled);
    undo->setEnabled(history->canUndo());
    redo->setEnabled(history->canRedo());

    add("start", tr("&Start"), {}, [this] {
        const QString r = selectedRun();
        if (m_wb->isActive(r))
            m_wb->resume(r);
        else if (refuseStart(r))
            return;
        else
            m_wb->start(r);
    });
    add("toggle", tr("Start / Pause"), {QKeySequence(Qt::Key_Space)}, [this] { toggleStartPause(); });
    add("pause", tr("&Pause"), {QKeySequence(Qt::CTRL | Qt::Key_P)}, [this] {
        m_wb->pause(selectedRun());
        updateActions();
    });
    add("step", tr("S&tep"), {QKeySequence(Qt::CTRL | Qt::Key_T)}, [this] {
        const QString r = selectedRun();
        if (m_wb->isActive(r) || !refuseStart(r)) m_wb->step(r);
    });
    add("stop", tr("St&op"), {QKeySequence(Qt::CTRL | Qt::Key_Period)}, [this] { m_wb->stop(selectedRun()); });
    // Ctrl+Alt+E: Ctrl+E is Export Figure (a shortcut on two actions fires neither).
    add("evaluate", tr("&Evaluate"), {QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E)}, [this] {
        // The selected runs (or the current one), queued behind the active job.
        QStringList runs;
        for (const QModelIndex& i : m_runsView->selectionModel()->selectedRows()) runs << m_runs->runAt(i.row());
        if (runs.isEmpty() && !selectedRun().isEmpty()) runs << selectedRun();
        for (const QString& r : runs) m_wb->evaluate(r);
        statusBar()->showMessage(
            tr("evaluating %1 (the run's eval settings; Extrapolation shows the report)").arg(runs.join(", ")), 6000);
    });
    m_actions["evaluate"]->setToolTip(
        tr("Evaluate the selected runs at the lengths (resolutions) of their eval settings"));
    add("evaluateAll", tr("Evaluate A&ll"), {}, [this] { m_wb->evaluateAll(); });
    add("runAll", tr("Run &All (queue)"), {QKeySequence(Qt::CTRL | Qt::Key_R)}, [this] { m_wb->runAll(); });
    add("stopAll", tr("Stop A&ll"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Period)}, [this] { m_wb->stopAll(); });
    add("addRun", tr("&Add Run..."), {}, [this] {
        AddRunDialog d(m_wb->document().config(QString()), this);
        if (d.exec() != QDialog::Accepted) return;
        selectRun(m_wb->document().addRun(d.runName(), d.encoding(), d.overrides()));
    });
    add("removeRun", tr("&Remove Run"), {}, [this] {
        // A seed or grid point stands for its project run: that run (all its seeds) is removed.
        const QString r = m_wb->document().projectRunOf(selectedRun());
        if (r.isEmpty()) return;
        for (const QString& p : m_wb->document().plannedNames())
            if (m_wb->document().projectRunOf(p) == r && m_wb->isActive(p)) return;
        for (const QString& p : m_wb->document().plannedNames())
            if (m_wb->document().projectRunOf(p) == r && m_wb->isQueued(p)) m_wb->stop(p); // out of the queue first
        const QString dir = QString::fromStdString(m_wb->document().project().run_dir(r.toStdString()).string());
        m_wb->document().removeRun(r);
        // The run's files are never deleted from here: undo brings the run back with its records.
        const QString text =
            tr("removed run %1 from the project; its directory %2 stays on disk (Edit > Undo brings the run back)")
                .arg(r, dir);
        report(r, 1, text);
        statusBar()->showMessage(text, 8000);
    });
    // The space bar must reach text fields: the toggle is a window shortcut only outside editors.
    m_actions["toggle"]->setShortcutContext(Qt::WidgetWithChildrenShortcut);
}

bool MainWindow::refuseStart(const QString& run) {
    const QString why = startProblem(run);
    if (why.isEmpty()) return false;
    report(run, 3, tr("not started: %1").arg(why));
    statusBar()->showMessage(tr("Cannot start %1: %2").arg(run, why), 10000);
    return true;
}

void MainWindow::toggleStartPause() {
    const QString r = selectedRun();
    if (r.isEmpty()) return;
    RunSession* s = m_wb->session(r);
    if (!m_wb->isActive(r)) {
        if (!refuseStart(r)) m_wb->start(r);
    } else if (s && s->isPaused())
        m_wb->resume(r);
    else
        m_wb->pause(r);
    updateActions();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    for (const char* n : {"new", "open", "openRun"}) file->addAction(m_actions[n]);
    m_recent = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    for (const char* n : {"save", "saveAs"}) file->addAction(m_actions[n]);
    file->addSeparator();
    for (const char* n : {"exportFigure", "exportAll", "exportReport"}) file->addAction(m_actions[n]);
    file->addSeparator();
    for (const char* n : {"exportWeights", "importWeights"}) file->addAction(m_actions[n]);
    file->addSeparator();
    file->addAction(m_actions["quit"]);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_actions["undo"]);
    edit->addAction(m_actions["redo"]);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    for (const char* n : {"start", "pause", "step", "stop"}) run->addAction(m_actions[n]);
    run->addSeparator();
    for (const char* n : {"runAll", "stopAll"}) run->addAction(m_actions[n]);
    run->addSeparator();
    for (const char* n : {"evaluate", "evaluateAll"}) run->addAction(m_actions[n]);
    run->addSeparator();
    for (const char* n : {"addRun", "removeRun"}) run->addAction(m_actions[n]);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    QMenu* theme = view->addMenu(tr("&Theme"));
    auto* group = new QActionGroup(this);
    for (auto [label, t] : {std::pair{tr("Follow the system"), Theme::System}, std::pair{tr("Light"), Theme::Light},
                            std::pair{tr("Dark"), Theme::Dark}}) {
        auto* a = theme->addAction(label);
        a->setCheckable(true);
        a->setChecked(AppSettings::theme() == t);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [t] {
            AppSettings::setTheme(t);
            applyTheme(*qApp, t);
        });
    }
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QString text;
        for (auto it = m_actions.begin(); it != m_actions.end(); ++it)
            if (!it.value()->shortcut().isEmpty())
                text +=
                    QString("%1\t%2\n")
                        .arg(it.value()->shortcut().toString(QKeySequence::NativeText), it.value()->text().remove('&'));
        QMessageBox::information(this, tr("Keyboard shortcuts"), text);
    });
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("SeqPE Workbench"),
                           tr("Train and compare position encodings: SeqPE and the baselines, on identical footing."));
    });

    auto* tb = addToolBar(tr("Run"));
    tb->setObjectName("runToolbar");
    for (const char* n : {"runAll", "start", "pause", "step", "stop", "stopAll", "evaluate"})
        tb->addAction(m_actions[n]);
    tb->addSeparator();
    for (const char* n : {"addRun", "removeRun"}) tb->addAction(m_actions[n]);
    for (auto* a : m_actions) addAction(a); // shortcuts work without the menus being open
    m_runsView->addAction(m_actions["toggle"]);
    // The runs table's context menu: the run actions for the run under the mouse.
    m_runsView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_runsView, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        const QModelIndex i = m_runsView->indexAt(at);
        if (!i.isValid()) return;
        if (!m_runsView->selectionModel()->isRowSelected(i.row(), {})) m_runsView->setCurrentIndex(i);
        QMenu menu(this);
        for (const char* n : {"start", "pause", "stop", "evaluate"}) menu.addAction(m_actions[n]);
        menu.addSeparator();
        menu.addAction(m_actions["checkpoints"]);
        menu.addSeparator();
        menu.addAction(m_actions["removeRun"]);
        menu.exec(m_runsView->viewport()->mapToGlobal(at));
    });
}

void MainWindow::rebuildRecentMenu() {
    m_recent->clear();
    for (const QString& f : AppSettings::recentProjects())
        m_recent->addAction(QFileInfo(f).fileName() + "  —  " + QFileInfo(f).absolutePath(), this, [this, f] {
            if (maybeSave()) openProject(f);
        });
    m_recent->addSeparator();
    m_recent->addAction(tr("Clear"), this, [this] {
        AppSettings::clearRecentProjects();
        rebuildRecentMenu();
    });
}

bool MainWindow::openProject(const QString& file) {
    bool opened = false;
    const auto diags = m_wb->document().open(file, &opened);
    if (!opened) {
        const QString text = QString::fromStdString(format_diagnostics(diags, file.toStdString()));
        report("project", 3, text);
        m_config->showOpenFailure(file, diags); // where the user looks, also without a dialog
        statusBar()->showMessage(tr("Could not open %1 (see the problems list)").arg(QFileInfo(file).fileName()),
                                 15000);
        if (m_prompts) QMessageBox::warning(this, tr("Cannot open project"), text);
        return false;
    }
    AppSettings::addRecentProject(file);
    rebuildRecentMenu();
    report("project", 1, tr("opened %1").arg(file));
    if (m_wb->store().names().size() > 0) selectRun(m_wb->store().names().front());
    if (has_errors(diags)) {
        // Bad values open in place: marked at their fields (the runs they touch cannot start).
        const QString text = QString::fromStdString(format_diagnostics(diags, file.toStdString()));
        report("project", 2, tr("the project has values to fix before its runs can start:\n%1").arg(text));
        statusBar()->showMessage(tr("%1 has values to fix, marked in the Configuration panel (runs using them cannot "
                                    "start)")
                                     .arg(QFileInfo(file).fileName()),
                                 15000);
        // Show the first bad field: its run (or the base) in the editor, the field in view.
        const auto first = std::find_if(diags.begin(), diags.end(),
                                        [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::Error; });
        const std::string& at = first->path; // "base.optim.lr" or "runs[4].set.optim.lr"
        QString target;
        if (at.rfind("runs[", 0) == 0) {
            const int i = QString::fromStdString(at.substr(5, at.find(']') - 5)).toInt();
            if (i >= 0 && i < int(m_wb->document().project().runs.size()))
                target = QString::fromStdString(m_wb->document().project().runs[size_t(i)].name);
            for (const QString& planned : m_wb->document().plannedNames())
                if (m_wb->document().projectRunOf(planned) == target) {
                    selectRun(planned); // its first seed or grid point
                    break;
                }
        }
        m_config->setTarget(target);
        const size_t set = at.find(".set.");
        m_config->form()->focusField(
            QString::fromStdString(set != std::string::npos ? at.substr(set + 5) : at.substr(at.find('.') + 1)));
    }
    return true;
}

bool MainWindow::openRunDirectory(const QString& dir) {
    if (!is_run_dir(dir.toStdString())) {
        report("run", 3, tr("%1 is not a run directory (no config.json)").arg(dir));
        if (m_prompts) QMessageBox::warning(this, tr("Not a run directory"), tr("%1 has no config.json.").arg(dir));
        return false;
    }
    const QString name = m_wb->attachRunDirectory(dir.toStdString());
    selectRun(name);
    report(name, 1, tr("opened run directory %1").arg(dir));
    return true;
}

bool MainWindow::maybeSave() {
    if (!m_wb->document().isModified() || !m_prompts) return true;
    QString text = tr("Save the project before closing it?");
    if (m_wb->anyActive())
        text += "\n\n" +
                tr("A run is training: it stops after its current step and writes a checkpoint, so it can be resumed.");
    const auto r = QMessageBox::question(this, tr("Unsaved changes"), text,
                                         QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (r == QMessageBox::Cancel) return false;
    return r == QMessageBox::Discard || saveProject(false);
}

bool MainWindow::saveProject(bool saveAs) {
    m_config->form()->flushPendingEdits(); // a value still being typed is part of what is saved
    // Errors do not block a save (the file opens again with them marked at their fields: nothing is
    // lost), but the user is told, and asked when there is someone to ask. A refused typed value is
    // not in the project: it is named so nobody believes it was saved.
    QStringList problems = m_wb->document().errors();
    for (const QString& path : m_config->form()->refusedPaths())
        problems.prepend(tr("%1: the typed value was refused and is not saved (%2)")
                             .arg(path, m_config->form()->refusedReason(path)));
    if (!problems.isEmpty()) {
        const int shown = std::min<int>(problems.size(), 8);
        QString text = tr("The project has %n problem(s); runs with errors cannot start until they are fixed:", "",
                          int(problems.size())) +
                       "\n\n" + problems.mid(0, shown).join('\n');
        if (problems.size() > shown) text += "\n" + tr("... and %1 more").arg(problems.size() - shown);
        if (m_prompts &&
            QMessageBox::warning(this, tr("Save a project with problems?"), text + "\n\n" + tr("Save it anyway?"),
                                 QMessageBox::Save | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Save)
            return false;
    }
    QString file = m_wb->document().fileName();
    if (saveAs || file.isEmpty()) {
        file = QFileDialog::getSaveFileName(this, tr("Save project"), file, tr("Projects (*.json)"));
        if (file.isEmpty()) return false;
    }
    QString error;
    if (!m_wb->document().save(file, &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    m_history->markSaved();
    if (!problems.isEmpty()) report("project", 2, tr("saved %1 with problems: %2").arg(file, problems.join("; ")));
    AppSettings::addRecentProject(file);
    rebuildRecentMenu();
    return true;
}

void MainWindow::exportCurrentFigure() {
    QWidget* tab = currentView();
    if (tab == m_geometry)
        m_geometry->exportFigure();
    else if (tab == m_extrapolation)
        m_extrapolation->exportFigure();
    else if (tab == m_attention)
        m_attention->exportFigure();
    else
        exportFigureInteractively(this, trainingPanelFigure(*m_wb, *m_charts), FigureExporter::defaultDirectory(*m_wb));
}

void MainWindow::exportAllFigures() {
    if (m_exporter && m_exporter->isRunning()) return;
    if (m_wb->document().fileName().isEmpty() && m_wb->store().names().isEmpty()) return;
    const QString dir = FigureExporter::defaultDirectory(*m_wb);
    if (!m_exporter) {
        m_exporter = new FigureExporter(*m_wb, this);
        connect(m_exporter, &FigureExporter::progress, this,
                [this](const QString& t) { statusBar()->showMessage(tr("Exporting %1...").arg(t)); });
        connect(m_exporter, &FigureExporter::finished, this, [this](bool ok) {
            statusBar()->clearMessage();
            QString text = tr("%1 files written to %2.")
                               .arg(m_exporter->files().size())
                               .arg(FigureExporter::defaultDirectory(*m_wb));
            const QStringList more = m_exporter->errors() + m_exporter->notes();
            if (!more.isEmpty()) text += "\n\n" + more.join('\n');
            report("figures", ok ? 1 : 3, text);
            if (m_prompts)
                ok ? QMessageBox::information(this, tr("Figures exported"), text)
                   : QMessageBox::warning(this, tr("Export failed"), text);
        });
    }
    m_exporter->start(dir);
}

QStringList MainWindow::exportReport() {
    // The planned runs' evaluation reports, by seed group (what `seqpe report` reads from disk).
    auto& doc = m_wb->document();
    std::vector<std::pair<std::string, EvalReport>> reports;
    std::vector<std::optional<int64_t>> seeds;
    std::optional<RunConfig> trained; // the first reported run's config as trained describes the setup
    QStringList missing;
    for (const PlannedRun& p : doc.plan().runs) {
        const QString run = QString::fromStdString(p.name);
        const RunView* v = m_wb->store().run(run);
        if (!v || !v->report) {
            missing << run;
            continue;
        }
        EvalReport r = *v->report;
        r.run = p.name;
        reports.emplace_back(p.group, std::move(r));
        seeds.push_back(p.seed);
        if (!trained) {
            try {
                trained = read_run_config(RunPaths{v->dir});
            } catch (const std::exception&) {
                trained = p.config; // its directory has no readable config: the project's describes it
            }
        }
    }
    if (reports.empty()) {
        const QString why = tr("no run of the project has an evaluation report yet (Run > Evaluate)");
        report("report", 2, why);
        statusBar()->showMessage(why, 8000);
        return {};
    }
    const std::filesystem::path dir = doc.project().output_path() / "report";
    const TableSetup setup =
        table_setup(doc.project().name, *trained, reported_seeds(seeds), reports.front().second.precision, kGitCommit);
    const std::vector<GroupSummary> groups = summarise_by_group(reports);
    QStringList written;
    try {
        std::filesystem::create_directories(dir);
        write_file_atomic(dir / "results.md", results_markdown(groups, setup));
        write_file_atomic(dir / "results.tex", results_latex(groups, setup));
        written << QString::fromStdString((dir / "results.md").string())
                << QString::fromStdString((dir / "results.tex").string());
    } catch (const std::exception& e) {
        report("report", 3, tr("cannot write the report: %1").arg(QString::fromStdString(e.what())));
        return {};
    }
    QString text = tr("report written: %1").arg(written.join(", "));
    if (!missing.isEmpty()) text += tr(" (%n run(s) without a report left out)", "", int(missing.size()));
    report("report", missing.isEmpty() ? 1 : 2, text);
    statusBar()->showMessage(text, 10000);
    return written;
}

void MainWindow::newProject() {
    if (!maybeSave()) return;
    m_wb->document().newProject("untitled");
}

} // namespace seqpe::ui
