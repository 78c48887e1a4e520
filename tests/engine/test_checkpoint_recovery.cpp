// Damaged checkpoints: DONE's checksums find them before loading; a resume falls back to the
// newest complete checkpoint, sets the damaged one aside (never deletes it) and then trains
// exactly as an uninterrupted run; evaluation and export name a damaged checkpoint they refuse.
#include "collect_observer.h"
#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/export.h"
#include "seqpe/run_dir.h"
#include "seqpe/trainer.h"
#include "test_util.h"

#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {

RunResult train(const RunConfig& c, const fs::path& data, const fs::path& run, Collect& obs, int64_t stop_after = 0) {
    TrainerOptions o;
    o.run_dir = run;
    o.dataset_dir = data;
    o.stop_after_steps = stop_after;
    return make_trainer(c, o)->run(obs, {});
}

RunConfig config() {
    RunConfig c = tiny_lm_config("seqpe");
    c.train.steps = 12;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 4;
    return c;
}

enum class Damage { Empty, Truncated, NotACheckpoint, SameSizeGarbage, TrainerStateGarbage };

void damage(const fs::path& ck, Damage how) {
    const fs::path model = ck / "model.pt";
    const std::string bytes = read_file(model);
    switch (how) {
    case Damage::Empty:
        write_file_atomic(model, "");
        break;
    case Damage::Truncated:
        write_file_atomic(model, bytes.substr(0, bytes.size() / 2));
        break;
    case Damage::NotACheckpoint:
        write_file_atomic(model, "this is not a checkpoint\n");
        break;
    case Damage::SameSizeGarbage: {
        std::string g = bytes;
        for (size_t i = g.size() / 3; i < g.size() / 3 + 64; ++i) g[i] = static_cast<char>(g[i] ^ 0x5a);
        write_file_atomic(model, g); // the size matches DONE: only the checksum finds it
        break;
    }
    case Damage::TrainerStateGarbage:
        write_file_atomic(ck / "trainer.json", "{\"step\": ");
        break;
    }
}

