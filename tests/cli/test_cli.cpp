// `seqpe` run as a user runs it: the tiny project on the committed corpus excerpt, bad input of
// every kind (exit code 2 with one line naming the file or field), Ctrl-C (exit 130, checkpoint,
// resume), eval/info/validate.
#include "seqpe/checkpoints.h"
#include "seqpe/common/files.h"
#include "seqpe/records.h"
#include "seqpe/run_dir.h"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace seqpe;
namespace fs = std::filesystem;

namespace {

struct Result {
    int code = -1;
    std::string out, err;
};

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("seqpe-cli-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        ::setenv("SEQPE_CACHE", (dir_ / "cache").c_str(), 1);
        // The tiny project reads the corpus excerpt relative to its own folder.
        fs::create_directories(dir_ / "projects");
        fs::copy_file(fs::path(SEQPE_SOURCE_DIR) / "projects/tiny.json", dir_ / "projects/tiny.json");
        fs::create_directories(dir_ / "tests/fixtures");
        fs::copy(fs::path(SEQPE_SOURCE_DIR) / "tests/fixtures/sotu-excerpt", dir_ / "tests/fixtures/sotu-excerpt");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    Result run(const std::string& args) {
        const std::string out = (dir_ / "stdout").string(), err = (dir_ / "stderr").string();
        const std::string cmd = std::string(SEQPE_CLI) + " " + args + " >" + out + " 2>" + err;
        const int st = std::system(cmd.c_str());
        Result r;
        r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        r.out = read_file(out);
        r.err = read_file(err);
        return r;
    }
    std::string project() const { return (dir_ / "projects/tiny.json").string(); }
    fs::path runs() const { return dir_ / "runs/tiny"; }
    fs::path dir_;
};

std::vector<nlohmann::json> json_lines(const std::string& s) {
    std::vector<nlohmann::json> v;
    size_t start = 0;
    while (start < s.size()) {
        size_t nl = s.find('\n', start);
        if (nl == std::string::npos) nl = s.size();
        if (nl > start) v.push_back(nlohmann::json::parse(s.substr(start, nl - start))); // throws if not JSON
        start = nl + 1;
    }
    return v;
}

int count_lines(const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

} // namespace

TEST_F(Cli, TrainsTheTinyProjectWithJsonLinesThenEvaluatesAndSummarises) {
    const Result r = run("train " + project());
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    int train_records = 0, done = 0;
    double first = -1, last = -1;
    for (const auto& j : json_lines(r.out)) { // not a terminal: every line is a JSON object
        if (j["kind"] == "train" && j["run"] == "learned") {
            ++train_records;
            if (first < 0) first = j["loss"];
            last = j["loss"];
        }
        if (j["kind"] == "done") {
            ++done;
            EXPECT_EQ(j["outcome"], "completed");
        }
    }
    EXPECT_EQ(train_records, 20);
    EXPECT_EQ(done, 2);
    EXPECT_LT(last, first);
    for (const char* run_name : {"seqpe", "learned"}) {
        const RunPaths p{runs() / run_name};
        EXPECT_EQ(read_status(p)->state, RunState::Completed);
        EXPECT_TRUE(latest_checkpoint(p).has_value());
    }
    // A second invocation skips completed runs.
    const Result again = run("train " + project());
    EXPECT_EQ(again.code, 0);
    EXPECT_NE(again.out.find("already completed"), std::string::npos);

    const Result ev = run("eval " + (runs() / "seqpe").string() + " --mode both");
    ASSERT_EQ(ev.code, 0) << ev.err;
    const auto report = json_lines(ev.out).back();
    EXPECT_EQ(report["rows"].size(), 6u);
    EXPECT_TRUE(fs::exists(runs() / "seqpe/eval/extrapolation.csv"));
    const Result info = run("info " + (runs() / "learned").string());
    EXPECT_EQ(info.code, 0);
    EXPECT_NE(info.out.find("completed at step 20"), std::string::npos) << info.out;

    // The comparison: every run x every length (tiny: 32 x {1, 2, 4}) in one table, CSV and JSON,
    // with the same numbers as the single run's evaluation above.
    const Result cmp = run("compare " + project() + " --mode both");
    ASSERT_EQ(cmp.code, 0) << cmp.err << cmp.out;
    const std::string csv = read_file(runs() / "comparison.csv");
    std::vector<std::string> lines;
    for (size_t at = 0, nl; (nl = csv.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(csv.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 1u + 2 * 3 * 2) << csv; // header + {seqpe, learned} x {32, 64, 128} x {extend, interpolate}
    EXPECT_EQ(lines[0].rfind("run,encoding,task,split,mode,length,", 0), 0u) << lines[0];
    for (const char* want : {"seqpe,seqpe,lm,test,extend,128,", "learned,learned,lm,test,interpolate,64,"})
        EXPECT_NE(csv.find(want), std::string::npos) << want << "\n" << csv;
    const auto table = nlohmann::json::parse(read_file(runs() / "comparison.json"));
    EXPECT_EQ(table["project"], "tiny");
    ASSERT_EQ(table["reports"].size(), 2u);
    for (const auto& rep : table["reports"]) {
        if (rep["encoding"] != "seqpe") continue;
        ASSERT_EQ(rep["rows"].size(), report["rows"].size());
        for (size_t i = 0; i < report["rows"].size(); ++i)
            EXPECT_DOUBLE_EQ(rep["rows"][i]["ppl"].get<double>(), report["rows"][i]["ppl"].get<double>())
                << "row " << i;
    }
    EXPECT_TRUE(fs::exists(runs() / "learned/eval/extrapolation.json"));
    // Every evaluation states its measurement error and the per-byte numbers.
    for (const auto& row : report["rows"]) {
        EXPECT_LT(row["ci_lo"].get<double>(), row["ppl"].get<double>());
        EXPECT_GT(row["ci_hi"].get<double>(), row["ppl"].get<double>());
        EXPECT_GT(row["bits_per_byte"].get<double>(), 0.0);
    }

    // Tables for a paper: one seed per encoding, so each cell carries its evaluation's interval (†).
    const Result rep = run("report " + project());
    ASSERT_EQ(rep.code, 0) << rep.err << rep.out;
    const std::string md = read_file(runs() / "report/results.md");
    EXPECT_NE(md.find("| seqpe |"), std::string::npos) << md;
    EXPECT_NE(md.find(" † |"), std::string::npos) << md;
    const std::string tex = read_file(runs() / "report/results.tex");
    EXPECT_NE(tex.find("\\begin{tabular}"), std::string::npos) << tex;
    EXPECT_NE(tex.find("1 layer, width 32, 2 heads"), std::string::npos) << tex; // the setup in the caption

    // The newest checkpoint damaged on disk: info marks it, eval passes over it with a warning.
    const RunPaths learned{runs() / "learned"};
    const auto cks = list_checkpoints(learned);
    ASSERT_GE(cks.size(), 2u);
    fs::resize_file(cks[0].dir / "model.pt", 10);
    const Result dinfo = run("info " + learned.root.string());
    EXPECT_EQ(dinfo.code, 0);
    const size_t line = dinfo.out.find("  " + cks[0].dir.filename().string());
    ASSERT_NE(line, std::string::npos) << dinfo.out;
    EXPECT_EQ(dinfo.out.substr(line, dinfo.out.find('\n', line) - line).find("damaged") == std::string::npos, false)
        << dinfo.out;
    EXPECT_NE(dinfo.out.find("model.pt: 10 bytes"), std::string::npos) << dinfo.out;
    const auto jinfo = nlohmann::json::parse(run("--json info " + learned.root.string()).out);
    EXPECT_EQ(jinfo["checkpoints"][0]["state"], "damaged");
    EXPECT_EQ(jinfo["checkpoints"][1]["state"], "complete");
    const Result dev = run("eval " + learned.root.string());
    ASSERT_EQ(dev.code, 0) << dev.err << dev.out;
    EXPECT_NE(dev.out.find("is damaged"), std::string::npos) << dev.out;
    EXPECT_EQ(json_lines(dev.out).back()["step"], cks[1].step);

    // learned's newest usable checkpoint is now short of its 20 steps: compare leaves it out, naming
    // the step (it would enter the tables as if finished), unless --partial.
    const Result part = run("compare " + project());
    EXPECT_EQ(part.code, 1) << part.out;
    EXPECT_NE(part.out.find("run learned: not finished (its newest usable checkpoint is step " +
                            std::to_string(cks[1].step) + " of 20)"),
              std::string::npos)
        << part.out;
    EXPECT_EQ(nlohmann::json::parse(read_file(runs() / "comparison.json"))["reports"].size(), 1u);
    const Result whole = run("compare " + project() + " --partial");
    ASSERT_EQ(whole.code, 0) << whole.out;
    const auto both = nlohmann::json::parse(read_file(runs() / "comparison.json"))["reports"];
    ASSERT_EQ(both.size(), 2u);
    for (const auto& r : both) {
        if (r["encoding"] == "learned") {
            EXPECT_EQ(r["step"], cks[1].step);
        }
    }
}

TEST_F(Cli, BadConfigsExitTwoWithOneLinePerProblem) {
    write_file_atomic(dir_ / "bad.json", R"({"model": {"n_layers": 3, "n_head": 5}, "optim": {"lr": "fast"}})");
    Result r = run("train " + (dir_ / "bad.json").string());
    EXPECT_EQ(r.code, 2);
    const auto lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 1u);
    const std::string msg = lines[0]["message"];
    EXPECT_NE(msg.find("bad.json: model.n_layers: unknown option; did you mean model.n_layer"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("optim.lr"), std::string::npos) << msg;
    EXPECT_FALSE(fs::exists(dir_ / "runs"));

    r = run("train " + project() + " --set model.n_head=3");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("model.n_head"), std::string::npos);

    write_file_atomic(dir_ / "broken.json", "{\"model\": ");
    r = run("train " + (dir_ / "broken.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("not valid JSON"), std::string::npos);

    r = run("train " + (dir_ / "missing.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("missing.json"), std::string::npos);

    r = run("train " + project() + " --run nosuchrun");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("no run named 'nosuchrun'"), std::string::npos);

    r = run("train");
    EXPECT_EQ(r.code, 2);
    r = run("frobnicate");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(count_lines(r.err), 1) << r.err;

    r = run("validate " + (dir_ / "bad.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(run("validate " + project()).code, 0);

    // Text problems before JSON: each one clear message naming the file, exit 2, valid JSON events
    // even when the file's bytes are not UTF-8.
    write_file_atomic(dir_ / "latin1.json", "{\"data\": {\n  \"source\": \"caf\xe9\"}}");
    r = run("--json validate " + (dir_ / "latin1.json").string());
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    const nlohmann::json report = nlohmann::json::parse(r.out); // valid JSON, whatever the file's bytes
    ASSERT_EQ(report["diagnostics"].size(), 1u) << r.out;
    const std::string text_msg = report["diagnostics"][0]["message"];
    EXPECT_EQ(text_msg, "not UTF-8 at line 2, column 17 (byte 0xe9); save the file as UTF-8");
    r = run("train " + (dir_ / "latin1.json").string()); // JSON lines when stdout is not a terminal
    EXPECT_EQ(r.code, 2);
    ASSERT_EQ(json_lines(r.out).size(), 1u) << r.out;
    EXPECT_NE(json_lines(r.out)[0]["message"].get<std::string>().find("latin1.json: not UTF-8 at line 2"),
              std::string::npos);
    write_file_atomic(dir_ / "empty.json", "  \n");
    r = run("validate " + (dir_ / "empty.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("empty.json: the file is empty"), std::string::npos) << r.err;
    write_file_atomic(dir_ / "utf16.json", std::string("\xff\xfe{\0}\0", 6));
    r = run("validate " + (dir_ / "utf16.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("save it as UTF-8"), std::string::npos) << r.err;
    write_file_atomic(dir_ / "section.json", R"({"model": 4})");
    r = run("validate " + (dir_ / "section.json").string());
    EXPECT_NE(r.err.find("model: expected an object (the model section), got a number"), std::string::npos) << r.err;
    // A long value is echoed cut to about 100 characters, not whole.
    write_file_atomic(dir_ / "long.json", "{\"optim\": {\"lr\": \"" + std::string(60000, 'x') + "\"}}");
    r = run("validate " + (dir_ / "long.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_LT(r.err.size(), 400u) << r.err.substr(0, 400);
    EXPECT_NE(r.err.find("(60002 bytes)"), std::string::npos) << r.err.substr(0, 400);
    // ... an unknown choice too (an encoding name of 60 KB was echoed whole, 61,622 characters).
    write_file_atomic(dir_ / "longtype.json",
                      "{\"position_encoding\": {\"type\": \"" + std::string(60000, 'x') + "\"}}");
    r = run("validate " + (dir_ / "longtype.json").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_LT(r.err.size(), 500u) << r.err.substr(0, 500);
    EXPECT_NE(r.err.find("is not a choice"), std::string::npos) << r.err.substr(0, 500);
}

TEST_F(Cli, BadDataExitsTwoNamingTheFile) {
    // A corpus with a non-UTF-8 file: seqpe-data refuses it, seqpe reports it.
    fs::create_directories(dir_ / "corpus");
    write_file_atomic(dir_ / "corpus/a.txt", "fine text here. more text.");
    write_file_atomic(dir_ / "corpus/b.txt", "caf\xe9 latin-1 bytes");
    write_file_atomic(dir_ / "corpus/c.txt", "another document.");
    Result r = run("train " + project() + " --run learned --set data.source=" + (dir_ / "corpus").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("b.txt"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("UTF-8"), std::string::npos) << r.out;

    // A truncated token file of a prepared dataset named by data.dataset_dir. (A damaged dataset
    // in seqpe-data's cache is rebuilt by the tool instead.)
    ASSERT_EQ(run("train " + project() + " --run learned --set train.steps=2").code, 0);
    fs::path dataset;
    for (const auto& e : fs::directory_iterator(dir_ / "cache/datasets")) dataset = e.path();
    fs::copy(dataset, dir_ / "mydata");
    fs::resize_file(dir_ / "mydata/train.tokens", 100);
    r = run("train " + project() +
            " --run learned --restart --set train.steps=2 --set data.dataset_dir=" + (dir_ / "mydata").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("train.tokens"), std::string::npos) << r.out;
}

TEST_F(Cli, UnwritableOutputAndForeignCheckpointExitTwo) {
    write_file_atomic(dir_ / "file", "x");
    Result r = run("train " + project() + " --run learned --out " + (dir_ / "file/sub").string());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("choose another output directory"), std::string::npos) << r.out;

    ASSERT_EQ(run("train " + project() + " --run learned --set train.steps=2").code, 0);
    r = run("train " + project() + " --run learned --set train.steps=4 --set model.d_model=48");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("model.d_model"), std::string::npos) << r.out;
    // Nothing already written was lost: the original run still resumes.
    r = run("train " + project() + " --run learned --set train.steps=4");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(read_status(RunPaths{runs() / "learned"})->step, 4);
}

TEST_F(Cli, CtrlCStopsAfterTheStepWithACheckpointAndResumeFinishes) {
    const std::string out = (dir_ / "stdout").string();
    std::vector<std::string> args = {SEQPE_CLI,
                                     "train",
                                     project(),
                                     "--run",
                                     "seqpe",
                                     "--set",
                                     "train.steps=100000",
                                     "--set",
                                     "train.checkpoint_every=0",
                                     "--set",
                                     "train.eval_every=0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, SEQPE_CLI, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    const fs::path metrics = runs() / "seqpe/metrics.jsonl";
    for (int i = 0; i < 600; ++i) { // wait until a few steps are done
        if (fs::exists(metrics) && read_metrics(metrics).size() >= 5) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGINT);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 130);
    const RunPaths p{runs() / "seqpe"};
    const auto ck = latest_checkpoint(p);
    ASSERT_TRUE(ck.has_value());
    const int64_t stopped = checkpoint_step(*ck);
    EXPECT_GE(stopped, 5);
    EXPECT_EQ(read_status(p)->state, RunState::Cancelled);
    const Result r = run("train " + project() + " --run seqpe --set train.steps=" + std::to_string(stopped + 3) +
                         " --set train.checkpoint_every=0 --set train.eval_every=0");
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(read_status(p)->step, stopped + 3);
}

// Ctrl-C during the evaluation that follows training says that is what it cancelled (it used to
// say "cancelled while preparing run X").
TEST_F(Cli, CtrlCDuringTheEvaluationAfterTrainingSaysSo) {
    const std::string out = (dir_ / "stdout").string();
    std::vector<std::string> args = {SEQPE_CLI,
                                     "train",
                                     project(),
                                     "--run",
                                     "learned",
                                     "--set",
                                     "train.steps=4",
                                     "--set",
                                     "eval.mode=both",
                                     "--set",
                                     "eval.length_multipliers=[1,2,4,8,16,32,48]",
                                     "--set",
                                     "eval.max_tokens=0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, SEQPE_CLI, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 1200; ++i) { // until the first evaluation line: training is complete by then
        if (read_file(out).find("eval extend L=32") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGINT);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 130) << read_file(out);
    const std::string text = read_file(out);
    EXPECT_NE(text.find("cancelled the evaluation after training of run learned"), std::string::npos) << text;
    EXPECT_EQ(text.find("while preparing"), std::string::npos) << text;
    EXPECT_EQ(read_status(RunPaths{runs() / "learned"})->state, RunState::Completed); // the training stays done
}

TEST_F(Cli, OptionsJsonSaysWhichFieldsAResumeMayChange) {
    const Result r = run("--json options --all");
    ASSERT_EQ(r.code, 0) << r.err;
    std::map<std::string, bool> resumable;
    for (const auto& o : nlohmann::json::parse(r.out))
        resumable[o["path"].get<std::string>()] = o["resumable"].get<bool>();
    EXPECT_TRUE(resumable.at("train.steps"));
    EXPECT_TRUE(resumable.at("eval.mode"));
    EXPECT_TRUE(resumable.at("runtime.threads"));
    EXPECT_TRUE(resumable.at("algo.eval_lengths"));
    EXPECT_FALSE(resumable.at("model.d_model"));
    EXPECT_FALSE(resumable.at("position_encoding.type"));
    EXPECT_FALSE(resumable.at("train.seed"));
    EXPECT_FALSE(resumable.at("algo.train_max_len"));
}

TEST_F(Cli, ConfigReferenceInTheDocsIsWhatTheOptionTablePrints) {
    // docs/CONFIG.md ends with `seqpe options --markdown`: a changed option table without the
    // regenerated page fails here (regenerate: see the page's reference heading).
    const Result r = run("options --markdown");
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string doc = read_file(fs::path(SEQPE_SOURCE_DIR) / "docs/CONFIG.md");
    const std::string marker =
        "Advanced options are hidden in `seqpe options` without `--all` and folded in the GUI's editor.\n";
    const auto at = doc.find(marker);
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(doc.substr(at + marker.size()), r.out);
    EXPECT_NE(r.out.find("| `position_encoding.seqpe.contrastive.weight`"), std::string::npos);
}

// `seqpe bench --profile`: a profiled row lists the step's four phases and its operators, and the
// self times partition the profiled steps (their sum cannot pass the wall time; an operator's self
// time is never above its total). Structure only: timings are bench's business, not a test's.
TEST_F(Cli, BenchProfileListsThePhasesAndOperatorsOfAStep) {
    const std::string json = (dir_ / "bench.json").string();
    const Result r = run("bench --sizes quickstart --encodings seqpe --precisions fp32 --no-eval --no-python "
                         "--repeats 1 --warmup 0 --threads 1 --profile 1 --profile-top 5 --out " +
                         json);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(read_file(json));
    if (j.contains("profile_status")) GTEST_SKIP() << j["profile_status"]; // a LibTorch without the profiler
    ASSERT_GE(j["rows"].size(), 1u);
    const auto& row = j["rows"][0];
    ASSERT_TRUE(row.contains("profile")) << row.dump();
    const double step_ms = row["profiled_step_ms"];
    double self_sum = 0;
    std::set<std::string> names;
    for (const auto& o : row["profile"]) {
        names.insert(o["name"].get<std::string>());
        EXPECT_LE(o["self_ms"].get<double>(), o["total_ms"].get<double>() + 1e-9) << o.dump();
        self_sum += o["self_ms"].get<double>();
    }
    for (const char* phase : {"step: pe.prepare_step", "step: forward and losses", "step: backward", "step: optimizer"})
        EXPECT_TRUE(names.count(phase)) << phase;
    EXPECT_TRUE(names.count("aten::mm") || names.count("aten::addmm") || names.count("aten::matmul"));
    EXPECT_GT(self_sum, 0.0);
    EXPECT_LE(self_sum, step_ms * 1.02); // the profiled steps' wall time holds every self time once
    // The encoder's counted work: the default recipe's ~1,500 distinct positions (at least the 128 of
    // the main layout) through more tokens than positions (a [CLS] per position plus shared prefix
    // nodes), and its FLOPs (the table prints them against the model's).
    EXPECT_GE(row["encoder_positions"].get<int64_t>(), 128);
    EXPECT_GT(row["encoder_tokens"].get<int64_t>(), row["encoder_positions"].get<int64_t>());
    EXPECT_GT(row["encoder_flops"].get<double>(), 0.0);
}
