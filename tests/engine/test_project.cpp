// Project files: parsing, every malformed input, per-run configs, saving.
#include "mentions.h"
#include "seqpe/checkpoints.h"
#include "seqpe/common/files.h"
#include "seqpe/config_io.h"
#include "seqpe/options.h"
#include "seqpe/run_dir.h"
#include "seqpe/run_plan.h"
#include "seqpe/trainer.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <map>

using namespace seqpe;
using seqpe::test::mentions;

TEST(Project, ParsesBaseAndRuns) {
    const auto load = parse_project(R"({
      "format": "seqpe-project/1", "name": "cmp", "output_dir": "out",
      "base": {"model": {"n_layer": 3}, "train.steps": 50},
      "runs": [{"name": "seqpe", "set": {}}, {"name": "rope", "set": {"position_encoding.type": "rope"}},
               {"name": "alibi", "set": {"position_encoding": {"type": "alibi"}}}]})",
                                    "/p/proj.json");
    ASSERT_TRUE(load.diagnostics.empty()) << format_diagnostics(load.diagnostics);
    const Project& p = load.project;
    EXPECT_EQ(p.name, "cmp");
    EXPECT_EQ(p.output_path(), std::filesystem::path("/p/out"));
    ASSERT_EQ(p.runs.size(), 3u);
    RunConfig c;
    ASSERT_TRUE(project_run_config(p, p.runs[1], c).empty());
    EXPECT_EQ(c.model.n_layer, 3);
    EXPECT_EQ(c.train.steps, 50);
    EXPECT_EQ(c.position_encoding.type, "rope");
    ASSERT_TRUE(project_run_config(p, p.runs[2], c).empty());
    EXPECT_EQ(c.position_encoding.type, "alibi");
    EXPECT_EQ(p.run_dir("rope"), std::filesystem::path("/p/out/rope"));
}

TEST(Project, PlainConfigIsAProjectWithOneRun) {
    const auto load = parse_project(R"({"model": {"n_layer": 2}})", "/x/my config.json");
    ASSERT_TRUE(load.diagnostics.empty());
    ASSERT_EQ(load.project.runs.size(), 1u);
    EXPECT_EQ(load.project.runs[0].name, "my_config");
}

TEST(Project, EveryMalformedInputIsReported) {
    auto d = parse_project("not json", "/p.json").diagnostics;
    EXPECT_TRUE(mentions(d, "", "not valid JSON"));
    d = parse_project(R"({"format": "seqpe-project/9", "runs": []})", "/p.json").diagnostics;
    EXPECT_TRUE(mentions(d, "format", "seqpe-project/1"));
    d = parse_project(R"({"format": "seqpe-project/1", "runs": []})", "/p.json").diagnostics;
    EXPECT_TRUE(mentions(d, "runs", "non-empty"));
    d = parse_project(R"({"format": "seqpe-project/1", "extra": 1, "output_dir": "",
                          "base": {"model": {"n_head": "x"}},
                          "runs": [{"name": "a"}, {"name": "a"}, {"name": "../evil"}, {"name": "b", "set": {"nope": 1}},
                                   {"name": "c", "other": 2}, 5]})",
                      "/p.json")
            .diagnostics;
    EXPECT_TRUE(mentions(d, "extra", "unknown project key"));
    EXPECT_TRUE(mentions(d, "output_dir"));
    EXPECT_TRUE(mentions(d, "base.model.n_head"));
    EXPECT_TRUE(mentions(d, "runs[1].name", "duplicate"));
    EXPECT_TRUE(mentions(d, "runs[2].name", "letters"));
    EXPECT_TRUE(mentions(d, "runs[3].set.nope", "unknown option"));
    EXPECT_TRUE(mentions(d, "runs[4].other"));
    EXPECT_TRUE(mentions(d, "runs[5]"));
    d = load_project("/definitely/missing/project.json").diagnostics;
    ASSERT_EQ(d.size(), 1u);
    EXPECT_NE(d[0].message.find("/definitely/missing/project.json"), std::string::npos);
}

TEST(Project, SaveAndLoadRoundTrip) {
    seqpe::test::TempDir tmp("proj");
    Project p;
    p.name = "round";
    p.output_dir = "runs";
    p.base = {{"model.n_layer", "4"}, {"position_encoding.type", "\"learned\""}};
    p.runs = {{"learned", {}}, {"rope", {{"position_encoding.type", "\"rope\""}}}};
    save_project(p, tmp / "p.json");
    const auto load = load_project(tmp / "p.json");
    ASSERT_TRUE(load.diagnostics.empty()) << format_diagnostics(load.diagnostics);
    EXPECT_EQ(load.project.runs.size(), 2u);
    RunConfig c;
    ASSERT_TRUE(project_run_config(load.project, load.project.runs[1], c).empty());
    EXPECT_EQ(c.model.n_layer, 4);
    EXPECT_EQ(c.position_encoding.type, "rope");
    EXPECT_EQ(project_to_json(load.project), project_to_json(p));
}

