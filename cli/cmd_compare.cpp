// seqpe compare PROJECT: evaluates every run of a project on identical footing and writes one
// table (encoding x length or resolution) as JSON and CSV, plus each run's own eval/ results; with
// seeds, the mean, sd and min-max of each seed group beside the per-seed values.
#include "commands.h"
#include "seqpe/checkpoints.h"
#include "seqpe/comparisons.h"
#include "seqpe/encodings.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/report_summary.h"
#include "signals.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <tuple>

namespace seqpe::cli {

namespace {

// A run's existing report, when it is of the run's newest checkpoint and holds every requested
// mode (and length, when given) on the requested split.
std::optional<EvalReport> reusable_report(const RunPaths& p, const RunConfig& c, const CompareArgs& a) {
    // Image runs: the report of the requested protocol, wherever the newest one is of the other.
    fs::path file = p.eval_report();
    std::error_code ec;
    const std::string protocol = a.image_resize.empty() ? c.eval.image_resize : a.image_resize;
    if (c.task == "image" && fs::exists(p.eval_report(protocol), ec)) file = p.eval_report(protocol);
    if (!fs::exists(file, ec)) return std::nullopt;
    try {
        EvalReport r = eval_report_from_json(read_file(file), file.string());
        const auto ck = latest_checkpoint(p);
        if (!ck || checkpoint_step(*ck) != r.step) return std::nullopt;
        if (r.split != (a.split.empty() ? c.eval.split : a.split)) return std::nullopt;
        if (c.task == "image" && r.image_resize != protocol) return std::nullopt;
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

std::string csv_number(double v) { // empty for NaN
    std::ostringstream o;
    o.precision(8);
    if (std::isfinite(v)) o << v;
    return o.str();
}

nlohmann::ordered_json json_number(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

// comparison.csv (one row per run, mode and length; the seed group last, so that the columns of
// projects without seeds stay where scripts expect them), comparison.json (every report and the
// summary), comparison-summary.csv (one row per seed group, mode and length: n, mean, sd, min, max
// and the per-seed values).
void write_comparison_files(const fs::path& out, const std::string& project,
                            const std::vector<std::pair<std::string, EvalReport>>& reports,
                            const std::vector<GroupSummary>& groups, const std::vector<PairComparison>& comparisons,
                            int64_t train_length) {
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
    sum << "group,encoding,metric,mode,length,depth,n,mean,sd,min,max,ci95_lo,ci95_hi,values\n";
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
                << c.sd << "," << c.min << "," << c.max << "," << csv_number(c.ci95.lo) << "," << csv_number(c.ci95.hi)
                << "," << values << "\n";
            nlohmann::ordered_json cj = {{"mode", c.mode}, {"length", c.length}};
            if (c.depth >= 0) cj["depth"] = c.depth;
            cj["n"] = c.n();
            cj["mean"] = c.mean;
            cj["sd"] = c.sd;
            cj["min"] = c.min;
            cj["max"] = c.max;
            cj["ci95"] = {json_number(c.ci95.lo), json_number(c.ci95.hi)}; // t interval over the seeds
            cj["values"] = c.values;
            cj["runs"] = c.runs;
            const int best = clear_best_tested(groups, c.mode, c.length, c.depth);
            cj["clear_best"] = best >= 0 && groups[static_cast<size_t>(best)].group == g.group;
            gj["cells"].push_back(cj);
        }
        j["summary"].push_back(gj);
    }
    // Which differences hold: per column, the reference (or the best mean) against every other
    // group, paired over shared seeds (else Welch), Holm within the column.
    std::ostringstream tests;
    tests.precision(8);
    tests << "a,b,mode,length,depth,test,n_a,n_b,pairs,diff,ci95_lo,ci95_hi,t,df,p,p_holm,significant,note\n";
    j["comparisons"] = nlohmann::ordered_json::array();
    for (const PairComparison& c : comparisons) {
        const Comparison& st = c.stats;
        tests << c.a << "," << c.b << "," << c.mode << "," << c.length << ","
              << (c.depth >= 0 ? std::to_string(c.depth) : std::string()) << "," << st.test << "," << st.n_a << ","
              << st.n_b << "," << st.pairs << "," << csv_number(st.diff) << "," << csv_number(st.ci95.lo) << ","
              << csv_number(st.ci95.hi) << "," << csv_number(st.t) << "," << csv_number(st.df) << ","
              << csv_number(st.p) << "," << csv_number(st.p_adjusted) << "," << (st.p_adjusted < 0.05 ? "yes" : "no")
              << ",\"" << st.why << "\"\n";
        j["comparisons"].push_back({{"a", c.a},
                                    {"b", c.b},
                                    {"mode", c.mode},
                                    {"length", c.length},
                                    {"depth", c.depth},
                                    {"test", st.test},
                                    {"diff", json_number(st.diff)},
                                    {"ci95", {json_number(st.ci95.lo), json_number(st.ci95.hi)}},
                                    {"p", json_number(st.p)},
                                    {"p_holm", json_number(st.p_adjusted)},
                                    {"line", comparison_line(c, train_length)}});
    }
    write_file_atomic(out / "comparison.json", j.dump(1) + "\n");
    write_file_atomic(out / "comparison.csv", csv.str());
    write_file_atomic(out / "comparison-summary.csv", sum.str());
    write_file_atomic(out / "comparison-tests.csv", tests.str());
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
                const int best = clear_best_tested(groups, m, l);
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
            const ResolvedConfig c = read_run_config(p);
            // A run short of its step budget (still training, stopped, or its final checkpoint
            // damaged) would enter the tables as if finished: named and left out unless --partial.
            const int64_t reached = resume_step(list_checkpoints(p));
            if (!a.partial && reached < c.train.steps) {
                const auto st = read_status(p);
                const bool training = st && st->state == RunState::Running;
                console.event("skip", "run " + run.name + ": not finished (its newest usable checkpoint is step " +
                                          std::to_string(reached) + " of " + std::to_string(c.train.steps) +
                                          (training ? ", still training" : "") +
                                          "); finish it with `seqpe train`, or pass --partial to compare it as it is");
                exit_code = kExitFailed;
                continue;
            }
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
    if (!a.reference.empty() &&
        std::none_of(groups.begin(), groups.end(), [&](const GroupSummary& g) { return g.group == a.reference; })) {
        std::string names;
        for (const auto& g : groups) names += (names.empty() ? "" : ", ") + g.group;
        console.error("--reference " + a.reference + ": no such seed group; groups: " + names);
        return kExitBadInput;
    }
    const std::vector<PairComparison> comparisons = compare_against(groups, a.reference);
    write_comparison_files(out, plan.project.name, reports, groups, comparisons, reports.front().second.train_length);
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
                    first.split.c_str(), first.task == "image" ? "resolutions" : "lengths",
                    seeded ? "; mean +- sd over the seeds, * = better than every other group (paired t-test over "
                             "shared seeds, else Welch; Holm over the column, p < 0.05)"
                           : "",
                    comparison_table(groups, seeded).c_str());
        // Per column: the reference (or the best) against its closest rival; comparison-tests.csv has all.
        if (seeded) {
            std::printf("\n%s against the closest other group, per column (docs/METHOD.md §14):\n",
                        a.reference.empty() ? "the best" : a.reference.c_str());
            std::map<std::tuple<std::string, int64_t, int64_t>, const PairComparison*> closest;
            for (const PairComparison& c : comparisons) {
                const auto key = std::make_tuple(c.mode, c.length, c.depth);
                const PairComparison*& k = closest[key];
                if (!k || (std::isfinite(c.stats.diff) &&
                           (!std::isfinite(k->stats.diff) || std::fabs(c.stats.diff) < std::fabs(k->stats.diff))))
                    k = &c;
            }
            for (const PairComparison& c : comparisons)
                if (closest[std::make_tuple(c.mode, c.length, c.depth)] == &c)
                    std::printf("  %s\n", comparison_line(c, first.train_length).c_str());
        }
        std::printf(
            "written: %s, %s%s\n", (out / "comparison.csv").c_str(), (out / "comparison.json").c_str(),
            seeded ? (", " + (out / "comparison-summary.csv").string() + ", " + (out / "comparison-tests.csv").string())
                         .c_str()
                   : "");
    }
    return exit_code;
}

} // namespace seqpe::cli
