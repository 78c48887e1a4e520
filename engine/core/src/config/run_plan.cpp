// Project -> planned runs: runs x sweep grid x seeds, each resolved and validated.
#include "seqpe/run_plan.h"

#include "option_json.h"
#include "project_grid.h"
#include "seqpe/common/text.h"
#include "seqpe/options.h"

#include <algorithm>
#include <limits>
#include <set>

namespace seqpe {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxRunsCeiling = 1000000; // max_runs itself is bounded: a typo must not plan 10^12 runs

} // namespace

void read_project_grid(const json& j, Project& p, std::vector<Diagnostic>& diags) {
    const size_t before = diags.size(); // problems found elsewhere in the file do not hide these
    if (j.contains("seeds")) {
        const json& s = j["seeds"];
        std::set<int64_t> seen;
        if (!s.is_array() || s.empty()) {
            diags.push_back({"seeds", "expected a non-empty list of integers, e.g. [1, 2, 3]"});
        } else {
            const OptionInfo* seed = find_option("train.seed");
            for (size_t i = 0; i < s.size(); ++i) {
                const std::string at = "seeds[" + std::to_string(i) + "]";
                auto r = option_from_json(*seed, s[i]);
                if (auto* d = std::get_if<Diagnostic>(&r)) {
                    diags.push_back({at, d->message});
                    continue;
                }
                const int64_t v = std::get<int64_t>(std::get<OptionValue>(r));
                if (!seen.insert(v).second)
                    diags.push_back({at, "seed " + std::to_string(v) + " is listed twice"});
                else
                    p.seeds.push_back(v);
            }
        }
    }
    if (j.contains("sweep")) {
        const json& s = j["sweep"];
        if (!s.is_object() || s.empty()) {
            diags.push_back(
                {"sweep", "expected an object of option paths and value lists, e.g. {\"optim.lr\": [0.001, 0.002]}"});
        } else {
            for (auto it = s.begin(); it != s.end(); ++it) {
                const std::string at = "sweep." + it.key();
                const OptionInfo* o = find_option(it.key());
                if (!o) {
                    diags.push_back({at, "unknown option" + option_suggestion(it.key())});
                    continue;
                }
                if (it.key() == "train.seed" && j.contains("seeds")) {
                    diags.push_back({at, "the project lists seeds: sweep other options, or drop \"seeds\""});
                    continue;
                }
                if (!it.value().is_array() || it.value().empty()) {
                    diags.push_back({at, "expected a non-empty list of values, e.g. [" +
                                             quote_for_message(option_json(RunConfig{}, o->path)) + ", ...]"});
                    continue;
                }
                std::vector<std::string> values;
                std::set<std::string> labels;
                for (size_t i = 0; i < it.value().size(); ++i) {
                    const json& v = it.value()[i];
                    const std::string vat = at + "[" + std::to_string(i) + "]";
                    auto r = option_from_json(*o, v);
                    if (auto* d = std::get_if<Diagnostic>(&r)) {
                        diags.push_back({vat, d->message});
                        continue;
                    }
                    if (!labels.insert(sweep_value_label(v.dump())).second) {
                        diags.push_back({vat, quote_for_message(v.dump()) +
                                                  " is listed twice (or names the same run as another value)"});
                        continue;
                    }
                    values.push_back(v.dump());
                }
                p.sweep.emplace_back(it.key(), std::move(values));
            }
        }
    }
    if (j.contains("max_runs")) {
        const json& m = j["max_runs"];
        if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > kMaxRunsCeiling)
            diags.push_back({"max_runs", "expected an integer in [1, " + std::to_string(kMaxRunsCeiling) +
                                             "]: the largest grid the project may expand to"});
        else
            p.max_runs = m.get<int64_t>();
    }
    if (!has_errors({diags.begin() + static_cast<std::ptrdiff_t>(before), diags.end()})) {
        const int64_t n = planned_run_count(p);
        if (n > p.max_runs)
            diags.push_back({p.sweep.empty() ? "seeds" : "sweep",
                             "the project expands to " + std::to_string(n) +
                                 " runs, more than max_runs = " + std::to_string(p.max_runs) +
                                 "; shorten the lists, or set \"max_runs\": " + std::to_string(n) + " to confirm"});
    }
}

void write_project_grid(const Project& p, json& j) {
    if (!p.seeds.empty()) j["seeds"] = p.seeds;
    if (!p.sweep.empty()) {
        json s = json::object();
        for (const auto& [path, values] : p.sweep) {
            json list = json::array();
            for (const auto& v : values) list.push_back(json::parse(v));
            s[path] = list;
        }
        j["sweep"] = s;
    }
    if (p.max_runs != 1000) j["max_runs"] = p.max_runs;
}

std::string sweep_value_label(const std::string& json_text) {
    std::string v = json_text;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    std::string out;
    for (const char ch : v) {
        const bool keep =
            std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '+' || ch == '_';
        if (keep)
            out += ch;
        else if (ch == ',' || ch == ' ' || ch == '/' || ch == ':')
            out += '_';
        // brackets, quotes and other punctuation are dropped: [1,2,4] -> 1_2_4
    }
    if (out.empty() || out == "." || out == "..") out = "_";
    return out.substr(0, 40);
}

int64_t planned_run_count(const Project& p) {
    const int64_t cap = std::numeric_limits<int64_t>::max();
    int64_t n = static_cast<int64_t>(std::max<size_t>(1, p.runs.size()));
    auto times = [&](size_t k) {
        n = (k != 0 && n > cap / static_cast<int64_t>(k)) ? cap : n * static_cast<int64_t>(std::max<size_t>(1, k));
    };
    for (const auto& s : p.sweep) times(s.second.size());
    times(p.seeds.size());
    return n;
}

