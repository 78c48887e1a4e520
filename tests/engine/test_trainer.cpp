// Trainer: a tiny run learns; cancellation leaves a checkpoint; resume equals an uninterrupted run;
// pause/step; numerical faults; checkpoints from another shape are refused.
#include "collect_observer.h"
#include "seqpe/common/error.h"
#include "seqpe/engine.h"
#include "seqpe/run_dir.h"
#include "seqpe/trainer.h"
#include "test_util.h"

#include <future>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {

RunResult train(const RunConfig& c, const std::filesystem::path& data, const std::filesystem::path& run, Collect& obs,
                int64_t stop_after = 0) {
    TrainerOptions o;
    o.run_dir = run;
    o.dataset_dir = data;
    o.stop_after_steps = stop_after;
    auto t = make_trainer(c, o);
    return t->run(obs, {});
}

double mean(const std::vector<double>& v, size_t from, size_t to) {
    double s = 0;
    for (size_t i = from; i < to; ++i) s += v[i];
    return s / static_cast<double>(to - from);
}

} // namespace

TEST(Trainer, TinyRunLossFallsAndWritesRunDirectory) {
    TempDir tmp("trainer");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    Collect obs;
    RunConfig c = tiny_lm_config("learned");
    const RunResult r = train(c, data, tmp / "run", obs);
    ASSERT_EQ(r.outcome, RunOutcome::Completed) << r.message;
    EXPECT_EQ(r.step, 30);
    const auto l = obs.losses();
    ASSERT_EQ(l.size(), 30u);
    EXPECT_LT(mean(l, 25, 30), mean(l, 0, 5) - 0.5); // the pattern is learnable: clearly falling
    const RunPaths p{tmp / "run"};
    EXPECT_TRUE(std::filesystem::exists(p.config()));
    EXPECT_TRUE(std::filesystem::exists(p.meta()));
    EXPECT_TRUE(latest_checkpoint(p).has_value());
    EXPECT_EQ(checkpoint_step(*latest_checkpoint(p)), 30);
    const auto st = read_status(p);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->state, RunState::Completed);
    const auto recs = read_metrics(p.metrics());
    int evals = 0;
    for (const auto& rec : recs)
        if (rec.kind == "eval") {
            ++evals;
            EXPECT_GT(*rec.get("ppl"), 1.0);
        }
    EXPECT_EQ(evals, 3); // steps 10, 20 and the final one
    // keep_checkpoints = 2: steps 20 and 30 remain
    EXPECT_FALSE(std::filesystem::exists(p.checkpoint(10)));
    EXPECT_TRUE(std::filesystem::exists(p.checkpoint(20) / "DONE"));
}

TEST(Trainer, SameConfigSeedAndThreadsGiveIdenticalMetrics) {
    TempDir tmp("determinism");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("seqpe"); // the auxiliary samplers and the shift draw too
    c.model.dropout = 0.1;
    c.train.steps = 12;
    c.train.eval_every = 6;
    c.runtime.threads = 2;
    Collect a, b, other;
    ASSERT_EQ(train(c, data, tmp / "a", a).outcome, RunOutcome::Completed);
    ASSERT_EQ(train(c, data, tmp / "b", b).outcome, RunOutcome::Completed);
    ASSERT_EQ(a.records.size(), b.records.size());
    for (size_t i = 0; i < a.records.size(); ++i) {
        ASSERT_EQ(a.records[i].kind, b.records[i].kind);
        for (const char* key : {"loss", "loss_task", "grad_norm", "ppl"}) {
            const auto va = a.records[i].get(key), vb = b.records[i].get(key);
            ASSERT_EQ(va.has_value(), vb.has_value()) << key;
            if (va) {
                EXPECT_EQ(*va, *vb) << a.records[i].kind << " step " << a.records[i].step << " "
                                    << key; // bit-identical
            }
        }
    }
    c.train.seed += 1; // and the seed matters: another seed gives other losses
    ASSERT_EQ(train(c, data, tmp / "c", other).outcome, RunOutcome::Completed);
    EXPECT_NE(a.losses(), other.losses());
}

