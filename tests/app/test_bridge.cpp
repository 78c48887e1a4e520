// The bridge with a fake trainer: run control, coalesced records, queue, teardown mid-run.
#include "fake_trainer.h"
#include "workbench.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <thread>

using namespace seqpe;
using namespace seqpe::ui;

namespace {

struct Counters {
    std::atomic<int> made{0};
    std::atomic<std::thread::id> trainer_thread{};
};

EngineHooks fake_hooks(Counters& c, int64_t steps, int step_ms) {
    EngineHooks h;
    h.prepare = [](const RunConfig&, const std::function<void(const PrepareEvent&)>& ev, std::stop_token) {
        PrepareEvent e;
        e.event = "stage";
        e.stage = "encode";
        e.done = 1;
        e.total = 2;
        ev(e);
        return std::filesystem::path("/nonexistent-dataset");
    };
    h.make = [&c, steps, step_ms](const RunConfig&, const TrainerOptions& o) {
        ++c.made;
        c.trainer_thread = std::this_thread::get_id();
        return std::make_unique<test::FakeTrainer>(steps, step_ms, o.start_paused);
    };
    return h;
}

// Processes events until `pred` holds or `ms` pass.
template <class P> bool wait_for(P pred, int ms = 10000) {
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < ms) QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return pred();
}

} // namespace

TEST(Bridge, RunsToCompletionOnAWorkerWithCoalescedRecords) {
    Counters c;
    Workbench wb(fake_hooks(c, 300, 1));
    const QString run = wb.document().runNames().front();
    int notifications = 0;
    QSignalSpy finished(&wb, &Workbench::sessionFinished);
    wb.start(run);
    ASSERT_NE(wb.session(run), nullptr);
    QObject::connect(wb.session(run), &RunSession::recordsAvailable, [&] { ++notifications; });
    ASSERT_TRUE(wait_for([&] { return finished.count() == 1; }));
    EXPECT_EQ(finished.at(0).at(1).toInt(), static_cast<int>(RunOutcome::Completed));
    const RunView* v = wb.store().run(run);
    ASSERT_NE(v, nullptr);
    int train = 0;
    for (const auto& r : v->records) train += r.kind == "train";
    EXPECT_EQ(train, 300);                 // every record arrives, in order
    EXPECT_EQ(v->records.back().step, 300);
    EXPECT_LT(notifications, 300 / 5);     // but in batches: ~40 ms apart, not one per step
    EXPECT_NE(c.trainer_thread.load(), std::this_thread::get_id()); // built on the worker
    EXPECT_FALSE(wb.isActive(run));
}

TEST(Bridge, PauseStepResumeAndProbesOnTheTrainingThread) {
    Counters c;
    Workbench wb(fake_hooks(c, 1000, 2));
    const QString run = wb.document().runNames().front();
    wb.start(run, /*paused=*/true);
    RunSession* s = wb.session(run);
    ASSERT_TRUE(wait_for([&] { return wb.store().run(run)->status.state == RunState::Paused; }));
    EXPECT_TRUE(s->isPaused());
    EXPECT_TRUE(wb.store().run(run)->records.empty());
    wb.step(run);
    ASSERT_TRUE(wait_for([&] { return !wb.store().run(run)->records.empty(); }));
    QTest::qWait(100); // nothing else may arrive while paused
    EXPECT_EQ(wb.store().run(run)->records.size(), 1u);
    std::atomic<bool> ran{false};
    std::thread::id where;
    ASSERT_TRUE(s->post([&](Inspector&) {
        where = std::this_thread::get_id();
        ran = true;
    }));
    ASSERT_TRUE(wait_for([&] { return ran.load(); }));
    EXPECT_EQ(where, c.trainer_thread.load());
    wb.resume(run);
    ASSERT_TRUE(wait_for([&] { return wb.store().run(run)->records.size() > 20; }));
    wb.stop(run);
    QSignalSpy finished(&wb, &Workbench::sessionFinished);
    ASSERT_TRUE(wait_for([&] { return finished.count() == 1; }));
    EXPECT_EQ(finished.at(0).at(1).toInt(), static_cast<int>(RunOutcome::Cancelled));
}

TEST(Bridge, QueueRunsOneAfterAnother) {
    Counters c;
    Workbench wb(fake_hooks(c, 20, 1));
    wb.document().addRun("b", "rope");
    wb.document().addRun("c", "alibi");
    QStringList order;
    QObject::connect(&wb, &Workbench::sessionStarted, [&](const QString& r) {
        order << r;
        int active = 0;
        for (const QString& n : wb.document().runNames()) active += wb.isActive(n);
        EXPECT_EQ(active, 1);
    });
    QSignalSpy finished(&wb, &Workbench::sessionFinished);
    wb.runAll();
    EXPECT_EQ(wb.queue().size(), 2);
    ASSERT_TRUE(wait_for([&] { return finished.count() == 3; }));
    EXPECT_EQ(order, (QStringList{"seqpe", "b", "c"}));
    EXPECT_EQ(c.made.load(), 3);
}