TEST(Project, RelativePathsResolveAgainstTheProjectFile) {
    RunConfig c;
    c.data.dataset_dir = "data/ds";
    c.data.source = "corpus";
    c.train.init_from = "/abs/run";
    resolve_paths(c, "/home/u/proj");
    EXPECT_EQ(c.data.dataset_dir, "/home/u/proj/data/ds");
    EXPECT_EQ(c.data.source, "/home/u/proj/corpus");
    EXPECT_EQ(c.train.init_from, "/abs/run");
    RunConfig d;
    resolve_paths(d, "/home/u/proj");
    EXPECT_EQ(d.data.source, "auto"); // names are not paths
}

TEST(Project, ExampleProjectsAreValid) {
    const std::filesystem::path dir = std::filesystem::path(SEQPE_SOURCE_DIR) / "projects";
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".json") continue;
        ++n;
        const auto load = load_project(e.path());
        EXPECT_TRUE(load.diagnostics.empty()) << e.path() << ": " << format_diagnostics(load.diagnostics);
        for (const auto& r : load.project.runs) {
            RunConfig c;
            auto d = project_run_config(load.project, r, c);
            auto v = validate(c);
            d.insert(d.end(), v.begin(), v.end());
            EXPECT_FALSE(has_errors(d)) << e.path() << " run " << r.name << ": " << format_diagnostics(d);
        }
    }
    EXPECT_GE(n, 2);
}

TEST(Project, KeysWrittenTwiceAreRefusedNamingTheKeyAndBothLines) {
    // A field twice, a whole section twice, a run's key twice: each named with its lines.
    const std::string text = R"({
  "format": "seqpe-project/1",
  "base": {
    "model": { "n_layer": 2,
               "n_layer": 3 },
    "train": { "steps": 10 },
    "train": { "steps": 20 }
  },
  "runs": [ { "name": "a", "name": "b", "set": { "model.n_head": 2 } } ]
})";
    const ProjectLoad load = parse_project(text, "p.json");
    std::vector<std::string> paths, messages;
    for (const auto& d : load.diagnostics) {
        paths.push_back(d.path);
        messages.push_back(d.message);
    }
    ASSERT_TRUE(has_errors(load.diagnostics));
    ASSERT_GE(paths.size(), 3u);
    EXPECT_EQ(paths[0], "base.model.n_layer");
    EXPECT_NE(messages[0].find("lines 4 and 5"), std::string::npos) << messages[0];
    EXPECT_EQ(paths[1], "base.train");
    EXPECT_NE(messages[1].find("lines 6 and 7"), std::string::npos) << messages[1];
    EXPECT_EQ(paths[2], "runs[0].name");
    // The same key in different objects, and quotes and braces inside strings, are not duplicates.
    const std::string fine = R"({"format": "seqpe-project/1", "name": "x{\"name\": 1}",
  "base": {"model": {"n_layer": 2}, "data": {"source": "a,\"b"}},
  "runs": [{"name": "a", "set": {"model.n_layer": 3}}, {"name": "b", "set": {"model.n_layer": 4}}]})";
    const ProjectLoad ok = parse_project(fine, "p.json");
    EXPECT_FALSE(has_errors(ok.diagnostics))
        << (ok.diagnostics.empty() ? "" : ok.diagnostics[0].path + ": " + ok.diagnostics[0].message);
    // Plain run configs too.
    RunConfig c;
    const auto d = config_from_json("{\"optim\": {\"lr\": 0.1},\n \"optim\": {\"lr\": 0.2}}", c);
    ASSERT_FALSE(d.empty());
    EXPECT_EQ(d[0].path, "optim");
    EXPECT_NE(d[0].message.find("lines 1 and 2"), std::string::npos) << d[0].message;
}

