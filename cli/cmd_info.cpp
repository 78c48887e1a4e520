// seqpe info RUN_DIR: what a run is, where it stands, and what it measured.
#include "commands.h"

#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/evaluate.h"
#include "seqpe/options.h"
#include "seqpe/report_summary.h"
#include "seqpe/run_dir.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace seqpe::cli {

// The diagnostics (train.diagnostics_every) at the first and the last step that has them.
static void print_diagnostics(const Record& a, const Record& b) {
    std::printf("positions step %lld -> %lld:", static_cast<long long>(a.step), static_cast<long long>(b.step));
    const std::pair<const char*, const char*> shown[] = {{"pe_share", "PE share of logits"},
                                                         {"pe_share_input", "PE/input RMS"},
                                                         {"contrastive_acc", "contrastive acc"},
                                                         {"share_main", "encoder grad from main task"},
                                                         {"rank_corr", "rank corr"},
                                                         {"pc1_share", "PC1 share"}};
    bool first = true;
    for (const auto& [key, label] : shown) {
        const auto x = a.get(key), y = b.get(key);
        if (!x || !y) continue;
        std::printf("%s %s %.3g -> %.3g", first ? "" : ",", label, *x, *y);
        first = false;
    }
    if (const auto c = b.get("contrastive_chance")) std::printf(" (chance %.3g)", *c);
    std::printf("\n");
    // A SeqPE run whose positions barely act on the attention and whose contrastive task is near
    // chance is not learning its encoding: say so where the user looks.
    const auto share = b.get("pe_share"), acc = b.get("contrastive_acc"), chance = b.get("contrastive_chance");
    if (share && *share < 0.1)
        std::printf("          warning: the position term moves the attention logits by %.1f%% of the content term; "
                    "the model barely uses its positions\n",
                    100 * *share);
    if (acc && chance && *acc < 2 * *chance)
        std::printf("          warning: contrastive accuracy %.3g is near chance (%.3g)\n", *acc, *chance);
}

// The run directories below `dir` (a run's seeds, a sweep's grid points), three levels at most.
static void find_runs(const fs::path& dir, const fs::path& rel, int depth, std::vector<fs::path>& out) {
    std::error_code ec;
    std::vector<fs::path> kids;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec)) kids.push_back(e.path());
    std::sort(kids.begin(), kids.end());
    for (const auto& k : kids) {
        if (is_run_dir(k))
            out.push_back(rel / k.filename());
        else if (depth > 1)
            find_runs(k, rel / k.filename(), depth - 1, out);
    }
}

