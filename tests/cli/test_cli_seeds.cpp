// Seeds and sweeps through the CLI as a user runs them: validate lists the expansion, train puts
// each seed in its own directory, compare writes mean/sd/min-max beside the per-seed values, info
// summarises a run's seeds.
#include "seqpe/common/files.h"

#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct Result {
    int code = -1;
    std::string out, err;
};

class CliSeeds : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("seqpe-seeds-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "projects");
        ::setenv("SEQPE_CACHE", (dir_ / "cache").c_str(), 1);
        fs::create_directories(dir_ / "tests/fixtures");
        fs::copy(fs::path(SEQPE_SOURCE_DIR) / "tests/fixtures/sotu-excerpt", dir_ / "tests/fixtures/sotu-excerpt");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    // The tiny project with `extra` keys added at the top level.
    std::string project(const std::string& extra) {
        auto j = nlohmann::ordered_json::parse(seqpe::read_file(fs::path(SEQPE_SOURCE_DIR) / "projects/tiny.json"));
        const auto add = nlohmann::ordered_json::parse(extra); // kept alive through the loop
        for (auto it = add.begin(); it != add.end(); ++it) j[it.key()] = it.value();
        const fs::path f = dir_ / "projects/tiny.json";
        seqpe::write_file_atomic(f, j.dump(2));
        return f.string();
    }
    Result run(const std::string& args) {
        const std::string out = (dir_ / "stdout").string(), err = (dir_ / "stderr").string();
        const int st = std::system((std::string(SEQPE_CLI) + " " + args + " >" + out + " 2>" + err).c_str());
        Result r;
        r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.out = seqpe::read_file(out);
        r.err = seqpe::read_file(err);
        return r;
    }
    fs::path runs() const { return dir_ / "runs/tiny"; }
    fs::path dir_;
};

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cells;
        std::istringstream l(line);
        for (std::string c; std::getline(l, c, ',');) cells.push_back(c);
        rows.push_back(cells);
    }
    return rows;
}

} // namespace

