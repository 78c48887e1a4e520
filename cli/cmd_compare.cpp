// seqpe compare PROJECT: evaluates every run of a project on identical footing and writes one
// table (encoding x length or resolution) as JSON and CSV, plus each run's own eval/ results; with
// seeds, the mean, sd and min-max of each seed group beside the per-seed values.
#include "commands.h"
#include "seqpe/encodings.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/report_summary.h"
#include "signals.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace seqpe::cli {

namespace {

// A run's existing report, when it is of the run's newest checkpoint and holds every requested
// mode (and length, when given) on the requested split.
std::optional<EvalReport> reusable_report(const RunPaths& p, const RunConfig& c, const CompareArgs& a) {
    const fs::path file = p.eval() / "extrapolation.json";
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        EvalReport r = eval_report_from_json(read_file(file), file.string());
        const auto ck = latest_checkpoint(p);
        if (!ck || checkpoint_step(*ck) != r.step) return std::nullopt;
        if (r.split != (a.split.empty() ? c.eval.split : a.split)) return std::nullopt;
        const std::string mode = a.mode.empty() ? c.eval.mode : a.mode;
        const std::vector<std::string> modes = evaluation_modes(c, mode);
        for (const auto& m : modes) {
            const bool any =
                std::any_of(r.rows.begin(), r.rows.end(), [&](const EvalRow& row) { return row.mode == m; });
            if (!any) return std::nullopt;
            for (const int64_t l : a.lengths)
                if (std::none_of(r.rows.begin(), r.rows.end(),
                                 [&](const EvalRow& row) { return row.mode == m && row.length == l; }))
                    return std::nullopt;
        }
        // Only what was asked for: the requested modes (and lengths, when given).
        std::erase_if(r.rows, [&](const EvalRow& row) {
            return std::find(modes.begin(), modes.end(), row.mode) == modes.end() ||
                   (!a.lengths.empty() && std::find(a.lengths.begin(), a.lengths.end(), row.length) == a.lengths.end());
        });
        return r;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string cell_text(double v, const std::string& metric) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", metric == "ppl" ? v : 100.0 * v);
    return b;
}

// comparison.csv (one row per run, mode and length; the seed group last, so that the columns of
// projects without seeds stay where scripts expect them), comparison.json (every report and the
// summary), comparison-summary.csv (one row per seed group, mode and length: n, mean, sd, min, max
// and the per-seed values).
void write_comparison_files(const fs::path& out, const std::string& project,
                            const std::vector<std::pair<std::string, EvalReport>>& reports,
                            const std::vector<GroupSummary>& groups) {
    std::ostringstream csv;
    csv.precision(8);
    csv << "run,encoding,task,split,mode,length,depth,train_length,metric,value,loss,count,group\n";
    nlohmann::ordered_json j;
    j["project"] = project;
    j["reports"] = nlohmann::ordered_json::array();
    for (const auto& [group, r] : reports) {
        auto rj = nlohmann::ordered_json::parse(eval_report_json(r));
        rj["group"] = group;
        j["reports"].push_back(rj);
        for (const auto& row : r.rows)
            csv << r.run << "," << r.encoding << "," << r.task << "," << r.split << "," << row.mode << "," << row.length
                << "," << (row.depth >= 0 ? std::to_string(row.depth) : std::string()) << "," << r.train_length << ","
                << r.metric << "," << (r.metric == "ppl" ? row.ppl : row.accuracy) << "," << row.loss << ","
                << row.count << "," << group << "\n";
    }
    std::ostringstream sum;
    sum.precision(8);
    sum << "group,encoding,metric,mode,length,depth,n,mean,sd,min,max,values\n";
    j["summary"] = nlohmann::ordered_json::array();
    for (const auto& g : groups) {
        nlohmann::ordered_json gj = {{"group", g.group}, {"encoding", g.encoding}, {"metric", g.metric}};
        gj["cells"] = nlohmann::ordered_json::array();
        for (const auto& c : g.cells) {
            std::string values;
            for (size_t i = 0; i < c.values.size(); ++i) {
                std::ostringstream v;
                v.precision(8);
                v << c.values[i];
                values += (i ? ";" : "") + v.str();
            }
            sum << g.group << "," << g.encoding << "," << g.metric << "," << c.mode << "," << c.length << ","
                << (c.depth >= 0 ? std::to_string(c.depth) : std::string()) << "," << c.n() << "," << c.mean << ","
                << c.sd << "," << c.min << "," << c.max << "," << values << "\n";
            nlohmann::ordered_json cj = {{"mode", c.mode}, {"length", c.length}};
            if (c.depth >= 0) cj["depth"] = c.depth;
            cj["n"] = c.n();
            cj["mean"] = c.mean;
            cj["sd"] = c.sd;
            cj["min"] = c.min;
            cj["max"] = c.max;
            cj["values"] = c.values;
            cj["runs"] = c.runs;
            const int best = clear_best(groups, c.mode, c.length, c.depth);
            cj["clear_best"] = best >= 0 && groups[static_cast<size_t>(best)].group == g.group;
            gj["cells"].push_back(cj);
        }
        j["summary"].push_back(gj);
    }
    write_file_atomic(out / "comparison.json", j.dump(1) + "\n");
    write_file_atomic(out / "comparison.csv", csv.str());
    write_file_atomic(out / "comparison-summary.csv", sum.str());
}

// Groups x (mode, length): the value (one seed) or mean +- sd (several), * on a column's clear best.
std::string comparison_table(const std::vector<GroupSummary>& groups, bool seeded) {
    std::vector<std::pair<std::string, int64_t>> cols;
    size_t name_w = 13;
    for (const auto& g : groups) {
        name_w = std::max(name_w, g.group.size() + 1);
        for (const auto& c : g.cells)
            if (c.depth < 0 && std::find(cols.begin(), cols.end(), std::pair{c.mode, c.length}) == cols.end())
                cols.emplace_back(c.mode, c.length);
    }
    const int cell_w = seeded ? 16 : 9;
    std::string table = std::string("run") + std::string(name_w - 3, ' ') + "encoding    ";
    if (seeded) table.insert(name_w, "n ");
    for (const auto& [m, l] : cols) {
        char h[48];
        std::snprintf(h, sizeof h, "%c%-*lld", m == "extend" ? ' ' : '~', cell_w, static_cast<long long>(l));
        table += h;
    }
    table += "\n";
    for (const auto& g : groups) {
        table += g.group + std::string(name_w - g.group.size(), ' ');
        if (seeded) table += std::to_string(g.cells.empty() ? 0 : g.cells.front().n()) + " ";
        char e[32];
        std::snprintf(e, sizeof e, "%-11s ", g.encoding.c_str());
        table += e;
        for (const auto& [m, l] : cols) {
            std::string cell = "-";
            if (const SummaryCell* c = g.cell(m, l)) {
                cell = cell_text(c->mean, g.metric);
                if (seeded) cell += " +- " + cell_text(c->sd, g.metric);
                const int best = clear_best(groups, m, l);
                if (best >= 0 && groups[static_cast<size_t>(best)].group == g.group) cell += "*";
            }
            char c[48];
            std::snprintf(c, sizeof c, " %-*s", cell_w, cell.c_str());
            table += c;
        }
        table += "\n";
    }
    return table;
}

} // namespace

