// `seqpe train --distributed` as a user launches it: two ranks on loopback (Gloo, a free port),
// the torchrun environment, the tiny project on the committed corpus excerpt. Two ranks end with
// the parameters of one process that trains the whole batch; a rank that dies or stalls makes
// rank 0 fail with a clear error within runtime.dist_timeout_s instead of hanging.
#include "seqpe/common/files.h"
#include "seqpe/records.h"
#include "seqpe/run_dir.h"

#include <arpa/inet.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <torch/serialize/input-archive.h>
#include <unistd.h>

extern char** environ;

using namespace seqpe;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A TCP port that is free on loopback right now.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

struct Proc {
    pid_t pid = -1;
    fs::path out, err;
};

Proc spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, const fs::path& out,
           const fs::path& err) {
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        if (!env.count(kv.substr(0, kv.find('=')))) envs.push_back(kv);
    }
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    std::vector<std::string> a = args;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : envs) envp.push_back(s.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    Proc p;
    p.out = out;
    p.err = err;
    if (posix_spawn(&p.pid, SEQPE_CLI, &fa, nullptr, argv.data(), envp.data()) != 0) p.pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return p;
}

// Exit code, or -1 when still running at the deadline (then it is killed).
int wait_exit(Proc& p, double seconds) {
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (true) {
        int st = 0;
        const pid_t r = ::waitpid(p.pid, &st, WNOHANG);
        if (r == p.pid) {
            p.pid = -1;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        if (Clock::now() > deadline) {
            ::kill(p.pid, SIGKILL);
            ::waitpid(p.pid, &st, 0);
            p.pid = -1;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::string slurp(const fs::path& f) {
    std::error_code ec;
    return fs::exists(f, ec) ? read_file(f) : std::string();
}

std::map<std::string, torch::Tensor> load_model(const fs::path& model_pt) {
    torch::serialize::InputArchive ar;
    ar.load_from(model_pt.string());
    std::map<std::string, torch::Tensor> m;
    for (const auto& k : ar.keys()) {
        torch::Tensor t;
        if (!ar.try_read(k, t)) ar.try_read(k, t, /*is_buffer=*/true);
        m[k] = t;
    }
    return m;
}

std::vector<double> train_losses(const fs::path& run) {
    std::vector<double> v;
    for (const auto& r : read_metrics(RunPaths{run}.metrics()))
        if (r.kind == "train") v.push_back(*r.get("loss"));
    return v;
}

class Distributed : public ::testing::Test {
protected:
    void SetUp() override {
#ifndef SEQPE_WITH_C10D
        GTEST_SKIP() << "this build has no c10d (Gloo headers missing at configure time)";
#endif
        dir_ = fs::temp_directory_path() / ("seqpe-dist-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "projects");
        ::setenv("SEQPE_CACHE", (dir_ / "cache").c_str(), 1);
        fs::copy_file(fs::path(SEQPE_SOURCE_DIR) / "projects/tiny.json", dir_ / "projects/tiny.json");
        fs::create_directories(dir_ / "tests/fixtures");
        fs::copy(fs::path(SEQPE_SOURCE_DIR) / "tests/fixtures/sotu-excerpt", dir_ / "tests/fixtures/sotu-excerpt");
    }
    void TearDown() override {
        for (auto& p : procs_)
            if (p.pid > 0) {
                ::kill(p.pid, SIGKILL);
                ::waitpid(p.pid, nullptr, 0);
            }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    // `seqpe train tiny.json --run seqpe --out OUT --set S.. [ARGS..]` (plus --distributed for a rank).
    std::vector<std::string> train_args(const fs::path& out, const std::vector<std::string>& sets,
                                        const std::vector<std::string>& extra, bool distributed) {
        std::vector<std::string> a = {SEQPE_CLI, "train",     (dir_ / "projects/tiny.json").string(), "--run", "seqpe",
                                      "--out",   out.string()};
        // fp32: the one-process comparison is to 1e-4, beyond what bf16 rounding of differently
        // split batches keeps (runtime.precision auto is bf16 on CPUs that have it natively).
        a.push_back("--set");
        a.push_back("runtime.precision=fp32");
        for (const auto& s : sets) {
            a.push_back("--set");
            a.push_back(s);
        }
        a.insert(a.end(), extra.begin(), extra.end());
        if (distributed) a.push_back("--distributed");
        return a;
    }
    // Starts `world` ranks on loopback; rank r writes TAG-rank<r>.out / .err.
    std::vector<Proc*> start_ranks(const std::string& tag, const fs::path& out, const std::vector<std::string>& sets,
                                   const std::vector<std::string>& extra = {}, int world = 2) {
        const int port = free_port();
        std::vector<Proc*> ranks;
        for (int r = 0; r < world; ++r) {
            const std::map<std::string, std::string> env = {
                {"MASTER_ADDR", "127.0.0.1"},          {"MASTER_PORT", std::to_string(port)},
                {"WORLD_SIZE", std::to_string(world)}, {"RANK", std::to_string(r)},
                {"LOCAL_RANK", std::to_string(r)},     {"LOCAL_WORLD_SIZE", std::to_string(world)}};
            const std::string base = tag + "-rank" + std::to_string(r);
            procs_.push_back(
                spawn(train_args(out, sets, extra, true), env, dir_ / (base + ".out"), dir_ / (base + ".err")));
            ranks.push_back(&procs_.back());
        }
        return ranks;
    }
    // Both ranks to the end; their exit codes.
    std::pair<int, int> finish(const std::vector<Proc*>& ranks, double seconds = 120) {
        const int c0 = wait_exit(*ranks[0], seconds);
        return {c0, wait_exit(*ranks[1], seconds)};
    }
    int run_single(const fs::path& out, const std::vector<std::string>& sets) {
        procs_.push_back(spawn(train_args(out, sets, {}, false), {}, dir_ / "single.out", dir_ / "single.err"));
        return wait_exit(procs_.back(), 120);
    }
    // Waits until rank 0 has written `n` train records to OUT/seqpe/metrics.jsonl.
    bool wait_for_steps(const fs::path& out, size_t n, double seconds = 60) {
        const fs::path m = out / "seqpe/metrics.jsonl";
        const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
        while (Clock::now() < deadline) {
            std::error_code ec;
            if (fs::exists(m, ec) && read_metrics(m).size() >= n) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    std::string log_of(const Proc& p) const {
        return slurp(p.out) + slurp(p.err);
    }

    fs::path dir_;
    std::deque<Proc> procs_;
};

// Dropout off (the model's and the SeqPE encoder's): both runs then compute the same function;
// 1 thread per process so that each rank's kernels sum in the same order as the single process's.
const std::vector<std::string> kEqualitySets = {
    "train.steps=5",          "train.eval_every=0", "train.checkpoint_every=0",
    "train.snapshot_every=0", "model.dropout=0",    "position_encoding.seqpe.resid_dropout=0",
    "runtime.threads=1"};

// Largest |a - b| over the tensors of two model.pt files; `key` names where.
double max_difference(const fs::path& a, const fs::path& b, std::string* key) {
    const auto ma = load_model(a), mb = load_model(b);
    EXPECT_EQ(ma.size(), mb.size());
    double worst = 0;
    for (const auto& [k, t] : ma) {
        if (!mb.count(k) || t.sizes() != mb.at(k).sizes()) {
            ADD_FAILURE() << k << " differs in presence or shape";
            return INFINITY;
        }
        const double d = (t - mb.at(k)).abs().max().item<double>();
        if (d > worst) {
            worst = d;
            *key = k;
        }
    }
    return worst;
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

} // namespace

TEST_F(Distributed, TwoGlooProcessesEqualOneProcessWithTheCombinedBatch) {
    auto t = Clock::now();
    ASSERT_EQ(run_single(dir_ / "single", kEqualitySets), 0) << slurp(dir_ / "single.err");
    const double single_s = seconds_since(t);
    t = Clock::now();
    auto ranks = start_ranks("dist", dir_ / "dist", kEqualitySets);
    const auto [c0, c1] = finish(ranks);
    ASSERT_EQ(c0, 0) << log_of(*ranks[0]);
    ASSERT_EQ(c1, 0) << log_of(*ranks[1]);
    const double dist_s = seconds_since(t);

    // Only rank 0 writes the run directory; it reports the all-reduced loss of each step.
    const fs::path single = dir_ / "single/seqpe", dist = dir_ / "dist/seqpe";
    const auto ls = train_losses(single), ld = train_losses(dist);
    ASSERT_EQ(ls.size(), 5u);
    ASSERT_EQ(ld.size(), 5u);
    for (size_t i = 0; i < ls.size(); ++i) EXPECT_NEAR(ld[i], ls[i], 1e-5 * std::abs(ls[i])) << "step " << i + 1;
    EXPECT_EQ(slurp(ranks[1]->out).find("\"kind\":\"train\""), std::string::npos) << "rank 1 must not report records";

    // The parameters after 5 AdamW steps (lr 0.003, warm-up 5). The ranks' partial gradients are
    // summed by the all-reduce instead of inside one kernel: float rounding (~1e-7 relative),
    // which Adam's normalisation can lift to a small fraction of lr for gradients near zero.
    const auto cs = latest_checkpoint(RunPaths{single}), cd = latest_checkpoint(RunPaths{dist});
    ASSERT_TRUE(cs && cd);
    EXPECT_EQ(checkpoint_step(*cs), 5);
    EXPECT_EQ(checkpoint_step(*cd), 5);
    std::string key;
    const double worst = max_difference(*cs / "model.pt", *cd / "model.pt", &key);
    EXPECT_LT(worst, 1e-4) << "largest difference in " << key;
    std::printf("[ distributed ] max |param(2 ranks) - param(1 process)| after 5 steps = %.3g (%s); "
                "1 process %.1f s, 2 ranks %.1f s\n",
                worst, key.c_str(), single_s, dist_s);
}

TEST_F(Distributed, CtrlCOnOneRankStopsEveryRankAndTheJobResumesFromTheSharedRunDirectory) {
    // A constant learning rate after the warm-up: the schedule does not depend on train.steps,
    // so a run stopped and resumed with a new train.steps equals one trained straight through.
    std::vector<std::string> sets = kEqualitySets;
    sets.push_back("optim.schedule=constant");
    sets.push_back("train.steps=100000");
    auto ranks = start_ranks("first", dir_ / "split", sets);
    ASSERT_TRUE(wait_for_steps(dir_ / "split", 3)) << log_of(*ranks[0]) << log_of(*ranks[1]);
    ::kill(ranks[1]->pid, SIGINT); // one rank only: the ranks agree to stop after the same step
    const auto [a0, a1] = finish(ranks, 60);
    EXPECT_EQ(a0, 130) << log_of(*ranks[0]);
    EXPECT_EQ(a1, 130) << log_of(*ranks[1]);
    const auto ck = latest_checkpoint(RunPaths{dir_ / "split/seqpe"});
    ASSERT_TRUE(ck.has_value());
    const int64_t stopped = checkpoint_step(*ck);
    EXPECT_GE(stopped, 3);

    // Both ranks resume from rank 0's checkpoint and train 2 more steps.
    sets.back() = "train.steps=" + std::to_string(stopped + 2);
    auto resumed = start_ranks("resume", dir_ / "split", sets);
    const auto [b0, b1] = finish(resumed);
    ASSERT_EQ(b0, 0) << log_of(*resumed[0]);
    ASSERT_EQ(b1, 0) << log_of(*resumed[1]);
    EXPECT_NE(log_of(*resumed[1]).find("resume at step " + std::to_string(stopped)), std::string::npos)
        << log_of(*resumed[1]);
    EXPECT_EQ(train_losses(dir_ / "split/seqpe").size(), static_cast<size_t>(stopped + 2)); // each step once

    auto straight = start_ranks("straight", dir_ / "straight", sets);
    const auto [s0, s1] = finish(straight);
    ASSERT_EQ(s0, 0) << log_of(*straight[0]);
    ASSERT_EQ(s1, 0) << log_of(*straight[1]);
    const auto lr = train_losses(dir_ / "split/seqpe"), ls = train_losses(dir_ / "straight/seqpe");
    ASSERT_EQ(lr.size(), ls.size());
    for (size_t i = 0; i < ls.size(); ++i) EXPECT_EQ(lr[i], ls[i]) << "step " << i + 1; // same machine: bit-identical
    std::string key;
    EXPECT_EQ(max_difference(*latest_checkpoint(RunPaths{dir_ / "split/seqpe"}) / "model.pt",
                             *latest_checkpoint(RunPaths{dir_ / "straight/seqpe"}) / "model.pt", &key),
              0.0)
        << key;
}

TEST_F(Distributed, ARankThatDiesMakesRank0FailWithAClearErrorInsteadOfHanging) {
    std::vector<std::string> sets = kEqualitySets;
    sets.push_back("train.steps=100000");
    sets.push_back("runtime.dist_timeout_s=5");
    auto ranks = start_ranks("die", dir_ / "die", sets);
    ASSERT_TRUE(wait_for_steps(dir_ / "die", 3)) << log_of(*ranks[0]) << log_of(*ranks[1]);
    ::kill(ranks[1]->pid, SIGKILL);
    wait_exit(*ranks[1], 5);
    const auto t = Clock::now();
    const int code = wait_exit(*ranks[0], 30);
    const double took = seconds_since(t);
    const std::string log = log_of(*ranks[0]);
    EXPECT_EQ(code, 1) << log;
    EXPECT_LT(took, 5.0 + 5.0) << "rank 0 took " << took << " s to notice";
    EXPECT_NE(log.find("another rank has probably died"), std::string::npos) << log;
    EXPECT_NE(log.find("runtime.dist_timeout_s = 5 s"), std::string::npos) << log;
    std::printf("[ distributed ] rank 0 failed %.2f s after rank 1 was killed\n", took);
}

TEST_F(Distributed, AStalledRankMakesRank0FailAfterTheTimeout) {
    std::vector<std::string> sets = kEqualitySets;
    sets.push_back("train.steps=100000");
    sets.push_back("runtime.dist_timeout_s=3");
    auto ranks = start_ranks("stall", dir_ / "stall", sets);
    ASSERT_TRUE(wait_for_steps(dir_ / "stall", 3)) << log_of(*ranks[0]) << log_of(*ranks[1]);
    ::kill(ranks[1]->pid, SIGSTOP); // alive but silent: only the timeout can tell
    const auto t = Clock::now();
    const int code = wait_exit(*ranks[0], 40);
    const double took = seconds_since(t);
    ::kill(ranks[1]->pid, SIGKILL);
    wait_exit(*ranks[1], 5);
    const std::string log = log_of(*ranks[0]);
    EXPECT_EQ(code, 1) << log;
    EXPECT_GE(took, 2.0) << log;
    EXPECT_LT(took, 3.0 + 10.0) << log;
    EXPECT_NE(log.find("runtime.dist_timeout_s = 3 s"), std::string::npos) << log;
    std::printf("[ distributed ] rank 0 failed %.2f s after rank 1 stalled (timeout 3 s)\n", took);
}
