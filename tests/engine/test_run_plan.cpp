// Projects with seeds and sweeps: the expansion's names, order and directories, refusals with the
// field named, the size limit; seed groups summarised against hand-computed values.
#include "seqpe/config_io.h"
#include "seqpe/report_summary.h"
#include "seqpe/run_dir.h"
#include "seqpe/run_plan.h"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <type_traits>
#include <unistd.h>

using namespace seqpe;
namespace fs = std::filesystem;

namespace {

ProjectLoad parse(const std::string& extra, const std::string& runs =
                                                R"([{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}},
                                                    {"name": "rope", "set": {"position_encoding.type": "rope"}}])") {
    return parse_project(R"({"format": "seqpe-project/1", "name": "p", "output_dir": "out",
        "base": {"model": {"n_layer": 1, "d_model": 32, "n_head": 2}}, "runs": )" +
                             runs + extra + "}",
                         "/proj/p.json");
}

std::string first_error(const std::vector<Diagnostic>& d) {
    for (const auto& x : d)
        if (x.severity == Diagnostic::Severity::Error) return x.path + ": " + x.message;
    return {};
}

std::vector<std::string> names(const RunPlan& plan) {
    std::vector<std::string> out;
    for (const auto& r : plan.runs) out.push_back(r.name);
    return out;
}

} // namespace

TEST(RunPlan, NoSeedsNoSweepIsTheProjectAsBefore) {
    const ProjectLoad load = parse("");
    ASSERT_FALSE(has_errors(load.diagnostics)) << first_error(load.diagnostics);
    const RunPlan plan = plan_project(load.project);
    EXPECT_EQ(names(plan), (std::vector<std::string>{"seqpe", "rope"}));
    EXPECT_EQ(plan.runs[0].dir, fs::path("/proj/out/seqpe"));
    EXPECT_EQ(plan.runs[0].group, "seqpe");
    EXPECT_FALSE(plan.runs[0].seed);
    EXPECT_EQ(plan.runs[0].config.train.seed, RunConfig{}.train.seed);
    // Saving writes no grid keys for such a project.
    EXPECT_EQ(project_to_json(load.project).find("seeds"), std::string::npos);
}

TEST(RunPlan, SeedsGiveOneRunPerSeedUnderTheRunsDirectory) {
    const ProjectLoad load = parse(R"(, "seeds": [3, 1, 2])");
    ASSERT_FALSE(has_errors(load.diagnostics)) << first_error(load.diagnostics);
    const RunPlan plan = plan_project(load.project);
    ASSERT_FALSE(has_errors(plan.diagnostics)) << first_error(plan.diagnostics);
    EXPECT_EQ(names(plan), (std::vector<std::string>{"seqpe/seed-3", "seqpe/seed-1", "seqpe/seed-2", "rope/seed-3",
                                                     "rope/seed-1", "rope/seed-2"}));
    EXPECT_EQ(plan.runs[1].dir, fs::path("/proj/out/seqpe/seed-1"));
    EXPECT_EQ(plan.runs[1].group, "seqpe");
    EXPECT_EQ(plan.runs[1].config.train.seed, 1);
    EXPECT_EQ(plan.runs[5].config.train.seed, 2);
    EXPECT_EQ(plan.runs[5].config.position_encoding.type, "rope");
    // --run selects a project run (all its seeds) or one expanded run.
    EXPECT_EQ(plan_project(load.project, {}, {"rope"}).runs.size(), 3u);
    EXPECT_EQ(names(plan_project(load.project, {}, {"seqpe/seed-2"})), (std::vector<std::string>{"seqpe/seed-2"}));
    const RunPlan bad = plan_project(load.project, {}, {"seqpe/seed-9"});
    EXPECT_NE(first_error(bad.diagnostics).find("no run named 'seqpe/seed-9'"), std::string::npos);
    // An override of train.seed does not beat the project's seeds (they are the point of the list).
    EXPECT_EQ(plan_project(load.project, {"train.seed=99"}).runs[0].config.train.seed, 3);
    // Round trip.
    const ProjectLoad again = parse_project(project_to_json(load.project), "/proj/p.json");
    EXPECT_EQ(again.project.seeds, (std::vector<int64_t>{3, 1, 2}));
}