// `seqpe info` on a folder of runs (a run with seeds, a sweep): one line per run, then the mean,
// sd and min-max over the runs that have an evaluation report.
static int info_of_group(const fs::path& dir, const std::vector<fs::path>& runs, bool json) {
    std::vector<std::pair<std::string, EvalReport>> reports;
    nlohmann::ordered_json j;
    j["dir"] = dir.string();
    j["runs"] = nlohmann::ordered_json::array();
    if (!json) std::printf("%zu runs in %s\n", runs.size(), dir.c_str());
    for (const auto& rel : runs) {
        const RunPaths p{dir / rel};
        const auto st = read_status(p);
        std::optional<EvalReport> rep;
        std::error_code ec;
        try {
            if (fs::exists(p.eval() / "extrapolation.json", ec))
                rep = eval_report_from_json(read_file(p.eval() / "extrapolation.json"),
                                            (p.eval() / "extrapolation.json").string());
        } catch (const std::exception&) {
        }
        if (rep) {
            rep->run = rel.string();
            reports.emplace_back(rel.has_parent_path() && rel.filename().string().rfind("seed-", 0) == 0
                                     ? rel.parent_path().string()
                                     : rel.string(),
                                 *rep);
        }
        const auto cks = list_checkpoints(p, CheckpointCheck::Sizes);
        const bool damaged = !cks.empty() && !cks.front().usable();
        if (json) {
            nlohmann::ordered_json r = {{"run", rel.string()},
                                        {"state", st ? run_state_name(st->state) : "unknown"},
                                        {"step", st ? st->step : 0},
                                        {"evaluated", rep.has_value()}};
            if (damaged) r["damaged_checkpoint"] = cks.front().dir.filename().string();
            j["runs"].push_back(r);
        } else {
            std::printf("  %-32s %-10s step %-8lld %s%s\n", rel.c_str(), st ? run_state_name(st->state) : "unknown",
                        static_cast<long long>(st ? st->step : 0), rep ? "evaluated" : "not evaluated",
                        damaged ? "  (newest checkpoint damaged)" : "");
        }
    }
    const auto groups = summarise_by_group(reports);
    if (json) {
        j["summary"] = nlohmann::ordered_json::array();
        for (const auto& g : groups)
            for (const auto& c : g.cells)
                j["summary"].push_back({{"group", g.group},
                                        {"mode", c.mode},
                                        {"length", c.length},
                                        {"n", c.n()},
                                        {"mean", c.mean},
                                        {"sd", c.sd},
                                        {"min", c.min},
                                        {"max", c.max}});
        std::puts(j.dump(2).c_str());
        return kExitOk;
    }
    for (const auto& g : groups) {
        std::printf("%s (%s, %zu evaluated):", g.group.c_str(), g.encoding.c_str(),
                    g.cells.empty() ? 0 : g.cells.front().n());
        const double k = g.metric == "ppl" ? 1.0 : 100.0;
        for (const auto& c : g.cells)
            if (c.depth < 0)
                std::printf(" %s@%lld=%.2f+-%.2f [%.2f, %.2f]", c.mode.c_str(), static_cast<long long>(c.length),
                            k * c.mean, k * c.sd, k * c.min, k * c.max);
        std::printf("\n");
    }
    return kExitOk;
}

