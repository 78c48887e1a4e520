// GUI stress with the real engine: start and stop a run 100 times through the window's actions,
// then close the window mid-run. No deadlock (every wait is bounded), no crash, resident memory
// bounded (measured after a warm-up), and the run resumes from the checkpoint each stop wrote.
#include "../support/tiny_project.h"
#include "engine_hooks_real.h"
#include "log_panel.h"
#include "main_window.h"

#include "seqpe/run_dir.h"
#include "wait_for.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTableView>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

namespace {

double resident_mb() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// The tiny project with a budget no session reaches: every session ends by Stop.
fs::path make_project() {
    return test::make_tiny_project("stress", 1000000);
}

} // namespace

TEST(Stress, StartStopAHundredTimesThenCloseMidRun) {
    const fs::path dir = make_project();
    auto* w = new MainWindow(realEngineHooks());
    w->setAttribute(Qt::WA_DeleteOnClose, false);
    w->show();
    ASSERT_TRUE(w->openProject(QString::fromStdString((dir / "projects/tiny.json").string())));
    w->selectRun("learned");
    QSignalSpy started(&w->workbench(), &Workbench::sessionStarted);
    QSignalSpy finished(&w->workbench(), &Workbench::sessionFinished);
    const RunView* v = w->workbench().store().run("learned");
    ASSERT_NE(v, nullptr);

    constexpr int kCycles = 100, kWarmup = 10;
    double rss_warm = 0;
    int64_t last_step = 0;
    for (int i = 0; i < kCycles; ++i) {
        if (i == kWarmup) rss_warm = resident_mb();
        w->action("start")->trigger();
        ASSERT_TRUE(wait_for([&] { return started.count() == i + 1; }, 60000)) << "start " << i << " hung";
        // Alternate between stopping at once (mid-setup) and after the run has made progress.
        if (i % 2 == 1) wait_for([&] { return v->status.step > last_step; }, 20000);
        w->action("stop")->trigger();
        ASSERT_TRUE(wait_for([&] { return finished.count() == i + 1; }, 60000)) << "stop " << i << " hung; log:\n"
                                                                                << w->logPanel()->text().toStdString();
        const RunOutcome outcome = finished.at(i).at(1).value<RunOutcome>();
        ASSERT_TRUE(outcome == RunOutcome::Cancelled || outcome == RunOutcome::Completed)
            << "cycle " << i << ": " << finished.at(i).at(2).toString().toStdString();
        ASSERT_GE(v->status.step, last_step) << "a stop lost progress at cycle " << i;
        last_step = v->status.step;
    }
    const double rss_end = resident_mb();
    const double growth = rss_end - rss_warm;
    std::cout << "[stress] " << kCycles << " start/stop cycles, " << last_step << " steps trained; resident "
              << rss_warm << " MB after " << kWarmup << " cycles, " << rss_end << " MB after " << kCycles << " (growth "
              << growth << " MB)\n";
    EXPECT_GT(last_step, 0);
    // A leak of one model, optimiser or dataset per session (several MB each) would exceed this.
    EXPECT_LT(growth, 48.0) << "resident memory grew by " << growth << " MB over " << kCycles - kWarmup << " cycles";
    const auto ck = latest_checkpoint(RunPaths{v->dir});
    ASSERT_TRUE(ck.has_value());
    EXPECT_EQ(checkpoint_step(*ck), last_step); // every stop checkpointed where it stopped

    // Close the window while the run trains: the close waits for the step, checkpoints, then closes.
    w->action("start")->trigger();
    ASSERT_TRUE(wait_for([&] { return v->status.step > last_step; }, 60000));
    w->close();
    ASSERT_TRUE(wait_for([&] { return !w->isVisible(); }, 60000)) << "the window did not close";
    EXPECT_FALSE(w->workbench().anyActive());
    const auto after = read_status(RunPaths{dir / "runs/tiny/learned"});
    ASSERT_TRUE(after.has_value());
    EXPECT_NE(after->state, RunState::Running);
    EXPECT_EQ(checkpoint_step(*latest_checkpoint(RunPaths{dir / "runs/tiny/learned"})), after->step);
    EXPECT_GT(after->step, last_step);
    delete w;
    fs::remove_all(dir);
}