TEST(RunPlan, SweepIsAGridWithNamesFromTheValuesOptionsInPathOrder) {
    // Written in the other order: the grid (and the names) follow the paths' order, so reordering
    // the keys never renames a run.
    const ProjectLoad load =
        parse(R"(, "sweep": {"position_encoding.seqpe.scalar_scale": [1, 8, 36], "optim.lr": [0.001, 0.002]},
        "seeds": [1, 2])",
              R"([{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}}])");
    ASSERT_FALSE(has_errors(load.diagnostics)) << first_error(load.diagnostics);
    const RunPlan plan = plan_project(load.project);
    ASSERT_FALSE(has_errors(plan.diagnostics)) << first_error(plan.diagnostics);
    ASSERT_EQ(plan.runs.size(), 12u); // 1 run x 2 x 3 x 2 seeds
    EXPECT_EQ(plan.runs[0].name, "seqpe/lr=0.001,scalar_scale=1/seed-1");
    EXPECT_EQ(plan.runs[1].name, "seqpe/lr=0.001,scalar_scale=1/seed-2");
    EXPECT_EQ(plan.runs[2].name, "seqpe/lr=0.001,scalar_scale=8/seed-1");
    EXPECT_EQ(plan.runs[11].name, "seqpe/lr=0.002,scalar_scale=36/seed-2");
    EXPECT_EQ(plan.runs[11].group, "seqpe/lr=0.002,scalar_scale=36");
    EXPECT_DOUBLE_EQ(plan.runs[11].config.optim.lr, 0.002);
    EXPECT_DOUBLE_EQ(plan.runs[11].config.position_encoding.seqpe.scalar_scale, 36.0);
    EXPECT_EQ(plan.runs[11].dir, fs::path("/proj/out/seqpe/lr=0.002,scalar_scale=36/seed-2"));
    ASSERT_EQ(plan.runs[4].swept.size(), 2u);
    EXPECT_EQ(plan.runs[4].swept[0], (std::pair<std::string, std::string>{"optim.lr", "0.001"}));

    // Appending a value keeps every existing name (and directory).
    const ProjectLoad more =
        parse(R"(, "sweep": {"optim.lr": [0.001, 0.002, 0.004], "position_encoding.seqpe.scalar_scale": [1, 8, 36, 64]},
        "seeds": [1, 2])",
              R"([{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}}])");
    const RunPlan bigger = plan_project(more.project);
    ASSERT_EQ(bigger.runs.size(), 24u);
    for (const auto& r : plan.runs)
        EXPECT_NE(std::find(names(bigger).begin(), names(bigger).end(), r.name), names(bigger).end()) << r.name;

    // Two swept options with the same last component are named by their full paths.
    const ProjectLoad clash = parse(R"(, "sweep": {"train.batch_size": [4, 8], "eval.batch_size": [2, 3]})",
                                    R"([{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}}])");
    ASSERT_FALSE(has_errors(clash.diagnostics)) << first_error(clash.diagnostics);
    EXPECT_EQ(plan_project(clash.project).runs[0].name, "seqpe/eval.batch_size=2,train.batch_size=4");
    // String and list values become safe folder names.
    EXPECT_EQ(sweep_value_label("\"rope\""), "rope");
    EXPECT_EQ(sweep_value_label("[1,2,4]"), "1_2_4");
    EXPECT_EQ(sweep_value_label("\"../x\""), ".._x");
    EXPECT_EQ(sweep_value_label("\"..\""), "_");
}