struct Fixture {
    TempDir tmp{"ckrecover"};
    fs::path data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    std::vector<double> full_losses;
    Fixture() {
        Collect full;
        EXPECT_EQ(train(config(), data, tmp / "full", full).outcome, RunOutcome::Completed);
        full_losses = full.losses();
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// A quick evaluation of a run of the fixture's data (one length, 256 tokens, no files written).
EvalOptions short_eval() {
    EvalOptions o;
    o.dataset_dir = fixture().data;
    o.lengths = {16};
    o.mode = "extend";
    o.max_tokens = 256;
    o.write_files = false;
    return o;
}

// The tests' starting point: a run stopped after step 8, with checkpoints at steps 4 and 8.
bool stopped_at_8(const fs::path& run, Collect& obs) {
    return train(config(), fixture().data, run, obs, 8).outcome == RunOutcome::Cancelled;
}

} // namespace

TEST(CheckpointRecovery, DoneRecordsSizesAndChecksumsOfEveryFile) {
    const RunPaths p{fixture().tmp / "full"};
    const auto list = list_checkpoints(p);
    ASSERT_EQ(list.size(), 2u); // keep_checkpoints = 2: steps 12 and 8
    EXPECT_EQ(list[0].step, 12);
    EXPECT_EQ(list[1].step, 8);
    for (const auto& ck : list) {
        EXPECT_EQ(ck.health, CheckpointHealth::Complete) << ck.problem;
        EXPECT_GT(ck.bytes, 1000u);
        EXPECT_FALSE(ck.time.empty());
    }
    const std::string done = read_file(list[0].dir / "DONE");
    for (const char* part : {"seqpe-checkpoint/1", "\"model.pt\"", "\"optim.pt\"", "\"trainer.json\"", "sha256"})
        EXPECT_NE(done.find(part), std::string::npos) << part << " missing from DONE:\n" << done;
}

class DamagedNewest : public ::testing::TestWithParam<Damage> {};

TEST_P(DamagedNewest, ResumeFallsBackSetsItAsideAndMatchesAnUninterruptedRun) {
    Fixture& f = fixture();
    const fs::path run = f.tmp / ("split-" + std::to_string(static_cast<int>(GetParam())));
    Collect a;
    ASSERT_TRUE(stopped_at_8(run, a));
    const RunPaths p{run};
    ASSERT_EQ(list_checkpoints(p).size(), 2u); // steps 8 and 4
    damage(p.checkpoint(8), GetParam());

    // Found before loading (sizes or checksums), except a trainer.json that still has its size.
    const CheckpointInfo info = inspect_checkpoint(p.checkpoint(8));
    EXPECT_EQ(info.health, CheckpointHealth::Damaged);
    EXPECT_NE(info.problem.find(GetParam() == Damage::TrainerStateGarbage ? "trainer.json" : "model.pt"),
              std::string::npos)
        << info.problem;
    EXPECT_EQ(*latest_checkpoint(p), p.checkpoint(4));

    Collect b;
    const RunResult rb = train(config(), f.data, run, b);
    ASSERT_EQ(rb.outcome, RunOutcome::Completed) << rb.message;
    EXPECT_TRUE(b.logged("step-00000008 is damaged")) << "no warning naming the damaged checkpoint";
    EXPECT_TRUE(b.logged("resuming from step-00000004"));
    // Kept aside, byte for byte, never loaded again.
    EXPECT_TRUE(fs::exists(run / "checkpoints" / "step-00000008.damaged" / "model.pt"));
    // Steps 5..12 of the resumed run are the uninterrupted run's, bit for bit.
    const auto la = a.losses(), lb = b.losses();
    ASSERT_EQ(la.size(), 8u);
    ASSERT_EQ(lb.size(), 8u);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(la[i], f.full_losses[i]) << "step " << i + 1;
    for (size_t i = 0; i < 8; ++i) EXPECT_EQ(lb[i], f.full_losses[i + 4]) << "step " << i + 5;
    // The metrics file holds each step once (steps 5..8 of the first session were replaced).
    int train_records = 0;
    for (const auto& rec : read_metrics(p.metrics())) train_records += rec.kind == "train";
    EXPECT_EQ(train_records, 12);
    // The set-aside checkpoint is listed as damaged, the new step 8 as complete.
    bool aside = false, renewed = false;
    for (const auto& ck : list_checkpoints(p)) {
        if (ck.set_aside && ck.step == 8) aside = ck.health == CheckpointHealth::Damaged;
        if (!ck.set_aside && ck.step == 12) renewed = ck.health == CheckpointHealth::Complete;
    }
    EXPECT_TRUE(aside);
    EXPECT_TRUE(renewed);
}

INSTANTIATE_TEST_SUITE_P(Ways, DamagedNewest,
                         ::testing::Values(Damage::Empty, Damage::Truncated, Damage::NotACheckpoint,
                                           Damage::SameSizeGarbage, Damage::TrainerStateGarbage));

TEST(CheckpointRecovery, OlderCheckpointWithoutChecksumsFallsBackWhenItFailsToLoad) {
    Fixture& f = fixture();
    const fs::path run = f.tmp / "legacy";
    Collect a;
    ASSERT_TRUE(stopped_at_8(run, a));
    const RunPaths p{run};
    // As written before checksums existed: an empty DONE.
    for (int s : {4, 8}) write_file_atomic(p.checkpoint(s) / "DONE", "");
    EXPECT_EQ(inspect_checkpoint(p.checkpoint(8)).health, CheckpointHealth::Unverified);
    damage(p.checkpoint(8), Damage::Truncated);
    EXPECT_EQ(inspect_checkpoint(p.checkpoint(8)).health, CheckpointHealth::Unverified); // nothing to compare with
    // Evaluation passes over it (it fails to read) and leaves the run directory as it is.
    Collect e;
    EXPECT_EQ(evaluate_run(run, short_eval(), e, {}).step, 4);
    EXPECT_TRUE(e.logged("step-00000008 is damaged")) << "no warning";
    EXPECT_TRUE(fs::exists(p.checkpoint(8))) << "an evaluation renamed a checkpoint";
    Collect b;
    const RunResult rb = train(config(), f.data, run, b);
    ASSERT_EQ(rb.outcome, RunOutcome::Completed) << rb.message;
    EXPECT_TRUE(b.logged("step-00000008 is damaged"));
    EXPECT_TRUE(fs::exists(run / "checkpoints" / "step-00000008.damaged"));
    const auto lb = b.losses();
    ASSERT_EQ(lb.size(), 8u);
    for (size_t i = 0; i < 8; ++i) EXPECT_EQ(lb[i], f.full_losses[i + 4]) << "step " << i + 5;
}

TEST(CheckpointRecovery, EveryCheckpointDamagedStartsAgainAndSaysSo) {
    Fixture& f = fixture();
    const fs::path run = f.tmp / "alldamaged";
    Collect a;
    ASSERT_TRUE(stopped_at_8(run, a));
    const RunPaths p{run};
    damage(p.checkpoint(8), Damage::Empty);
    damage(p.checkpoint(4), Damage::NotACheckpoint);
    Collect b;
    ASSERT_EQ(train(config(), f.data, run, b).outcome, RunOutcome::Completed);
    EXPECT_TRUE(b.logged("no earlier complete checkpoint: starting from step 0"));
    EXPECT_EQ(b.losses(), f.full_losses);
    EXPECT_TRUE(fs::exists(run / "checkpoints" / "step-00000004.damaged"));
}

TEST(CheckpointRecovery, ExplicitDamagedCheckpointIsRefusedNamingTheStep) {
    Fixture& f = fixture();
    const fs::path run = f.tmp / "explicit";
    Collect a;
    ASSERT_TRUE(stopped_at_8(run, a));
    const RunPaths p{run};
    damage(p.checkpoint(8), Damage::Truncated);
    try {
        require_usable_checkpoint(p.checkpoint(8));
        FAIL() << "a damaged checkpoint was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("step 8"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("model.pt"), std::string::npos) << e.what();
    }
    // Export of the damaged step is refused with it named; the run's newest complete one exports.
    EXPECT_THROW(export_safetensors(p.checkpoint(8), f.tmp / "x.safetensors"), InputError);
    EXPECT_NO_THROW(export_safetensors(run, f.tmp / "y.safetensors"));
    // Evaluation passes over it with a warning naming it.
    Collect e;
    const EvalReport rep = evaluate_run(run, short_eval(), e, {});
    EXPECT_EQ(rep.step, 4);
    EXPECT_TRUE(e.logged("step-00000008 is damaged")) << "no warning";
}

TEST(CheckpointRecovery, VerifiedCheckpointOfAnotherModelIsAnErrorNotDamage) {
    Fixture& f = fixture();
    const fs::path run = f.tmp / "other-model";
    Collect a;
    ASSERT_TRUE(stopped_at_8(run, a));
    RunConfig learned = config();
    learned.position_encoding.type = "learned";
    Collect l;
    ASSERT_EQ(train(learned, f.data, f.tmp / "learned", l, 4).outcome, RunOutcome::Cancelled);
    // step 8 now holds another model's weights, with checksums that match them.
    const fs::path ck = RunPaths{run}.checkpoint(8);
    fs::copy_file(RunPaths{f.tmp / "learned"}.checkpoint(4) / "model.pt", ck / "model.pt",
                  fs::copy_options::overwrite_existing);
    std::map<std::string, std::pair<uint64_t, std::string>> files;
    for (const char* n : {"model.pt", "optim.pt", "trainer.json"})
        files[n] = {fs::file_size(ck / n), sha256_file(ck / n)};
    write_file_atomic(ck / "DONE", checkpoint_done_json(files, 8));
    ASSERT_EQ(inspect_checkpoint(ck).health, CheckpointHealth::Complete);
    Collect b;
    EXPECT_THROW(train(config(), f.data, run, b), InputError);
    EXPECT_FALSE(fs::exists(run / "checkpoints" / "step-00000008.damaged")) << "a verified checkpoint was set aside";
}
