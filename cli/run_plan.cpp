// Project -> runs to execute, and dataset resolution for the commands.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/dataset.h"
#include "seqpe/options.h"

#include <nlohmann/json.hpp>

namespace seqpe::cli {

Plan make_plan(const std::string& file, const std::vector<std::string>& overrides,
               const std::vector<std::string>& only_runs, const std::string& out_dir) {
    Plan plan;
    ProjectLoad load = load_project(file);
    plan.project = load.project;
    plan.diagnostics = load.diagnostics;
    if (has_errors(plan.diagnostics)) return plan;
    for (const auto& name : only_runs)
        if (!plan.project.find_run(name)) {
            std::string names;
            for (const auto& r : plan.project.runs) names += (names.empty() ? "" : ", ") + r.name;
            plan.diagnostics.push_back({"--run", "no run named '" + name + "' in the project; runs: " + names});
        }
    const fs::path base_dir = fs::path(file).parent_path();
    for (const auto& r : plan.project.runs) {
        if (!only_runs.empty() && std::find(only_runs.begin(), only_runs.end(), r.name) == only_runs.end()) continue;
        PlannedRun pr;
        pr.name = r.name;
        auto diags = project_run_config(plan.project, r, pr.config);
        for (const auto& o : overrides) {
            auto d = apply_override(pr.config, o);
            for (auto& x : d) x.path = "--set " + (x.path.empty() ? o : x.path);
            diags.insert(diags.end(), d.begin(), d.end());
        }
        resolve_paths(pr.config, base_dir);
        auto v = validate(pr.config);
        diags.insert(diags.end(), v.begin(), v.end());
        for (auto& d : diags) {
            d.path = (plan.project.runs.size() > 1 ? "run " + r.name + ": " : std::string()) + d.path;
            plan.diagnostics.push_back(d);
        }
        pr.dir = (out_dir.empty() ? plan.project.output_path() : fs::path(out_dir)) / r.name;
        plan.runs.push_back(std::move(pr));
    }
    return plan;
}

fs::path prepare_with_progress(const RunConfig& c, Console& console, std::stop_token stop) {
    if (!c.data.dataset_dir.empty()) return c.data.dataset_dir;
    std::string last_stage;
    return prepare_dataset(
        c,
        [&](const PrepareEvent& e) {
            if (e.event == "stage" && e.stage != last_stage) {
                last_stage = e.stage;
                console.event("data", "data: " + (e.message.empty() ? e.stage : e.message));
            } else if (e.event == "log" && !e.message.empty()) {
                console.event("data", "data: " + e.message);
            } else if (e.event == "done") {
                console.event("data", "data: " + e.message);
            }
        },
        stop);
}

fs::path resolve_run_dataset(const fs::path& run_dir, const RunConfig& c, Console& console, std::stop_token stop) {
    if (!c.data.dataset_dir.empty()) return c.data.dataset_dir;
    try {
        const auto meta = nlohmann::json::parse(read_file(run_dir / "meta.json"));
        const fs::path dir = meta.at("dataset").at("dir").get<std::string>();
        const DatasetManifest m = read_manifest(dir);
        if (m.recipe_hash == meta.at("dataset").value("hash", "")) return dir;
    } catch (const std::exception&) {
        // Trained elsewhere, or the cache was cleared: prepare the dataset again.
    }
    return prepare_with_progress(c, console, stop);
}

} // namespace seqpe::cli