TEST(RunPlan, BadSeedsAndSweepsAreRefusedNamingTheField) {
    auto error_of = [](const std::string& extra) { return first_error(parse(extra).diagnostics); };
    EXPECT_NE(error_of(R"(, "seeds": [])").find("seeds: expected a non-empty list"), std::string::npos);
    EXPECT_NE(error_of(R"(, "seeds": 3)").find("seeds: expected a non-empty list"), std::string::npos);
    EXPECT_NE(error_of(R"(, "seeds": [1, "2"])").find("seeds[1]: expected an integer"), std::string::npos);
    EXPECT_NE(error_of(R"(, "seeds": [1, -2])").find("seeds[1]:"), std::string::npos);
    EXPECT_NE(error_of(R"(, "seeds": [1, 1])").find("seeds[1]: seed 1 is listed twice"), std::string::npos);
    EXPECT_NE(
        error_of(R"(, "sweep": {"optim.lrr": [1]})").find("sweep.optim.lrr: unknown option; did you mean optim.lr"),
        std::string::npos)
        << error_of(R"(, "sweep": {"optim.lrr": [1]})");
    EXPECT_NE(error_of(R"(, "sweep": {"optim.lr": []})").find("sweep.optim.lr: expected a non-empty list"),
              std::string::npos);
    EXPECT_NE(error_of(R"(, "sweep": {"optim.lr": 0.1})").find("sweep.optim.lr: expected a non-empty list"),
              std::string::npos);
    EXPECT_NE(
        error_of(R"(, "sweep": {"model.n_layer": [1, "two"]})").find("sweep.model.n_layer[1]: expected an integer"),
        std::string::npos);
    EXPECT_NE(error_of(R"(, "sweep": {"model.n_layer": [1, 0]})").find("sweep.model.n_layer[1]: 0 is out of range"),
              std::string::npos)
        << error_of(R"(, "sweep": {"model.n_layer": [1, 0]})");
    EXPECT_NE(error_of(R"(, "sweep": {"optim.lr": [0.1, 0.1]})").find("sweep.optim.lr[1]:"), std::string::npos);
    EXPECT_NE(error_of(R"(, "sweep": {"position_encoding.type": ["rope", "spiral"]})")
                  .find("sweep.position_encoding.type[1]: 'spiral' is not a choice"),
              std::string::npos);
    EXPECT_NE(error_of(R"(, "seeds": [1], "sweep": {"train.seed": [1, 2]})").find("sweep.train.seed:"),
              std::string::npos);
    EXPECT_NE(error_of(R"(, "sweep": []")").size(), 0u);
    EXPECT_NE(error_of(R"(, "max_runs": 0)").find("max_runs:"), std::string::npos);
    // Cross-field checks of each grid point: 3 heads do not divide width 32.
    const ProjectLoad heads = parse(R"(, "sweep": {"model.n_head": [2, 3]})");
    ASSERT_FALSE(has_errors(heads.diagnostics)) << first_error(heads.diagnostics);
    const std::string e = first_error(plan_project(heads.project).diagnostics);
    // One line for the grid points it concerns (both runs of the project at n_head = 3).
    EXPECT_NE(e.find("runs seqpe/n_head=3 and 1 more: model.n_head"), std::string::npos) << e;
    // Two problems in three (run, problem) pairs: the shared one is listed once, SeqPE's own once.
    EXPECT_EQ(plan_project(heads.project).diagnostics.size(), 2u);
}

TEST(RunPlan, GridsOverTheLimitAreRefusedUnlessAskedFor) {
    std::string values = "[";
    for (int i = 1; i <= 40; ++i) values += (i > 1 ? "," : "") + std::to_string(i);
    values += "]";
    const std::string sweep = R"(, "sweep": {"model.n_layer": )" + values + R"(, "train.steps": )" + values + "}";
    // 2 runs x 40 x 40 = 3,200 runs.
    const std::string e = first_error(parse(sweep).diagnostics);
    EXPECT_NE(e.find("expands to 3200 runs, more than max_runs = 1000"), std::string::npos) << e;
    EXPECT_NE(e.find("\"max_runs\": 3200"), std::string::npos) << e;
    const ProjectLoad ok = parse(sweep + R"(, "max_runs": 3200)");
    EXPECT_FALSE(has_errors(ok.diagnostics)) << first_error(ok.diagnostics);
    EXPECT_EQ(planned_run_count(ok.project), 3200);
}

TEST(ReportSummary, MeanSdMinMaxAgainstHandComputedValues) {
    auto report = [](const std::string& run, const std::string& enc, double a, double b) {
        EvalReport r;
        r.run = run;
        r.encoding = enc;
        r.metric = "ppl";
        for (const auto& [len, v] : {std::pair{128, a}, std::pair{256, b}}) {
            EvalRow row;
            row.mode = "extend";
            row.length = len;
            row.loss = std::log(v);
            row.ppl = v;
            r.rows.push_back(row);
        }
        return r;
    };
    const std::vector<std::pair<std::string, EvalReport>> reports = {
        {"seqpe", report("seqpe/seed-1", "seqpe", 52.8, 53.2)},
        {"seqpe", report("seqpe/seed-2", "seqpe", 53.5, 53.4)},
        {"seqpe", report("seqpe/seed-3", "seqpe", 53.1, 60.0)},
        {"learned", report("learned/seed-1", "learned", 63.5, 65.7)},
        {"learned", report("learned/seed-2", "learned", 63.6, 66.0)},
        {"learned", report("learned/seed-3", "learned", 63.4, 53.0)},
    };
    const auto groups = summarise_by_group(reports);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].group, "seqpe");
    const SummaryCell* c = groups[0].cell("extend", 128);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->n(), 3u);
    // mean (52.8 + 53.5 + 53.1) / 3 = 53.1333; deviations -0.3333, 0.3667, -0.0333;
    // squares 0.11111 + 0.13444 + 0.00111 = 0.24667; / 2 = 0.12333; sd 0.35119.
    EXPECT_NEAR(c->mean, 53.133333333, 1e-8);
    EXPECT_NEAR(c->sd, 0.351188458, 1e-8);
    EXPECT_DOUBLE_EQ(c->min, 52.8);
    EXPECT_DOUBLE_EQ(c->max, 53.5);
    EXPECT_EQ(c->runs[2], "seqpe/seed-3");
    // At 128 SeqPE leads by 10.4, far more than either spread (0.7, 0.2): a clear best.
    EXPECT_EQ(clear_best(groups, "extend", 128), 0);
    // At 256 the means are 55.53 and 61.57 but learned's spread (13.0) exceeds the lead: none.
    EXPECT_EQ(clear_best(groups, "extend", 256), -1);
    EXPECT_EQ(clear_best(groups, "interpolate", 256), -1);
    // Accuracy: higher is better.
    EvalReport a1, a2;
    a1.metric = a2.metric = "accuracy";
    EvalRow row;
    row.mode = "extend";
    row.length = 28;
    row.accuracy = 0.80;
    a1.rows.push_back(row);
    row.accuracy = 0.70;
    a2.rows.push_back(row);
    EXPECT_EQ(clear_best(summarise_by_group({{"a", a1}, {"b", a2}}), "extend", 28), 0);
}

