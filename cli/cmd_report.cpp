// seqpe report PROJECT: the project's comparison as tables for a paper (Markdown and LaTeX), from
// the runs' evaluation reports (evaluate first: `seqpe train` does when a run completes, `seqpe
// compare` for the rest). Nothing is evaluated here.
#include "commands.h"

#include "seqpe/common/files.h"
#include "seqpe/common/version.h"
#include "seqpe/paper_tables.h"
#include "seqpe/run_dir.h"

#include <algorithm>
#include <cstdio>

namespace seqpe::cli {

namespace fs = std::filesystem;

int cmd_report(const ReportArgs& a, Console& console) {
    Plan plan = make_plan(a.project, {}, {}, a.out);
    if (has_errors(plan.diagnostics)) {
        console.error(format_diagnostics(plan.diagnostics, a.project));
        return kExitBadInput;
    }
    std::vector<std::pair<std::string, EvalReport>> reports;
    std::vector<std::string> missing;
    std::vector<std::optional<int64_t>> seeds;
    const PlannedRun* described = nullptr; // its stored config describes the setup (as trained, --set included)
    for (const auto& run : plan.runs) {
        const fs::path file = RunPaths{run.dir}.eval() / "extrapolation.json";
        std::error_code ec;
        if (!fs::exists(file, ec)) {
            missing.push_back(run.name);
            continue;
        }
        EvalReport r = eval_report_from_json(read_file(file), file.string());
        r.run = run.name;
        reports.emplace_back(run.group, std::move(r));
        seeds.push_back(run.seed);
        if (!described) described = &run;
    }
    if (reports.empty()) {
        console.error("no run of " + a.project +
                      " has an evaluation report; train it (`seqpe train` evaluates each "
                      "run when it completes) or `seqpe compare` it first");
        return kExitFailed;
    }
    for (const auto& m : missing) console.event("skip", "run " + m + ": no evaluation report yet (not in the tables)");
    const std::vector<GroupSummary> groups = summarise_by_group(reports);
    const fs::path out = (a.out.empty() ? plan.project.output_path() : fs::path(a.out)) / "report";
    // The figures the tables go with, when `seqpe-workbench --export` has written them.
    std::vector<std::string> figures;
    const fs::path figs = out.parent_path() / "figures";
    std::error_code ec;
    if (fs::is_directory(figs, ec))
        for (const auto& e : fs::directory_iterator(figs, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind("extrapolation-all-curves-", 0) == 0 && e.path().extension() == ".pdf")
                figures.push_back("../figures/" + name);
        }
    std::sort(figures.begin(), figures.end());
    RunConfig trained = described->config;
    try {
        trained = read_run_config(RunPaths{described->dir});
    } catch (const std::exception&) {
        // A report without a readable config: the project's config describes it.
    }
    const TableSetup setup =
        table_setup(plan.project.name, trained, reported_seeds(seeds), reports.front().second.precision, kGitCommit);
    fs::create_directories(out);
    write_file_atomic(out / "results.md", results_markdown(groups, setup, figures));
    write_file_atomic(out / "results.tex", results_latex(groups, setup, figures));
    if (!missing.empty())
        console.event("warning", std::to_string(missing.size()) + " of " + std::to_string(plan.runs.size()) +
                                     " runs have no report yet and are left out of the tables");
    console.event("report", (out / "results.md").string() + ", " + (out / "results.tex").string());
    return missing.empty() ? kExitOk : kExitFailed;
}

} // namespace seqpe::cli
