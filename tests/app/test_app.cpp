// The real workbench, offscreen, driven like a user: open the tiny project, run the queue to the
// end with the real engine (seqpe-data child process, LibTorch trainer on worker threads), while
// the event loop stays responsive; edit a field and undo it; reopen the runs from disk.
#include "../support/tiny_project.h"
#include "charts_panel.h"
#include "config_panel.h"
#include "engine_hooks_real.h"
#include "log_panel.h"
#include "main_window.h"
#include "runs_model.h"
#include "seqpe/checkpoints.h"

#include "seqpe/widgets/config_form.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <filesystem>
#include <gtest/gtest.h>
#include <iostream>

using namespace seqpe;
using namespace seqpe::ui;
namespace fs = std::filesystem;

namespace {

fs::path make_project(const std::string& tag) {
    return test::make_tiny_project("app-" + tag);
}

} // namespace

TEST(App, TrainsTheTinyProjectToCompletionWithAResponsiveWindow) {
    const fs::path dir = make_project("run");
    MainWindow w(realEngineHooks());
    w.show();
    ASSERT_TRUE(w.openProject(QString::fromStdString((dir / "projects/tiny.json").string())));
    ASSERT_EQ(w.workbench().store().names(), (QStringList{"seqpe", "learned"}));

    // An event-loop probe: the longest gap between 10 ms timer ticks while training.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer probe;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        worst = std::max(worst, now - last);
        last = now;
    });
    probe.start(10);
    QSignalSpy finished(&w.workbench(), &Workbench::sessionFinished);
    QSignalSpy evaluated(&w.workbench(), &Workbench::evaluationFinished);
    w.action("runAll")->trigger();
    QElapsedTimer t;
    t.start();
    // Each run evaluates itself when its training completes (eval.after_training, the default).
    while ((finished.count() < 2 || evaluated.count() < 2) && t.elapsed() < 240000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    probe.stop();
    ASSERT_EQ(finished.count(), 2) << w.logPanel()->text().toStdString();
    ASSERT_EQ(evaluated.count(), 2) << w.logPanel()->text().toStdString();
    for (int i = 0; i < 2; ++i) EXPECT_EQ(evaluated.at(i).at(1).value<RunOutcome>(), RunOutcome::Completed);
    for (int i = 0; i < 2; ++i) EXPECT_EQ(finished.at(i).at(1).value<RunOutcome>(), RunOutcome::Completed);
    for (const QString& run : {QString("seqpe"), QString("learned")}) {
        const RunView* v = w.workbench().store().run(run);
        ASSERT_NE(v, nullptr);
        EXPECT_EQ(v->status.state, RunState::Completed);
        EXPECT_EQ(v->lastOf("train")->step, 20);
        EXPECT_TRUE(latest_checkpoint(RunPaths{v->dir}).has_value());
        // The report the Extrapolation view draws: the tiny project's 3 lengths, in the run's files.
        ASSERT_TRUE(v->report.has_value()) << run.toStdString();
        EXPECT_EQ(v->report->rows.size(), 3u);
        EXPECT_EQ(v->report->step, 20);
        EXPECT_TRUE(fs::exists(v->dir / "eval/extrapolation.json"));
    }
    // The charts received every training step of both runs.
    const LineChart* loss = w.charts()->chart(0);
    ASSERT_EQ(loss->seriesCount(), 2);
    for (int id : loss->seriesIds()) EXPECT_EQ(loss->points(id).size(), 20) << loss->seriesName(id).toStdString();
    // The GUI thread was never blocked by training (the first tick waits for the window to show).
    EXPECT_LT(worst, 2000) << "longest event-loop gap " << worst << " ms";

    // Edit a field of a run, see it validated on the field, undo it.
    ConfigPanel* cfg = w.configPanel();
    cfg->setTarget("learned");
    const QString before = cfg->form()->value("model.n_head");
    auto* spin = qobject_cast<QSpinBox*>(cfg->form()->editorFor("model.n_head"));
    ASSERT_NE(spin, nullptr);
    spin->setValue(3); // as if typed: the form reports it (debounced) and records an undo step
    cfg->form()->flushPendingEdits();
    EXPECT_EQ(cfg->target(), "learned"); // an edit does not move the editor to another run
    EXPECT_NE(cfg->form()->fieldMessage("model.n_head").indexOf("divide"), -1);
    EXPECT_TRUE(w.workbench().document().differences("learned").contains("model.n_head=3"));
    w.action("undo")->trigger(); // Edit > Undo
    EXPECT_FALSE(w.workbench().document().differences("learned").contains("model.n_head"));
    fs::remove_all(dir);
}

TEST(App, OpensRunDirectoriesWrittenByTheCli) {
    const fs::path dir = make_project("open");
    const std::string cli = (fs::path(SEQPE_BINARY_DIR) / "cli/seqpe").string();
    ASSERT_EQ(
        std::system((cli + " train " + (dir / "projects/tiny.json").string() + " --run learned > /dev/null").c_str()),
        0);
    MainWindow w(realEngineHooks());
    ASSERT_TRUE(w.openRunDirectory(QString::fromStdString((dir / "runs/tiny/learned").string())));
    const RunView* v = w.workbench().store().run("learned");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->status.state, RunState::Completed);
    EXPECT_EQ(v->series("train", "loss").size(), 20);
    EXPECT_FALSE(w.openRunDirectory(QString::fromStdString(dir.string()))); // not a run directory

    // A run whose newest checkpoint was damaged on disk is marked in the runs table, naming it.
    const fs::path run = dir / "runs/tiny/learned";
    const auto cks = list_checkpoints(RunPaths{run});
    ASSERT_FALSE(cks.empty());
    fs::resize_file(cks.front().dir / "model.pt", 100);
    MainWindow w2(realEngineHooks());
    ASSERT_TRUE(w2.openRunDirectory(QString::fromStdString(run.string())));
    RunsModel model(w2.workbench());
    const int row = model.rowOf("learned");
    ASSERT_GE(row, 0);
    const QString status = model.data(model.index(row, RunsModel::Status), Qt::DisplayRole).toString();
    EXPECT_TRUE(status.contains(QString("damaged checkpoint (step %1)").arg(cks.front().step))) << status.toStdString();
    const QString tip = model.data(model.index(row, RunsModel::Status), Qt::ToolTipRole).toString();
    EXPECT_TRUE(tip.contains("model.pt: 100 bytes")) << tip.toStdString();
    fs::remove_all(dir);
}