namespace {

// Grid points in order, the first swept option slowest: each a list of (path, value).
std::vector<std::vector<std::pair<std::string, std::string>>> grid_points(const Project& p) {
    std::vector<std::vector<std::pair<std::string, std::string>>> points(1);
    for (const auto& [path, values] : p.sweep) {
        std::vector<std::vector<std::pair<std::string, std::string>>> next;
        for (const auto& pt : points)
            for (const auto& v : values) {
                auto q = pt;
                q.emplace_back(path, v);
                next.push_back(std::move(q));
            }
        points = std::move(next);
    }
    return points;
}

std::string point_label(const Project& p, const std::vector<std::pair<std::string, std::string>>& point) {
    std::string out;
    for (const auto& [path, value] : point) {
        const std::string last = path.substr(path.rfind('.') + 1);
        int same = 0;
        for (const auto& s : p.sweep) same += s.first.substr(s.first.rfind('.') + 1) == last;
        out += (out.empty() ? "" : ",") + (same > 1 ? path : last) + "=" + sweep_value_label(value);
    }
    return out;
}

} // namespace

RunPlan plan_project(const Project& project, const std::vector<std::string>& overrides,
                     const std::vector<std::string>& only, const fs::path& out_dir) {
    RunPlan plan;
    plan.project = project;
    const Project& p = plan.project;
    const fs::path out = out_dir.empty() ? p.output_path() : out_dir;
    const fs::path base_dir = p.file.parent_path();
    const auto points = grid_points(p);
    std::vector<PlannedRun> all;
    for (const auto& r : p.runs) {
        for (const auto& point : points) {
            const std::string label = point_label(p, point);
            const std::string group = label.empty() ? r.name : r.name + "/" + label;
            std::vector<std::optional<int64_t>> seeds;
            for (const int64_t s : p.seeds) seeds.emplace_back(s);
            if (seeds.empty()) seeds.emplace_back(std::nullopt);
            for (const auto& seed : seeds) {
                PlannedRun pr;
                pr.run = r.name;
                pr.group = group;
                pr.swept = point;
                pr.seed = seed;
                pr.name = seed ? group + "/seed-" + std::to_string(*seed) : group;
                pr.dir = out / pr.name;
                all.push_back(std::move(pr));
            }
        }
    }
    for (const auto& name : only) {
        const bool known = std::any_of(all.begin(), all.end(), [&](const PlannedRun& pr) {
            return pr.name == name || pr.run == name || pr.group == name;
        });
        if (!known) {
            std::string names;
            for (const auto& r : p.runs) names += (names.empty() ? "" : ", ") + r.name;
            plan.diagnostics.push_back(
                {"--run",
                 "no run named '" + name + "' in the project; runs: " + names +
                     (all.size() > p.runs.size() ? " (with their seeds and grid points, e.g. " + all.back().name + ")"
                                                 : "")});
        }
    }
    const bool several = all.size() > 1;
    for (auto& pr : all) {
        if (!only.empty() && std::none_of(only.begin(), only.end(), [&](const std::string& n) {
                return pr.name == n || pr.run == n || pr.group == n;
            }))
            continue;
        std::vector<Diagnostic> diags = project_run_config(p, *p.find_run(pr.run), pr.config);
        for (const auto& [path, value] : pr.swept) {
            auto d = set_option_text(pr.config, path, value);
            for (auto& x : d) x.path = "sweep." + path;
            diags.insert(diags.end(), d.begin(), d.end());
        }
        for (const auto& o : overrides) {
            auto d = apply_override(pr.config, o);
            for (auto& x : d) x.path = "--set " + (x.path.empty() ? o : x.path);
            diags.insert(diags.end(), d.begin(), d.end());
        }
        if (pr.seed) pr.config.train.seed = *pr.seed;
        resolve_paths(pr.config, base_dir);
        pr.resolved = resolve_config(pr.config);
        auto v = validate(pr.config, pr.resolved);
        diags.insert(diags.end(), v.begin(), v.end());
        pr.diagnostics = diags;
        plan.runs.push_back(std::move(pr));
    }
    // One line per problem, not per run: a --set or base value that is wrong for 33 runs is one
    // message naming the runs it concerns (every run, or the first with a count).
    std::vector<std::pair<Diagnostic, std::vector<std::string>>> unique;
    for (const auto& r : plan.runs)
        for (const auto& d : r.diagnostics) {
            auto same = std::find_if(unique.begin(), unique.end(), [&](const auto& u) {
                return u.first.path == d.path && u.first.message == d.message && u.first.severity == d.severity;
            });
            if (same == unique.end())
                unique.push_back({d, {r.name}});
            else
                same->second.push_back(r.name);
        }
    for (auto& [d, runs] : unique) {
        if (several)
            d.path = (runs.size() == 1 ? "run " + runs.front()
                      : runs.size() == plan.runs.size()
                          ? "every run (" + std::to_string(runs.size()) + ")"
                          : "runs " + runs.front() + " and " + std::to_string(runs.size() - 1) + " more") +
                     ": " + d.path;
        plan.diagnostics.push_back(d);
    }
    return plan;
}

RunPlan plan_file(const fs::path& file, const std::vector<std::string>& overrides, const std::vector<std::string>& only,
                  const fs::path& out_dir) {
    ProjectLoad load = load_project(file);
    if (has_errors(load.diagnostics)) {
        RunPlan plan;
        plan.project = load.project;
        plan.diagnostics = load.diagnostics;
        return plan;
    }
    RunPlan plan = plan_project(load.project, overrides, only, out_dir);
    plan.diagnostics.insert(plan.diagnostics.begin(), load.diagnostics.begin(), load.diagnostics.end()); // warnings
    return plan;
}

} // namespace seqpe