TEST(Bridge, StopAllAndTeardownDuringARunAreClean) {
    for (int i = 0; i < 20; ++i) { // repeatedly: no deadlock, no crash (TSan checks the races)
        Counters c;
        auto wb = std::make_unique<Workbench>(fake_hooks(c, 100000, 1));
        const QString run = wb->document().runNames().front();
        wb->start(run);
        wait_for([&] { return c.made.load() == 1; }, 2000);
        if (i % 2) {
            QSignalSpy stopped(wb.get(), &Workbench::allStopped);
            wb->stopAll();
            ASSERT_TRUE(wait_for([&] { return stopped.count() == 1; }));
        }
        wb.reset(); // destructor stops and joins the worker
    }
}

TEST(Bridge, DocumentEditsKeepOverridesMinimalAndValidate) {
    Counters c;
    Workbench wb(fake_hooks(c, 1, 1));
    auto& doc = wb.document();
    const QString run = doc.runNames().front();
    doc.setOption(run, "model.n_head", "5");
    bool marked = false;
    for (const auto& d : doc.diagnostics(run)) marked |= d.path == "model.n_head";
    EXPECT_TRUE(marked);
    EXPECT_EQ(doc.differences(run), "model.n_head=5");
    doc.setOption(run, "model.n_head", "4"); // back to the base value: no override left
    EXPECT_TRUE(doc.differences(run).isEmpty());
    EXPECT_TRUE(doc.isModified());
    doc.setOption("", "model.n_layer", "3"); // base edit reaches every run
    EXPECT_EQ(doc.config(run).model.n_layer, 3);
    doc.setOption(run, "model.n_layer", "abc"); // kept as typed, reported
    bool bad = false;
    for (const auto& d : doc.diagnostics(run)) bad |= d.path == "model.n_layer";
    EXPECT_TRUE(bad);
}

TEST(Bridge, LiveGeometryArrivesWhileAFakeRunTrainsAndProbesAnswerOnTheTrainingThread) {
    Counters c;
    EngineHooks h = fake_hooks(c, 400, 2);
    h.make = [&c](const RunConfig&, const TrainerOptions& o) {
        ++c.made;
        c.trainer_thread = std::this_thread::get_id();
        return std::make_unique<test::FakeTrainer>(400, 2, o.start_paused, /*snapshot_every=*/50);
    };
    Workbench wb(h);
    const QString run = wb.document().runNames().front();
    QSignalSpy snaps(&wb, &Workbench::snapshotAvailable);
    wb.start(run);
    ASSERT_TRUE(wait_for([&] { return snaps.count() >= 2; }));
    const auto snap = wb.session(run)->latestSnapshot();
    ASSERT_TRUE(snap.has_value());
    EXPECT_EQ(snap->geometry.matrix.shape, (std::vector<int64_t>{8, 8}));
    EXPECT_EQ(snap->geometry.matrix.data[0], static_cast<float>(snap->step)); // the fake's diagonal = its step
    // An on-demand probe of the live run runs on its training thread.
    QObject context;
    bool got = false;
    std::thread::id where;
    wb.probes().request<GeometryResult>(
        run,
        [&where](Inspector& in) {
            where = std::this_thread::get_id();
            GeometryRequest r;
            r.count = 5;
            return in.geometry(r);
        },
        &context, [&](const GeometryResult& g) {
            got = g.matrix.shape[0] == 5;
        });
    ASSERT_TRUE(wait_for([&] { return got; }));
    EXPECT_EQ(where, c.trainer_thread.load());
    wb.stopAll();
}

TEST(Bridge, RunFiguresHaveOneDefinition) {
    RunView v;
    auto train = [&](int64_t step, double rate, double dt) {
        Record r;
        r.kind = "train";
        r.step = step;
        r.set("tokens_per_s", rate).set("step_time", dt);
        v.records.push_back(r);
    };
    for (int i = 1; i <= 19; ++i) train(i, 4000, 0.25); // 1000 tokens a step
    Record eval;
    eval.kind = "eval";
    eval.step = 19;
    v.records.push_back(eval); // not a training step: ignored
    train(20, 100, 10.0);       // one slow step (a Step while paused): 1000 tokens in 10 s
    // Total tokens over total time of the last 20 steps: 20000 / (19 * 0.25 + 10) = 1355.9.
    EXPECT_NEAR(v.recentTokensPerS(), 20000.0 / 14.75, 1e-6);
    EXPECT_NEAR(v.recentStepTime(), 14.75 / 20, 1e-12);
    EXPECT_NEAR(v.recentTokensPerS(1), 100.0, 1e-9);
    EXPECT_EQ(RunView{}.recentTokensPerS(), 0.0);

    RunView s;
    EXPECT_EQ(s.stateText(false), "not started");
    EXPECT_EQ(s.stateText(true), "queued");
    s.status.updated = "2026-12-03T10:00:00Z";
    s.status.state = RunState::Cancelled;
    EXPECT_EQ(s.stateText(false), "stopped");
    s.status.state = RunState::Completed;
    EXPECT_EQ(s.stateText(false), "completed");
    s.live = true;
    s.activity = "preparing data: tokenizing";
    EXPECT_EQ(s.stateText(false), "preparing data: tokenizing");
}