int cmd_compare(const CompareArgs& a, Console& console) {
    Plan plan = make_plan(a.project, a.overrides, a.runs, a.out);
    if (has_errors(plan.diagnostics)) {
        console.error(format_diagnostics(plan.diagnostics, a.project));
        return kExitBadInput;
    }
    const std::stop_token stop = install_stop_signals();
    std::vector<std::pair<std::string, EvalReport>> reports; // (seed group, report)
    int exit_code = kExitOk;
    for (const auto& run : plan.runs) {
        if (stop.stop_requested()) return kExitCancelled;
        const RunPaths p{run.dir};
        if (!is_run_dir(p.root) || !latest_checkpoint(p)) {
            console.event("skip",
                          "run " + run.name + ": not trained yet (" + run.dir.string() + "); run `seqpe train` first");
            exit_code = kExitFailed;
            continue;
        }
        try {
            const RunConfig c = read_run_config(p);
            if (a.reuse) {
                if (auto kept = reusable_report(p, c, a)) {
                    console.event("reuse", "run " + run.name + ": its report of step " + std::to_string(kept->step) +
                                               " is kept (--reuse)");
                    kept->run = run.name;
                    reports.emplace_back(run.group, std::move(*kept));
                    continue;
                }
            }
            const EvalOptions o = eval_options(a, resolve_run_dataset(p.root, c, console, stop));
            console.begin_run(run.name, run.dir.string(), 0, 0);
            EvalReport rep = evaluate_run(p.root, o, console, stop);
            rep.run = run.name; // "seqpe/seed-2", not the directory's last component
            reports.emplace_back(run.group, std::move(rep));
        } catch (...) {
            const RunResult r = run_result_of_current_exception();
            if (r.outcome == RunOutcome::Cancelled) return kExitCancelled;
            console.error("run " + run.name + ": " + r.message);
            exit_code = exit_code_of(r);
            if (r.bad_input) return exit_code;
        }
    }
    if (reports.empty()) {
        console.error("no run of " + a.project + " could be evaluated");
        return kExitFailed;
    }
    const fs::path out = a.out.empty() ? plan.project.output_path() : fs::path(a.out);
    const std::vector<GroupSummary> groups = summarise_by_group(reports);
    write_comparison_files(out, plan.project.name, reports, groups);
    const bool seeded = std::any_of(groups.begin(), groups.end(),
                                    [](const GroupSummary& g) { return !g.cells.empty() && g.cells.front().n() > 1; });
    const EvalReport& first = reports.front().second;
    const std::string metric = first.metric == "ppl"  ? "perplexity (lower is better)"
                               : first.metric == "em" ? "exact match % (higher is better)"
                                                      : "top-1 accuracy % (higher is better)";
    if (console.json()) {
        console.event("comparison", (out / "comparison.csv").string());
    } else {
        std::printf("%s on %s; columns are evaluation %s (~ = interpolate mode)%s\n%s", metric.c_str(),
                    first.split.c_str(), first.metric == "ppl" ? "lengths" : "resolutions",
                    seeded ? "; mean +- sd over the seeds, * = best by more than the min-max spread of both" : "",
                    comparison_table(groups, seeded).c_str());
        std::printf("written: %s, %s%s\n", (out / "comparison.csv").c_str(), (out / "comparison.json").c_str(),
                    seeded ? (", " + (out / "comparison-summary.csv").string()).c_str() : "");
    }
    return exit_code;
}

} // namespace seqpe::cli
