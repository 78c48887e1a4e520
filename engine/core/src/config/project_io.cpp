// Project files: parsing with a diagnostic for every problem, loading, writing.
#include "seqpe/config_io.h"

#include "config_json.h"
#include "json_keys.h"
#include "option_json.h"
#include "project_grid.h"

#include "seqpe/common/files.h"
#include "seqpe/common/text.h"
#include "seqpe/options.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace seqpe {

using nlohmann::json;

fs::path Project::output_path() const {
    const fs::path out(output_dir.empty() ? "runs" : output_dir);
    if (out.is_absolute() || file.empty()) return out;
    return file.parent_path() / out;
}

const ProjectRun* Project::find_run(const std::string& n) const {
    for (const auto& r : runs)
        if (r.name == n) return &r;
    return nullptr;
}

static bool safe_run_name(const std::string& n) {
    if (n.empty() || n.size() > 100 || n == "." || n == "..") return false;
    for (const char ch : n)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) return false;
    return true;
}

static std::vector<std::pair<std::string, std::string>>
to_text_pairs(const std::vector<std::pair<std::string, json>>& pairs) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [p, v] : pairs) out.emplace_back(p, v.dump());
    return out;
}

ProjectLoad parse_project(const std::string& text, const fs::path& file) {
    ProjectLoad res;
    Project& p = res.project;
    p.file = file;
    auto& diags = res.diagnostics;
    if (auto problem = config_text_problem(text)) {
        diags.push_back(*problem);
        return res;
    }
    const std::vector<Diagnostic> scan = json_text_diagnostics(text);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) { // parse errors, and numbers too large to represent
        if (!scan.empty() && e.id == 406)
            diags = scan; // the overflowing number, named as written
        else
            diags.push_back(json_parse_diagnostic(e));
        return res;
    }
    if (!j.is_object()) {
        diags.push_back({"", "expected a JSON object (a project or a run config)"});
        return res;
    }
    diags = scan;
    struct Shadow { // on every return below: drop the readers' echo of a number the scan named
        std::vector<Diagnostic>& d;
        size_t n;
        ~Shadow() { drop_shadowed(d, n); }
    } shadow{diags, scan.size()};
    if (!j.contains("format")) {
        // A plain run config: one run named after the file.
        p.name = file.stem().string();
        std::vector<std::pair<std::string, json>> pairs;
        flatten_options(j, "", pairs, diags);
        RunConfig probe;
        auto more = apply_option_pairs(pairs, probe, "");
        diags.insert(diags.end(), more.begin(), more.end());
        p.base = to_text_pairs(pairs);
        std::string rn = p.name;
        for (char& ch : rn)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '_';
        p.runs.push_back({rn.empty() ? "run" : rn, {}});
        return res;
    }
    if (!j["format"].is_string() || j["format"].get<std::string>() != kProjectFormat) {
        diags.push_back({"format", "unsupported project format " + j["format"].dump() + "; this build reads \"" +
                                       kProjectFormat + "\""});
        return res;
    }
    static const std::set<std::string> known = {"format", "name",  "output_dir", "base",       "runs",
                                                "seeds",  "sweep", "max_runs",   "description"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()))
            diags.push_back({it.key(), "unknown project key; known keys: format, name, output_dir, base, runs, seeds, "
                                       "sweep, max_runs"});
    if (j.contains("name")) {
        if (j["name"].is_string())
            p.name = j["name"].get<std::string>();
        else
            diags.push_back({"name", "expected a string"});
    }
    if (p.name.empty()) p.name = file.stem().string();
    if (j.contains("output_dir")) {
        if (j["output_dir"].is_string() && !j["output_dir"].get<std::string>().empty())
            p.output_dir = j["output_dir"].get<std::string>();
        else
            diags.push_back({"output_dir", "expected a non-empty string (a folder relative to the project file)"});
        if (p.output_dir.find('\0') != std::string::npos)
            diags.push_back(
                {"output_dir", "holds a NUL character (\\u0000): the folder would be cut there; remove it"});
    }
    RunConfig base_cfg;
    if (j.contains("base")) {
        if (!j["base"].is_object()) {
            diags.push_back({"base", "expected an object of config fields"});
        } else {
            std::vector<std::pair<std::string, json>> pairs;
            std::vector<Diagnostic> d;
            flatten_options(j["base"], "", pairs, d);
            auto more = apply_option_pairs(pairs, base_cfg, "");
            d.insert(d.end(), more.begin(), more.end());
            for (auto& x : d) diags.push_back({"base." + x.path, x.message, x.severity});
            p.base = to_text_pairs(pairs);
        }
    }
    if (!j.contains("runs") || !j["runs"].is_array() || j["runs"].empty()) {
        diags.push_back({"runs", "expected a non-empty list of runs, e.g. [{\"name\": \"seqpe\", \"set\": {}}]"});
        return res;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < j["runs"].size(); ++i) {
        const json& r = j["runs"][i];
        const std::string ctx = "runs[" + std::to_string(i) + "]";
        if (!r.is_object()) {
            diags.push_back({ctx, "expected an object {\"name\": ..., \"set\": {...}}"});
            continue;
        }
        ProjectRun run;
        if (r.contains("name") && r["name"].is_string()) run.name = r["name"].get<std::string>();
        if (!safe_run_name(run.name))
            diags.push_back(
                {ctx + ".name", "run names are 1-100 letters, digits, '-', '_' or '.' (they name folders)"});
        else if (!names.insert(run.name).second)
            diags.push_back({ctx + ".name", "duplicate run name '" + run.name + "'"});
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "name" && it.key() != "set" && it.key() != "description")
                diags.push_back({ctx + "." + it.key(), "unknown run key; a run has a name and a set"});
        if (r.contains("set")) {
            if (!r["set"].is_object()) {
                diags.push_back({ctx + ".set", "expected an object of option paths and values"});
            } else {
                std::vector<std::pair<std::string, json>> pairs;
                std::vector<Diagnostic> d;
                flatten_options(r["set"], "", pairs, d);
                RunConfig probe = base_cfg;
                auto more = apply_option_pairs(pairs, probe, "");
                d.insert(d.end(), more.begin(), more.end());
                for (auto& x : d) diags.push_back({ctx + ".set." + x.path, x.message, x.severity});
                run.set = to_text_pairs(pairs);
            }
        }
        p.runs.push_back(std::move(run));
    }
    // Read even when a value above is wrong: the workbench opens such a project for editing, and
    // saving it must keep its seeds and sweep.
    read_project_grid(j, p, diags);
    return res;
}