int cmd_info(const std::string& dir, bool json) {
    const RunPaths p{dir};
    if (!is_run_dir(p.root)) {
        std::vector<fs::path> runs;
        std::error_code ec;
        if (fs::is_directory(p.root, ec)) find_runs(p.root, {}, 3, runs);
        if (!runs.empty()) return info_of_group(p.root, runs, json);
        std::fprintf(stderr, "seqpe: error: %s: not a run directory (no config.json) and no runs below it\n",
                     dir.c_str());
        return kExitBadInput;
    }
    ResolvedConfig c;
    try {
        c = read_run_config(p);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seqpe: error: %s\n", e.what());
        return kExitBadInput;
    }
    const auto status = read_status(p);
    const auto records = read_metrics(p.metrics());
    const Record* last_train = nullptr;
    const Record* last_eval = nullptr;
    const Record *first_diag = nullptr, *last_diag = nullptr;
    for (const auto& r : records) {
        if (r.kind == "train") last_train = &r;
        if (r.kind == "eval") last_eval = &r;
        if (r.kind == "diag") {
            if (!first_diag) first_diag = &r;
            last_diag = &r;
        }
    }
    const std::vector<CheckpointInfo> checkpoints = list_checkpoints(p, CheckpointCheck::Hashes);
    std::error_code ec;
    std::optional<EvalReport> report;
    try {
        if (fs::exists(p.eval() / "extrapolation.json", ec))
            report = eval_report_from_json(read_file(p.eval() / "extrapolation.json"),
                                           (p.eval() / "extrapolation.json").string());
    } catch (const std::exception&) {
    }
    const ResolvedConfig defaults; // the resolved default config
    if (json) {
        nlohmann::ordered_json j;
        j["run"] = p.root.filename().string();
        j["dir"] = p.root.string();
        j["task"] = c.task;
        j["encoding"] = c.position_encoding.type;
        j["config_hash"] = config_hash(c);
        j["config_differs"] = nlohmann::json::parse(config_diff_json(c, defaults));
        if (status)
            j["status"] = {{"state", run_state_name(status->state)},
                           {"step", status->step},
                           {"total_steps", status->total_steps},
                           {"message", status->message}};
        if (last_train) j["last_train"] = nlohmann::json::parse(record_to_json(*last_train));
        if (last_eval) j["last_eval"] = nlohmann::json::parse(record_to_json(*last_eval));
        if (first_diag)
            j["diagnostics"] = {{"first", nlohmann::json::parse(record_to_json(*first_diag))},
                                {"last", nlohmann::json::parse(record_to_json(*last_diag))}};
        nlohmann::ordered_json cks = nlohmann::ordered_json::array();
        for (const auto& ck : checkpoints) {
            nlohmann::ordered_json o = {{"name", ck.dir.filename().string()},
                                        {"step", ck.step},
                                        {"state", checkpoint_health_name(ck.health)},
                                        {"bytes", ck.bytes},
                                        {"time", ck.time}};
            if (!ck.problem.empty()) o["problem"] = ck.problem;
            cks.push_back(o);
        }
        j["checkpoints"] = cks;
        if (report) j["eval"] = nlohmann::json::parse(eval_report_json(*report));
        std::puts(j.dump(2).c_str());
        return kExitOk;
    }
    std::printf("run       %s\n", p.root.string().c_str());
    std::printf("task      %s, encoding %s, config %s\n", c.task.c_str(), c.position_encoding.type.c_str(),
                config_hash(c).c_str());
    std::printf("model     %lld layers, width %lld, %lld heads; batch %lld x %lld tokens, %lld steps\n",
                static_cast<long long>(c.model.n_layer), static_cast<long long>(c.model.d_model),
                static_cast<long long>(c.model.n_head), static_cast<long long>(c.train.batch_size),
                static_cast<long long>(c.train.seq_len), static_cast<long long>(c.train.steps));
    const auto diff = differing_options(c, defaults);
    if (!diff.empty()) {
        std::printf("differs   ");
        for (size_t i = 0; i < diff.size(); ++i)
            std::printf("%s%s=%s", i ? ", " : "", diff[i].c_str(), option_json(c, diff[i]).c_str());
        std::printf("\n");
    }
    if (status)
        std::printf("status    %s at step %lld of %lld%s%s\n", run_state_name(status->state),
                    static_cast<long long>(status->step), static_cast<long long>(status->total_steps),
                    status->message.empty() ? "" : ": ", status->message.c_str());
    if (last_train)
        std::printf("train     step %lld: loss %.4f, %.0f tok/s\n", static_cast<long long>(last_train->step),
                    last_train->get("loss").value_or(NAN), last_train->get("tokens_per_s").value_or(0));
    if (last_eval) {
        std::printf("valid     step %lld: loss %.4f", static_cast<long long>(last_eval->step),
                    last_eval->get("loss").value_or(NAN));
        if (auto v = last_eval->get("ppl")) std::printf(", ppl %.2f", *v);
        if (auto v = last_eval->get("accuracy")) std::printf(", accuracy %.2f%%", 100 * *v);
        std::printf("\n");
    }
    if (first_diag) print_diagnostics(*first_diag, *last_diag);
    // Newest first; damaged and incomplete ones named with their problem.
    std::printf("checkpoints %zu\n", checkpoints.size());
    for (const auto& ck : checkpoints)
        std::printf("  %-22s %-24s %9s  %s%s%s\n", ck.dir.filename().string().c_str(),
                    checkpoint_health_name(ck.health), human_bytes(static_cast<double>(ck.bytes)).c_str(),
                    ck.time.c_str(), ck.problem.empty() ? "" : "  ", ck.problem.c_str());
    if (!checkpoints.empty() && !checkpoints.front().usable())
        std::printf("warning   the newest checkpoint is %s; resume and evaluation use the newest complete one\n",
                    checkpoint_health_name(checkpoints.front().health));
    if (report) {
        std::printf("evaluated (%s, step %lld):", report->split.c_str(), static_cast<long long>(report->step));
        for (const auto& r : report->rows)
            std::printf(" %s@%lld=%.3f", r.mode.c_str(), static_cast<long long>(r.length),
                        report->metric == "ppl" ? r.ppl : 100 * r.accuracy);
        std::printf("\n");
    }
    return kExitOk;
}

} // namespace seqpe::cli
