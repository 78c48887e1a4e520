// The bridge with a fake trainer: run control, coalesced records, queue, teardown mid-run.
#include "fake_trainer.h"
#include "workbench.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "wait_for.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>
#include <thread>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;

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
    EXPECT_EQ(finished.at(0).at(1).value<RunOutcome>(), RunOutcome::Completed);
    const RunView* v = wb.store().run(run);
    ASSERT_NE(v, nullptr);
    int train = 0;
    for (const auto& r : v->records) train += r.kind == "train";
    EXPECT_EQ(train, 300); // every record arrives, in order
    EXPECT_EQ(v->records.back().step, 300);
    EXPECT_LT(notifications, 300 / 5);                              // but in batches: ~40 ms apart, not one per step
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
    EXPECT_EQ(finished.at(0).at(1).value<RunOutcome>(), RunOutcome::Cancelled);
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
    // A cross-field problem is kept (the next edit may fix it: n_head 5 above was marked, not refused).
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
        &context, [&](const GeometryResult& g) { got = g.matrix.shape[0] == 5; });
    ASSERT_TRUE(wait_for([&] { return got; }));
    EXPECT_EQ(where, c.trainer_thread.load());
    wb.stopAll();
}

namespace {

// A fake evaluation: `lengths` steps of `ms` each (cancellable between them), then the report
// file, as the real evaluator writes it only when it completes.
void add_fake_evaluate(EngineHooks& h, int lengths, int ms, std::atomic<int>* evaluations) {
    h.evaluate = [=](const std::filesystem::path& dir, const EvalOptions&, Observer& obs, std::stop_token stop) {
        EvalReport rep;
        rep.run = dir.filename().string();
        rep.task = "lm";
        rep.encoding = "seqpe";
        rep.split = "test";
        rep.metric = "ppl";
        rep.step = 20;
        for (int i = 0; i < lengths; ++i) {
            if (stop.stop_requested()) throw Cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            EvalRow row;
            row.mode = "extend";
            row.length = 32 << i;
            row.ppl = 50.0 + i;
            rep.rows.push_back(row);
            obs.on_log(LogLevel::Info,
                       "eval extend L=" + std::to_string(row.length) + ": ppl " + std::to_string(row.ppl));
        }
        std::filesystem::create_directories(dir / "eval");
        write_file_atomic(dir / "eval/extrapolation.json", eval_report_json(rep));
        if (evaluations) ++*evaluations;
        return rep;
    };
}

} // namespace

TEST(Bridge, ARunEvaluatesItselfAfterTrainingAndEvaluationIsAQueuedCancellableJob) {
    const auto tmp = std::filesystem::temp_directory_path() / ("seqpe-bridge-eval-" + std::to_string(::getpid()));
    std::filesystem::remove_all(tmp);
    std::filesystem::create_directories(tmp);
    Counters c;
    std::atomic<int> evaluations{0};
    EngineHooks h = fake_hooks(c, 20, 1);
    add_fake_evaluate(h, 5, 150, &evaluations);
    Workbench wb(h);
    ASSERT_TRUE(wb.document().save(QString::fromStdString((tmp / "p.json").string()), nullptr));
    const QString run = "seqpe";
    const auto report = wb.document().runDir(run) / "eval/extrapolation.json";

    // Cancelled mid-way: no report, the run's state untouched.
    QSignalSpy evaluated(&wb, &Workbench::evaluationFinished);
    wb.evaluate(run);
    ASSERT_TRUE(wait_for([&] { return wb.isEvaluating(run); }));
    // Progress: the length done, the count from the run's eval settings (5 lengths, extend) and an ETA.
    ASSERT_TRUE(wait_for([&] {
        return wb.store().run(run)->activity.startsWith("evaluating: extend L=64 (2/5, about ");
    })) << wb.store().run(run)->activity.toStdString();
    wb.stop(run);
    ASSERT_TRUE(wait_for([&] { return evaluated.count() == 1; }));
    EXPECT_EQ(evaluated.at(0).at(1).value<RunOutcome>(), RunOutcome::Cancelled);
    EXPECT_FALSE(std::filesystem::exists(report)) << "a cancelled evaluation left a report";
    EXPECT_FALSE(wb.store().run(run)->report.has_value());
    EXPECT_NE(wb.store().run(run)->status.state, RunState::Failed);

    // Training completes, then the run evaluates itself (eval.after_training defaults to true),
    // before anything else queued trains.
    wb.document().addRun("b", "rope");
    QSignalSpy trained(&wb, &Workbench::sessionFinished);
    QStringList jobs;
    QObject::connect(&wb, &Workbench::sessionStarted,
                     [&](const QString& r) { jobs << (wb.isEvaluating(r) ? "eval " : "train ") + r; });
    wb.runAll();
    ASSERT_TRUE(wait_for([&] { return trained.count() == 2 && evaluated.count() == 3; }, 20000));
    EXPECT_EQ(jobs, (QStringList{"train seqpe", "eval seqpe", "train b", "eval b"}));
    const RunView* v = wb.store().run(run);
    ASSERT_TRUE(v->report.has_value()) << "the finished evaluation's report was not loaded";
    EXPECT_EQ(v->report->rows.size(), 5u);
    EXPECT_DOUBLE_EQ(v->report->rows.back().ppl, 54.0);
    EXPECT_TRUE(v->activity.isEmpty());
    EXPECT_EQ(evaluations.load(), 2);

    // Queued behind a training job; off when the config says so.
    Counters c2;
    EngineHooks slow = fake_hooks(c2, 100000, 1);
    add_fake_evaluate(slow, 2, 10, nullptr);
    Workbench wb2(slow);
    ASSERT_TRUE(wb2.document().save(QString::fromStdString((tmp / "q.json").string()), nullptr));
    wb2.document().addRun("b", "rope");
    wb2.start("b");
    ASSERT_TRUE(wait_for([&] { return c2.made.load() == 1; }));
    wb2.evaluate("seqpe");
    EXPECT_TRUE(wb2.isQueued("seqpe"));
    EXPECT_FALSE(wb2.isEvaluating("seqpe"));
    QSignalSpy ev2(&wb2, &Workbench::evaluationFinished);
    wb2.stop("b");
    ASSERT_TRUE(wait_for([&] { return ev2.count() == 1; }));
    EXPECT_EQ(ev2.at(0).at(1).value<RunOutcome>(), RunOutcome::Completed);
    std::filesystem::remove_all(tmp);
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
    train(20, 100, 10.0);      // one slow step (a Step while paused): 1000 tokens in 10 s
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