ProjectLoad load_project(const fs::path& file) {
    std::string text;
    try {
        text = read_file(file);
    } catch (const std::exception& e) {
        ProjectLoad res;
        res.project.file = file;
        res.diagnostics.push_back({"", e.what()});
        return res;
    }
    return parse_project(text, file);
}

std::string project_to_json(const Project& p) {
    json j = json::object();
    j["format"] = kProjectFormat;
    j["name"] = p.name;
    j["output_dir"] = p.output_dir;
    json base = json::object();
    for (const auto& [path, v] : p.base) put_path(base, path, json::parse(v));
    j["base"] = base;
    j["runs"] = json::array();
    for (const auto& r : p.runs) {
        json set = json::object();
        for (const auto& [path, v] : r.set) set[path] = json::parse(v); // dotted keys: easy to diff
        j["runs"].push_back({{"name", r.name}, {"set", set}});
    }
    write_project_grid(p, j);
    return j.dump(2) + "\n";
}

void save_project(const Project& p, const fs::path& file) {
    write_file_atomic(file, project_to_json(p));
}

static std::vector<Diagnostic> apply_text_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                RunConfig& c) {
    std::vector<Diagnostic> diags;
    for (const auto& [path, text] : pairs) {
        const OptionInfo* o = find_option(path);
        if (!o) {
            diags.push_back({path, "unknown option" + option_suggestion(path)});
            continue;
        }
        json v;
        try {
            v = json::parse(text);
        } catch (const json::exception&) {
            diags.push_back({path, "value is not JSON: " + text});
            continue;
        }
        auto r = option_from_json(*o, v);
        if (auto* d = std::get_if<Diagnostic>(&r))
            diags.push_back(*d);
        else
            o->set(c, std::get<OptionValue>(r));
    }
    return diags;
}

bool opens_for_editing(const ProjectLoad& load) {
    const Project& p = load.project;
    // The pair `path` of `pairs` is there and still fails: the document shows the same error.
    auto still_bad = [](const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& path) {
        for (const auto& pair : pairs)
            if (pair.first == path) {
                RunConfig scratch;
                return has_errors(apply_text_pairs({pair}, scratch));
            }
        return false;
    };
    for (const auto& d : load.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error) continue;
        if (d.path.rfind("base.", 0) == 0 && still_bad(p.base, d.path.substr(5))) continue;
        const size_t set = d.path.find("].set.");
        if (d.path.rfind("runs[", 0) == 0 && set != std::string::npos) {
            const std::string index = d.path.substr(5, set - 5);
            const bool digits = !index.empty() && index.size() < 9 &&
                                std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
            const size_t i = digits ? std::stoul(index) : p.runs.size();
            if (i < p.runs.size() && still_bad(p.runs[i].set, d.path.substr(set + 6))) continue;
        }
        return false;
    }
    return true;
}

std::vector<Diagnostic> project_base_config(const Project& p, RunConfig& out) {
    out = RunConfig{};
    return apply_text_pairs(p.base, out);
}

std::vector<Diagnostic> project_run_config(const Project& p, const ProjectRun& r, RunConfig& out) {
    auto diags = project_base_config(p, out);
    auto more = apply_text_pairs(r.set, out);
    diags.insert(diags.end(), more.begin(), more.end());
    return diags;
}

void resolve_paths(RunConfig& c, const fs::path& project_dir) {
    auto fix = [&](std::string& s) {
        if (s.empty() || project_dir.empty()) return;
        const fs::path path(s);
        if (path.is_absolute()) return;
        s = (project_dir / path).lexically_normal().string();
    };
    fix(c.data.dataset_dir);
    fix(c.train.init_from);
    const auto& src = c.data.source;
    if (src != "auto" && src != "sotu" && src != "fashion-mnist") fix(c.data.source);
}

} // namespace seqpe
