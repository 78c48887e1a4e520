// SIGKILL at random moments, then resume: every time the run directory holds a checkpoint that
// loads, and the run finally completes. A full disk (RLIMIT_FSIZE) fails the checkpoint write with
// a clear message and keeps the previous checkpoint.
#include "../support/tiny_project.h"
#include "seqpe/common/files.h"
#include "seqpe/config_io.h"
#include "seqpe/run_dir.h"
#include "train/checkpoint.h"
#include "train/task.h"

#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <random>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;
namespace fs = std::filesystem;
using namespace seqpe;

namespace {

fs::path make_project(const std::string& tag) {
    const fs::path dir = test::make_tiny_project("rel-" + tag);
    ::setenv("SEQPE_CACHE", (dir / "cache").c_str(), 1); // its own cache: processes are killed mid-preparation
    return dir;
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& out) {
    std::vector<std::string> a = args;
    std::vector<char*> argv;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

// Every complete checkpoint of the run loads into the run's model; the newest is `latest`.
int64_t check_run(const fs::path& run) {
    const RunPaths p{run};
    const auto latest = latest_checkpoint(p);
    if (!latest) return -1;
    (void)read_run_config(p); // the config stays readable
    for (const auto& e : fs::directory_iterator(p.checkpoints())) {
        if (checkpoint_step(e.path()) < 0 || !fs::exists(e.path() / "DONE")) continue;
        EXPECT_TRUE(fs::exists(e.path() / "model.pt")) << e.path();
        EXPECT_TRUE(fs::exists(e.path() / "trainer.json")) << e.path();
        EXPECT_EQ(read_trainer_state(e.path()).step, checkpoint_step(e.path()));
    }
    (void)read_metrics(p.metrics()); // a killed writer's partial last line is tolerated
    return checkpoint_step(*latest);
}

} // namespace

TEST(Reliability, KillLoopAlwaysLeavesAResumableRun) {
    const fs::path dir = make_project("kill");
    const fs::path run = dir / "runs/tiny/learned";
    const std::vector<std::string> base = {SEQPE_CLI,
                                           "train",
                                           (dir / "projects/tiny.json").string(),
                                           "--run",
                                           "learned",
                                           "--set",
                                           "train.steps=100000",
                                           "--set",
                                           "train.checkpoint_every=2",
                                           "--set",
                                           "train.eval_every=0",
                                           "--set",
                                           "train.snapshot_every=7"};
    std::mt19937 rng(12345);
    int survived = 0;
    int64_t last = -1;
    const int iterations = 25;
    for (int i = 0; i < iterations; ++i) {
        const pid_t pid = spawn(base, dir / "out.jsonl");
        ASSERT_GT(pid, 0);
        // Random moments: during start-up, data preparation, training, checkpoint writes. Every
        // fifth life lasts until a new checkpoint exists (then dies at once), so that the run
        // progresses however loaded the machine is.
        if (i % 5 == 4) {
            for (int waited = 0; waited < 60000; waited += 20) {
                const auto ck = latest_checkpoint(RunPaths{run});
                if (ck && checkpoint_step(*ck) > std::max<int64_t>(last, 0)) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 1200));
        }
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        const int64_t step = check_run(run);
        if (step >= 0) {
            EXPECT_GE(step, last) << "a resumed run never goes back before its newest checkpoint";
            last = step;
        }
        ++survived;
    }
    ASSERT_GT(last, 0) << "no checkpoint was ever completed";
    // Finally it resumes and completes.
    std::vector<std::string> finish = base;
    finish[7] = "train.steps=" + std::to_string(last + 4);
    const pid_t pid = spawn(finish, dir / "out.jsonl");
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
    EXPECT_EQ(read_status(RunPaths{run})->state, RunState::Completed);
    EXPECT_EQ(check_run(run), last + 4);
    RecordProperty("kill_iterations_survived", survived);
    std::printf("kill loop: %d of %d iterations left a resumable run; newest checkpoint step %lld\n", survived,
                iterations, static_cast<long long>(last));
    // No leftovers of killed checkpoint writers remain after a clean save.
    for (const auto& e : fs::directory_iterator(RunPaths{run}.checkpoints()))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    fs::remove_all(dir);
}

TEST(Reliability, FullDiskKeepsThePreviousCheckpoint) {
    const fs::path dir = make_project("disk");
    const fs::path run = dir / "runs/tiny/learned";
    const std::string cli = SEQPE_CLI, proj = (dir / "projects/tiny.json").string();
    ASSERT_EQ(std::system((cli + " train " + proj + " --run learned --set train.steps=4 > /dev/null").c_str()), 0);
    ASSERT_EQ(check_run(run), 4);
    // Files may grow to 8 KB: the next checkpoint (model.pt is ~100 KB) cannot be written.
    const std::string cmd = "sh -c 'trap \"\" XFSZ; ulimit -f 8; exec " + cli + " train " + proj +
                            " --run learned --set train.steps=8' > " + (dir / "out.jsonl").string() + " 2>&1";
    const int st = std::system(cmd.c_str());
    EXPECT_EQ(WEXITSTATUS(st), 1);
    const std::string out = read_file(dir / "out.jsonl");
    EXPECT_NE(out.find("previous checkpoint is kept"), std::string::npos) << out;
    EXPECT_EQ(check_run(run), 4) << "the step-4 checkpoint is still the newest complete one";
    EXPECT_EQ(read_status(RunPaths{run})->state, RunState::Failed);
    // With space again, the run resumes from step 4 and completes.
    EXPECT_EQ(std::system((cli + " train " + proj + " --run learned --set train.steps=8 > /dev/null").c_str()), 0);
    EXPECT_EQ(check_run(run), 8);
    fs::remove_all(dir);
}