TEST_F(CliSeeds, TrainCompareAndInfoUnderstandSeeds) {
    const std::string p = project(R"({"seeds": [1, 2]})");
    const Result v = run("validate " + p);
    ASSERT_EQ(v.code, 0) << v.err;
    for (const char* name : {"seqpe/seed-1", "seqpe/seed-2", "learned/seed-1", "learned/seed-2"})
        EXPECT_NE(v.out.find("run " + std::string(name)), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("4 runs: 2 project run(s) x 1 grid point(s) x 2 seed(s)"), std::string::npos) << v.out;

    ASSERT_EQ(run("train " + p + " --run learned").code, 0);
    for (int s : {1, 2}) {
        const fs::path d = runs() / "learned" / ("seed-" + std::to_string(s));
        ASSERT_TRUE(fs::exists(d / "config.json")) << d;
        EXPECT_EQ(nlohmann::json::parse(seqpe::read_file(d / "config.json"))["config"]["train"]["seed"], s);
    }
    EXPECT_FALSE(fs::exists(runs() / "seqpe")) << "--run learned trained seqpe too";
    // The two seeds differ (else the summary would have nothing to say).
    const Result cmp = run("compare " + p + " --run learned --mode extend");
    ASSERT_EQ(cmp.code, 0) << cmp.err << cmp.out;
    const auto per_run = csv_rows(seqpe::read_file(runs() / "comparison.csv"));
    ASSERT_EQ(per_run[0][0], "run");
    ASSERT_EQ(per_run[0][12], "group");
    std::map<std::string, std::vector<double>> by_length; // length -> per-seed values
    for (size_t i = 1; i < per_run.size(); ++i) {
        EXPECT_EQ(per_run[i][12], "learned");
        EXPECT_TRUE(per_run[i][0] == "learned/seed-1" || per_run[i][0] == "learned/seed-2") << per_run[i][0];
        by_length[per_run[i][5]].push_back(std::stod(per_run[i][9]));
    }
    ASSERT_EQ(by_length.size(), 3u); // 32, 64, 128
    const auto summary = csv_rows(seqpe::read_file(runs() / "comparison-summary.csv"));
    ASSERT_EQ(summary.size(), 4u);
    EXPECT_EQ(summary[0], (std::vector<std::string>{"group", "encoding", "metric", "mode", "length", "depth", "n",
                                                    "mean", "sd", "min", "max", "ci95_lo", "ci95_hi", "values"}));
    for (size_t i = 1; i < summary.size(); ++i) {
        const auto& vals = by_length[summary[i][4]];
        ASSERT_EQ(vals.size(), 2u);
        EXPECT_NE(vals[0], vals[1]) << "two seeds gave identical perplexities";
        EXPECT_EQ(summary[i][6], "2");
        EXPECT_NEAR(std::stod(summary[i][7]), (vals[0] + vals[1]) / 2, 1e-5);
        EXPECT_NEAR(std::stod(summary[i][8]), std::fabs(vals[0] - vals[1]) / std::sqrt(2.0), 1e-5); // sd of two
        EXPECT_NEAR(std::stod(summary[i][9]), std::min(vals[0], vals[1]), 1e-5);
        EXPECT_NEAR(std::stod(summary[i][10]), std::max(vals[0], vals[1]), 1e-5);
        // The t interval of two seeds: mean +- t(0.975, 1) sd / sqrt(2), t = 12.7062047...
        const double half = 12.706204736174698 * std::fabs(vals[0] - vals[1]) / 2;
        EXPECT_NEAR(std::stod(summary[i][11]), (vals[0] + vals[1]) / 2 - half, 1e-4);
        EXPECT_NEAR(std::stod(summary[i][12]), (vals[0] + vals[1]) / 2 + half, 1e-4);
    }
    const auto j = nlohmann::json::parse(seqpe::read_file(runs() / "comparison.json"));
    ASSERT_EQ(j["summary"].size(), 1u);
    EXPECT_EQ(j["summary"][0]["cells"][0]["runs"].size(), 2u);
    // Human output: mean +- sd.
    const Result human = run("compare " + p + " --run learned --mode extend --reuse");
    ASSERT_EQ(human.code, 0) << human.err;
    EXPECT_NE(human.out.find("its report of step 20 is kept"), std::string::npos) << human.out;

    // info on the run's folder: one line per seed and the summary.
    const Result info = run("info " + (runs() / "learned").string());
    ASSERT_EQ(info.code, 0) << info.err;
    EXPECT_NE(info.out.find("2 runs in"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("seed-1"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("completed"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("+-"), std::string::npos) << info.out;
    // A second train skips both completed seeds.
    const Result again = run("train " + p + " --run learned");
    EXPECT_EQ(again.code, 0);
    EXPECT_NE(again.out.find("learned/seed-2: already completed"), std::string::npos) << again.out;
}

TEST_F(CliSeeds, ValidateListsASweepAndRefusesBadOnes) {
    const Result v = run("validate " + project(R"({"sweep": {"optim.lr": [0.001, 0.003], "model.n_head": [1, 2]}})"));
    ASSERT_EQ(v.code, 0) << v.err;
    EXPECT_NE(v.out.find("run seqpe/n_head=1,lr=0.001"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("run learned/n_head=2,lr=0.003"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("8 runs: 2 project run(s) x 4 grid point(s) x 1 seed(s)"), std::string::npos) << v.out;
    const Result bad = run("validate " + project(R"({"sweep": {"optim.lr": [0.001, -1], "model.n_heads": [1]}})"));
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("sweep.optim.lr[1]"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("sweep.model.n_heads: unknown option"), std::string::npos) << bad.err;
    const Result big = run(
        "validate " +
        project(
            R"({"seeds": [1,2,3,4,5,6,7,8,9,10], "sweep": {"train.steps": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51]}})"));
    EXPECT_EQ(big.code, 2);
    EXPECT_NE(big.err.find("expands to 1020 runs, more than max_runs = 1000"), std::string::npos) << big.err;
}

TEST_F(CliSeeds, AnAlgorithmicProjectTrainsComparesAndReportsWithoutADataset) {
    // The shipped reverse project, shrunk by --set: two encodings x two seeds.
    fs::copy_file(fs::path(SEQPE_SOURCE_DIR) / "projects/algo-reverse.json", dir_ / "projects/algo-reverse.json");
    const std::string p = (dir_ / "projects/algo-reverse.json").string();
    const std::string small = " --set train.steps=12 --set model.d_model=32 --set algo.test_examples=10"
                              " --set train.eval_every=0 --set train.snapshot_every=0 --set train.diagnostics_every=0";
    Result r = run("train " + p + " --run rope/seed-1 --run rope/seed-2 --run none/seed-1 --run none/seed-2" + small);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("\"data\""), std::string::npos) << "no dataset is prepared";
    const fs::path runs = dir_ / "runs/algo-reverse";
    const std::string report = seqpe::read_file(runs / "rope/seed-2/eval/extrapolation.json");
    EXPECT_NE(report.find("\"by_position\""), std::string::npos);
    EXPECT_TRUE(fs::exists(runs / "none/seed-1/eval/accuracy_by_position.csv"));

    r = run("compare " + p + " --run rope/seed-1 --run rope/seed-2 --run none/seed-1 --run none/seed-2 --reuse" +
            small);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const auto rows = csv_rows(seqpe::read_file(runs / "comparison.csv"));
    ASSERT_EQ(rows.size(), 1u + 4 * 8); // 4 runs x 8 lengths
    EXPECT_EQ(rows[1][2], "algorithmic");
    EXPECT_EQ(rows[1][8], "em");

    r = run("report " + p);
    ASSERT_EQ(r.code, 1) << r.out << r.err; // 29 planned runs have no report: written, but said
    EXPECT_NE(r.out.find("29 of 33 runs have no report yet"), std::string::npos) << r.out;
    const std::string md = seqpe::read_file(runs / "report/results.md");
    // The setup as trained (--set included) and the seeds that were run, not the project's plan.
    EXPECT_NE(md.find("trained on lengths 1-20 symbols"), std::string::npos) << md;
    EXPECT_NE(md.find("12 steps"), std::string::npos) << md;
    EXPECT_NE(md.find("2 seeds (1, 2)"), std::string::npos) << md;
    EXPECT_NE(md.find("| 20 (train) |"), std::string::npos) << md;

    // Bad task options: one message naming the field, exit 2, before anything trains.
    r = run("train " + p + " --run rope/seed-3 --set algo.train_min_len=30");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("algo.train_min_len: 30 exceeds algo.train_max_len 20"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(runs / "rope/seed-3"));
    r = run("train " + p + " --run rope/seed-3 --set algo.eval_lengths=5,2000");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("algo.eval_lengths"), std::string::npos) << r.out;
    r = run("train " + p + " --run rope/seed-3 --set algo.task=multiply");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("algo.task"), std::string::npos) << r.out;
}