// The plan hands each run its resolved config (the one the trainer builds from), and a run
// directory's config.json reads back resolved even when it holds "auto" (written before a field
// existed); a raw config cannot become a ResolvedConfig except through resolve_config.
TEST(RunPlan, EachRunCarriesItsConfigResolvedOnceAndARunDirectoryReadsBackResolved) {
    static_assert(!std::is_constructible_v<ResolvedConfig, RunConfig>);
    static_assert(!std::is_convertible_v<const RunConfig&, ResolvedConfig>);
    static_assert(std::is_convertible_v<const ResolvedConfig&, const RunConfig&>); // read as a RunConfig
    const ProjectLoad l = parse(R"(, "seeds": [1, 2])");
    const RunPlan plan = plan_project(l.project, {"train.seq_len=48"});
    ASSERT_EQ(plan.runs.size(), 4u);
    for (const auto& r : plan.runs) {
        EXPECT_EQ(config_to_json(r.resolved), config_to_json(resolve_config(r.config))) << r.name;
        EXPECT_EQ(r.config.position_encoding.seqpe.apply, "auto"); // the plan keeps what the user wrote
        EXPECT_EQ(r.resolved.position_encoding.seqpe.apply, "attn_scalar");
        EXPECT_EQ(r.resolved.position_encoding.seqpe.max_position, 48 * 16); // the longest evaluated length
        EXPECT_EQ(r.resolved.train.seed, r.config.train.seed);
    }

    const fs::path dir = fs::temp_directory_path() / ("seqpe-resolved-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream f(dir / "config.json");
        f << R"({"config": {"model": {"d_model": 96, "n_head": 3},
                            "position_encoding": {"seqpe": {"apply": "auto", "embed_dim": 0}}}})";
    }
    const ResolvedConfig back = read_run_config(RunPaths{dir});
    EXPECT_EQ(back.position_encoding.seqpe.apply, "attn_scalar");
    EXPECT_EQ(back.position_encoding.seqpe.embed_dim, 96);
    EXPECT_EQ(back.data.source, "sotu");
    fs::remove_all(dir);
}
