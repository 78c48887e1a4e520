// seqpe compare PROJECT: evaluates every run of a project on identical footing and writes one
// table (encoding x length or resolution) as JSON and CSV, plus each run's own eval/ results.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/evaluate.h"
#include "signals.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seqpe::cli {

int cmd_compare(const CompareArgs& a, Console& console) {
    Plan plan = make_plan(a.project, a.overrides, a.runs, a.out);
    if (has_errors(plan.diagnostics)) {
        console.error(format_diagnostics(plan.diagnostics, a.project));
        return kExitBadInput;
    }
    const std::stop_token stop = install_stop_signals();
    std::vector<EvalReport> reports;
    int exit_code = kExitOk;
    for (const auto& run : plan.runs) {
        if (stop.stop_requested()) return kExitCancelled;
        const RunPaths p{run.dir};
        if (!is_run_dir(p.root) || !latest_checkpoint(p)) {
            console.event("skip", "run " + run.name + ": not trained yet (" + run.dir.string() + "); run `seqpe train` first");
            exit_code = kExitFailed;
            continue;
        }
        try {
            const RunConfig c = read_run_config(p);
            EvalOptions o;
            o.dataset_dir = resolve_run_dataset(p.root, c, console, stop);
            o.lengths = a.lengths;
            o.mode = a.mode;
            o.split = a.split;
            o.max_tokens = a.max_tokens;
            o.precision = a.precision;
            console.begin_run(run.name, run.dir.string(), 0, 0);
            reports.push_back(evaluate_run(p.root, o, console, stop));
        } catch (const Cancelled&) {
            return kExitCancelled;
        } catch (const InputError& e) {
            console.error("run " + run.name + ": " + e.what());
            return kExitBadInput;
        } catch (const std::exception& e) {
            console.error("run " + run.name + ": " + e.what());
            exit_code = kExitFailed;
        }
    }
    if (reports.empty()) {
        console.error("no run of " + a.project + " could be evaluated");
        return kExitFailed;
    }
    // Long format CSV (one row per run, mode and length) and the JSON of every report.
    std::ostringstream csv;
    csv.precision(8);
    csv << "run,encoding,task,split,mode,length,depth,train_length,metric,value,loss,count\n";
    nlohmann::ordered_json j;
    j["project"] = plan.project.name;
    j["reports"] = nlohmann::ordered_json::array();
    for (const auto& r : reports) {
        j["reports"].push_back(nlohmann::ordered_json::parse(eval_report_json(r)));
        for (const auto& row : r.rows)
            csv << r.run << "," << r.encoding << "," << r.task << "," << r.split << "," << row.mode << "," << row.length << ","
                << (row.depth >= 0 ? std::to_string(row.depth) : std::string()) << "," << r.train_length << "," << r.metric << "," << (r.metric == "ppl" ? row.ppl : row.accuracy) << ","
                << row.loss << "," << row.count << "\n";
    }
    const fs::path out = a.out.empty() ? plan.project.output_path() : fs::path(a.out);
    write_file_atomic(out / "comparison.json", j.dump(1) + "\n");
    write_file_atomic(out / "comparison.csv", csv.str());
    // Pivot table: runs x (mode, length).
    std::vector<std::pair<std::string, int64_t>> cols;
    for (const auto& r : reports)
        for (const auto& row : r.rows)
            if (row.depth < 0 && std::find(cols.begin(), cols.end(), std::pair{row.mode, row.length}) == cols.end())
                cols.emplace_back(row.mode, row.length);
    std::string table = "run           encoding    ";
    for (const auto& [m, l] : cols) {
        char h[32];
        std::snprintf(h, sizeof h, "%c%-9lld", m == "extend" ? ' ' : '~', static_cast<long long>(l));
        table += h;
    }
    table += "\n";
    for (const auto& r : reports) {
        char h[64];
        std::snprintf(h, sizeof h, "%-13s %-11s ", r.run.c_str(), r.encoding.c_str());
        table += h;
        for (const auto& col : cols) {
            std::string cell = "-";
            for (const auto& row : r.rows)
                if (row.depth < 0 && row.mode == col.first && row.length == col.second) {
                    char v[32];
                    std::snprintf(v, sizeof v, "%.2f", r.metric == "ppl" ? row.ppl : 100.0 * row.accuracy);
                    cell = v;
                }
            char c[32];
            std::snprintf(c, sizeof c, " %-9s", cell.c_str());
            table += c;
        }
        table += "\n";
    }
    const std::string& kind = reports.front().metric;
    const std::string metric = kind == "ppl" ? "perplexity (lower is better)"
                               : kind == "em" ? "exact match % (higher is better)"
                                              : "top-1 accuracy % (higher is better)";
    if (console.json()) {
        console.event("comparison", (out / "comparison.csv").string());
    } else {
        std::printf("%s on %s; columns are evaluation %s (~ = interpolate mode)\n%s", metric.c_str(),
                    reports.front().split.c_str(), reports.front().metric == "ppl" ? "lengths" : "resolutions", table.c_str());
        std::printf("written: %s, %s\n", (out / "comparison.csv").c_str(), (out / "comparison.json").c_str());
    }
    return exit_code;
}

} // namespace seqpe::cli