TEST(Project, IntegersBeyond64BitsAreNamedAsWritten) {
    // The parser would round these to doubles (1e+20) or wrap them (18446744073709551615 -> -1).
    RunConfig c;
    const auto d = config_from_json(R"({"train": {"steps": 123456789012345678901234567890,
        "seed": 18446744073709551615, "eval_every": 9223372036854775807},
        "eval": {"length_multipliers": [1, 100000000000000000000000]}})",
                                    c);
    std::map<std::string, std::string> by_path;
    for (const auto& x : d) by_path[x.path] += x.message + " | ";
    EXPECT_NE(by_path["train.steps"].find("123456789012345678901234567890 does not fit in 64 bits"), std::string::npos)
        << by_path["train.steps"];
    EXPECT_EQ(by_path["train.steps"].find("e+"), std::string::npos) << "the rounded value is echoed too";
    EXPECT_NE(by_path["train.seed"].find("18446744073709551615"), std::string::npos) << by_path["train.seed"];
    EXPECT_NE(by_path["eval.length_multipliers[1]"].find("100000000000000000000000"), std::string::npos);
    EXPECT_EQ(by_path.count("eval.length_multipliers"), 0u) << "the list's rounded echo is shadowed";
    // In range for int64 but not for the option: the range message prints integers, not 9.2e+18.
    EXPECT_NE(by_path["train.eval_every"].find("9223372036854775807 is out of range; use a value in [0, "),
              std::string::npos)
        << by_path["train.eval_every"];
    // The limits themselves are accepted where an option allows them; so are big floats.
    RunConfig ok;
    EXPECT_TRUE(config_from_json(R"({"train": {"seed": 12345678901234}, "optim": {"lr": 1e-3}})", ok).empty());
    // A number too large for a double is named, not the parser's "number overflow".
    const ProjectLoad huge = parse_project("{\"train\": {\"steps\": 1" + std::string(400, '0') + "}}", "c.json");
    ASSERT_FALSE(huge.diagnostics.empty());
    EXPECT_EQ(huge.diagnostics[0].path, "train.steps");
    EXPECT_NE(huge.diagnostics[0].message.find("does not fit in 64 bits"), std::string::npos);
    EXPECT_LT(huge.diagnostics[0].message.size(), 300u); // the 401 digits are cut
    // Overrides too.
    RunConfig o;
    const auto od = apply_override(o, "train.seed=18446744073709551615");
    ASSERT_EQ(od.size(), 1u);
    EXPECT_NE(od[0].message.find("18446744073709551615 does not fit"), std::string::npos) << od[0].message;
    // Digits inside strings are not numbers.
    RunConfig s;
    EXPECT_TRUE(config_from_json(R"({"data": {"source": "/data/123456789012345678901234567890"}})", s).empty());
}

TEST(Project, NulInAStringOptionIsRefused) {
    RunConfig c;
    const auto d = config_from_json(R"({"data": {"source": "/data/a\u0000b"}})", c);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].path, "data.source");
    EXPECT_NE(d[0].message.find("NUL"), std::string::npos);
    const ProjectLoad load = parse_project(R"({"format": "seqpe-project/1", "output_dir": "runs\u0000x",
        "base": {"task": "lm"}, "runs": [{"name": "a", "set": {"position_encoding.type": "rope\u0000"}}]})",
                                           "p.json");
    std::vector<std::string> paths;
    for (const auto& x : load.diagnostics) paths.push_back(x.path);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "output_dir"), paths.end());
    EXPECT_NE(std::find(paths.begin(), paths.end(), "runs[0].set.position_encoding.type"), paths.end());
}

// A project whose only problems are option values opens for editing (the workbench marks them at
// their fields); anything about the file's structure does not. Seeds and sweep survive either way.
TEST(Project, BadValuesOpenForEditingStructuralProblemsDoNot) {
    const std::string bad_value = R"({"format": "seqpe-project/1", "name": "p",
      "base": {"train": {"steps": -5}},
      "runs": [{"name": "a", "set": {}}, {"name": "b", "set": {"optim.lr": "1e999", "model.n_layer": 2}}],
      "seeds": [1, 2], "sweep": {"optim.warmup_steps": [0, 5]}})";
    const auto load = parse_project(bad_value, "/p/p.json");
    ASSERT_TRUE(has_errors(load.diagnostics));
    EXPECT_TRUE(opens_for_editing(load)) << format_diagnostics(load.diagnostics);
    EXPECT_TRUE(mentions(load.diagnostics, "base.train.steps"));
    EXPECT_TRUE(mentions(load.diagnostics, "runs[1].set.optim.lr"));
    // The bad values stay in the project as written (so they can be shown and fixed), the rest too.
    ASSERT_EQ(load.project.runs.size(), 2u);
    EXPECT_EQ(load.project.base.size(), 1u);
    EXPECT_EQ(load.project.runs[1].set.size(), 2u);
    EXPECT_EQ(load.project.seeds, (std::vector<int64_t>{1, 2}));
    ASSERT_EQ(load.project.sweep.size(), 1u);
    EXPECT_EQ(load.project.sweep[0].second.size(), 2u);

    for (const char* structural : {
             R"({"format": "seqpe-project/1", "runs": [{"name": "a", "set": {"optim.lr": "x", "no.such": 1}}]})",
             R"({"format": "seqpe-project/1", "runs": [{"name": "a", "set": {"optim.lr": "x"}}], "seeds": "1"})",
             R"({"format": "seqpe-project/1", "runs": [{"name": "a/b", "set": {"optim.lr": "x"}}]})",
             R"({"format": "seqpe-project/1", "runs": [{"name": "a", "set": {"optim.lr": 1, "optim.lr": 2}}]})",
             R"({"format": "seqpe-project/2", "runs": [{"name": "a", "set": {}}]})",
             R"({"format": "seqpe-project/1", "runs": [{"name": "a", "set": {"optim.lr": 1e999}}]})",
             R"({"format": "seqpe-project/1", "base": {"model": 3}, "runs": [{"name": "a", "set": {}}]})",
             R"({"format": "seqpe-project/1", "runs": [{"name": "a", "set": {}}], "max_runs": 0})",
         }) {
        const auto l = parse_project(structural, "/p/s.json");
        EXPECT_TRUE(has_errors(l.diagnostics)) << structural;
        EXPECT_FALSE(opens_for_editing(l)) << structural << "\n" << format_diagnostics(l.diagnostics);
    }
    // A clean project opens, trivially.
    EXPECT_TRUE(opens_for_editing(parse_project(R"({"model": {"n_layer": 2}})", "/p/c.json")));
}