TEST(Trainer, CancelWritesCheckpointAndResumeEqualsUninterrupted) {
    TempDir tmp("resume");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("seqpe"); // SeqPE: samplers and shift must resume exactly too
    c.model.dropout = 0.1;                 // dropout draws must resume exactly too
    c.train.steps = 16;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 0;

    Collect full;
    ASSERT_EQ(train(c, data, tmp / "full", full).outcome, RunOutcome::Completed);

    Collect a;
    const RunResult ra = train(c, data, tmp / "split", a, 7);
    ASSERT_EQ(ra.outcome, RunOutcome::Cancelled) << ra.message;
    EXPECT_EQ(ra.step, 7);
    const auto ck = latest_checkpoint(RunPaths{tmp / "split"});
    ASSERT_TRUE(ck.has_value());
    EXPECT_EQ(checkpoint_step(*ck), 7);
    Collect b;
    ASSERT_EQ(train(c, data, tmp / "split", b).outcome, RunOutcome::Completed);

    const auto lf = full.losses();
    auto la = a.losses();
    const auto lb = b.losses();
    la.insert(la.end(), lb.begin(), lb.end());
    ASSERT_EQ(lf.size(), la.size());
    for (size_t i = 0; i < lf.size(); ++i) EXPECT_EQ(lf[i], la[i]) << "step " << i + 1; // bit-identical
    // The resumed metrics file holds each step once.
    int train_records = 0;
    for (const auto& rec : read_metrics(RunPaths{tmp / "split"}.metrics())) train_records += rec.kind == "train";
    EXPECT_EQ(train_records, 16);
}

// A budget below the step a stopped run reached is refused before anything is written: never
// clamped, never "completed 5 steps" for a run that did not train (docs/CONFIG.md, train.steps).
TEST(Trainer, ABudgetBelowTheStepReachedIsRefusedAndTheRunIsLeftAsItWas) {
    TempDir tmp("budget");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("learned");
    c.train.steps = 16;
    c.train.eval_every = 0;
    Collect a;
    ASSERT_EQ(train(c, data, tmp / "run", a, 7).outcome, RunOutcome::Cancelled);
    const auto before = read_status(RunPaths{tmp / "run"});
    ASSERT_TRUE(before.has_value());
    c.train.steps = 5;
    Collect b;
    try {
        train(c, data, tmp / "run", b);
        FAIL() << "a budget of 5 below step 7 was accepted";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("train.steps = 5"), std::string::npos) << m;
        EXPECT_NE(m.find("step 7"), std::string::npos) << m;
    }
    EXPECT_TRUE(b.records.empty());
    const auto after = read_status(RunPaths{tmp / "run"});
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->state, RunState::Cancelled);
    EXPECT_EQ(after->step, 7);
    // Its own budget continues it.
    c.train.steps = 16;
    Collect d;
    EXPECT_EQ(train(c, data, tmp / "run", d).outcome, RunOutcome::Completed);
    EXPECT_EQ(d.losses().size(), 9u);
}

TEST(Trainer, StopTokenCancelsWithCheckpoint) {
    TempDir tmp("stop");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("rope");
    c.train.steps = 1000;
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    auto t = make_trainer(c, o);
    std::stop_source src;
    Collect obs;
    obs.hook = [&](const Record& r) {
        if (r.kind == "train" && r.step == 3) src.request_stop();
    };
    const RunResult r = t->run(obs, src.get_token());
    EXPECT_EQ(r.outcome, RunOutcome::Cancelled);
    EXPECT_EQ(r.step, 3);
    EXPECT_EQ(checkpoint_step(*latest_checkpoint(RunPaths{tmp / "run"})), 3);
    EXPECT_EQ(read_status(RunPaths{tmp / "run"})->state, RunState::Cancelled);
}

TEST(Trainer, PauseStepResumeFromAnotherThread) {
    TempDir tmp("pause");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("alibi");
    c.train.steps = 6;
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    o.start_paused = true;
    auto t = make_trainer(c, o);
    Collect obs;
    std::thread worker([&] { (void)t->run(obs, {}); });
    // While paused nothing advances; one step() advances exactly one step; post() runs on the
    // training thread while paused.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(t->current_step(), 0);
    std::promise<std::thread::id> probe;
    t->post([&] { probe.set_value(std::this_thread::get_id()); });
    EXPECT_EQ(probe.get_future().get(), worker.get_id());
    t->step();
    for (int i = 0; i < 200 && t->current_step() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(t->current_step(), 1);
    EXPECT_TRUE(t->is_paused());
    t->resume();
    worker.join();
    EXPECT_EQ(t->current_step(), 6);
    bool saw_paused = false;
    for (const auto& s : obs.statuses) saw_paused |= s.state == RunState::Paused;
    EXPECT_TRUE(saw_paused);
}

TEST(Trainer, NonFiniteLossFailsNamingTheStepAndKeepsCheckpoint) {
    TempDir tmp("nan");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("learned");
    c.optim.lr = 10.0; // absurd: diverges
    c.optim.min_lr = 1.0;
    c.optim.warmup_steps = 0;
    c.optim.grad_clip = 0;
    c.optim.beta2 = 0.5;
    c.train.steps = 300;
    c.train.checkpoint_every = 1;
    Collect obs;
    const RunResult r = train(c, data, tmp / "run", obs);
    ASSERT_EQ(r.outcome, RunOutcome::Failed);
    EXPECT_NE(r.message.find("at step"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("optim.lr"), std::string::npos) << r.message;
    EXPECT_EQ(read_status(RunPaths{tmp / "run"})->state, RunState::Failed);
    const auto ck = latest_checkpoint(RunPaths{tmp / "run"});
    ASSERT_TRUE(ck.has_value());
    EXPECT_EQ(checkpoint_step(*ck), r.step); // the last good step's checkpoint
}

TEST(Trainer, CheckpointOfAnotherShapeIsRefusedWithTheParameterName) {
    TempDir tmp("shape");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("learned");
    c.train.steps = 2;
    Collect obs;
    ASSERT_EQ(train(c, data, tmp / "run", obs).outcome, RunOutcome::Completed);
    RunConfig wide = c;
    wide.model.d_model = 48;
    wide.train.init_from = (tmp / "run").string();
    TrainerOptions o;
    o.run_dir = tmp / "other";
    o.dataset_dir = data;
    try {
        make_trainer(wide, o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("model.pt"), std::string::npos) << m;
        EXPECT_NE(m.find("shape"), std::string::npos) << m;
        EXPECT_EQ(m.rfind("train.init_from: ", 0), 0u) << m;
    }
    // Resuming a run directory with a different model config is refused, naming the field.
    o.run_dir = tmp / "run";
    wide.train.init_from.clear();
    try {
        make_trainer(wide, o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("model.d_model"), std::string::npos) << e.what();
    }
    // A missing init_from names the option and the fix.
    wide = c;
    wide.train.init_from = (tmp / "not-trained-yet").string();
    o.run_dir = tmp / "third";
    try {
        make_trainer(wide, o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("train.init_from: " + wide.train.init_from + " does not exist; train that run first"),
                  std::string::npos)
            << m;
    }
}

TEST(Trainer, BadConfigIsInputErrorListingEveryField) {
    TempDir tmp("bad");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("learned");
    c.model.n_head = 5;
    c.optim.min_lr = 1.0;
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    try {
        make_trainer(c, o);
        FAIL();
    } catch (const InputError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("model.n_head"), std::string::npos);
        EXPECT_NE(m.find("optim.min_lr"), std::string::npos);
    }
}

TEST(Trainer, UnwritableRunDirectoryIsAClearError) {
    TempDir tmp("ro");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    // A run directory below a regular file cannot be created, even by root.
    seqpe::write_file_atomic(tmp / "file", "x");
    TrainerOptions o;
    o.run_dir = tmp / "file" / "run";
    o.dataset_dir = data;
    try {
        make_trainer(tiny_lm_config(), o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find((tmp / "file").string()), std::string::npos) << e.what();
    }
}