TEST(Project, APlannedRunCarriesItsOwnProblems) {
    const auto load = parse_project(R"({"format": "seqpe-project/1", "name": "p",
      "runs": [{"name": "ok", "set": {}}, {"name": "heads", "set": {"model.n_head": 5}}]})",
                                    "/p/p.json");
    ASSERT_FALSE(has_errors(load.diagnostics));
    const RunPlan plan = plan_project(load.project);
    ASSERT_EQ(plan.runs.size(), 2u);
    EXPECT_FALSE(has_errors(plan.runs[0].diagnostics));
    ASSERT_TRUE(has_errors(plan.runs[1].diagnostics));
    EXPECT_EQ(plan.runs[1].diagnostics.front().path, "model.n_head"); // unprefixed, unlike plan.diagnostics
    EXPECT_TRUE(mentions(plan.diagnostics, "run heads: model.n_head"));
}

TEST(Project, AStepBudgetBelowTheStepReachedIsRefusedNeverClamped) {
    EXPECT_EQ(step_budget_problem(150, 106, "seqpe"), "");
    EXPECT_EQ(step_budget_problem(106, 106, "seqpe"), ""); // complete at exactly its budget
    const std::string m = step_budget_problem(5, 106, "seqpe");
    EXPECT_NE(m.find("train.steps = 5"), std::string::npos) << m;
    EXPECT_NE(m.find("step 106"), std::string::npos) << m;
    EXPECT_NE(m.find("at least 106"), std::string::npos) << m;
}

TEST(RunRules, CompleteMeansCompletedAndItsNewestUsableCheckpointAtTheBudget) {
    CheckpointInfo damaged, good, older;
    damaged.step = 300;
    damaged.health = CheckpointHealth::Damaged;
    good.step = 200;
    good.health = CheckpointHealth::Complete;
    older.step = 100;
    older.health = CheckpointHealth::Unverified;
    EXPECT_EQ(resume_step({damaged, good, older}), 200); // newest first; a damaged one is passed over
    EXPECT_EQ(resume_step({damaged}), 0);
    EXPECT_EQ(resume_step({}), 0);

    RunStatus done;
    done.state = RunState::Completed;
    EXPECT_TRUE(run_is_complete(done, 200, 200));
    EXPECT_TRUE(run_is_complete(done, 200, 150));  // budget lowered below the step reached
    EXPECT_FALSE(run_is_complete(done, 200, 300)); // raised budget: it trains on
    EXPECT_FALSE(run_is_complete(done, 0, 300));   // final checkpoint damaged: resumable
    RunStatus stopped = done;
    stopped.state = RunState::Cancelled;
    EXPECT_FALSE(run_is_complete(stopped, 200, 200));
}

TEST(RunRules, OnlyACompletedRunOutsideADistributedJobEvaluatesAfterTraining) {
    RunConfig c;
    EXPECT_TRUE(evaluates_after_training(c, RunOutcome::Completed, false));
    EXPECT_FALSE(evaluates_after_training(c, RunOutcome::Completed, true));
    EXPECT_FALSE(evaluates_after_training(c, RunOutcome::Cancelled, false));
    EXPECT_FALSE(evaluates_after_training(c, RunOutcome::Failed, false));
    c.eval.after_training = false;
    EXPECT_FALSE(evaluates_after_training(c, RunOutcome::Completed, false));
}
