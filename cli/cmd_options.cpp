// seqpe options / encodings / validate: the option table and the encoding table, from the engine.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe::cli {

static std::string type_text(const OptionInfo& o) {
    switch (o.type) {
    case OptionType::Bool:
        return "bool";
    case OptionType::Int:
        return "int";
    case OptionType::Float:
        return "float";
    case OptionType::String:
        return "string";
    case OptionType::Choice:
        return "choice";
    case OptionType::IntList:
        return "int list";
    }
    return "?";
}

static std::string range_text(const OptionInfo& o) {
    if (o.type == OptionType::Choice) {
        std::string s;
        for (const auto& c : o.choices) s += (s.empty() ? "" : "|") + c;
        return s;
    }
    if (!o.min && !o.max) return "";
    auto num = [](double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", v);
        return std::string(b);
    };
    return "[" + (o.min ? num(*o.min) : std::string("-inf")) + ", " + (o.max ? num(*o.max) : std::string("inf")) + "]";
}

static std::string md_cell(std::string s) {
    std::string out;
    for (const char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

int cmd_options(bool all, bool json, bool markdown) {
    const RunConfig defaults;
    if (markdown) { // docs/CONFIG.md's reference table (every option; advanced ones marked)
        std::string group;
        for (const auto& o : option_table()) {
            if (o.group() != group) {
                group = o.group();
                std::printf(
                    "\n### %s\n\n| option | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n",
                    group.c_str());
            }
            std::printf("| `%s`%s | %s | `%s` | %s | %s |\n", o.path.c_str(), o.advanced ? " (advanced)" : "",
                        type_text(o).c_str(), option_json(defaults, o.path).c_str(), md_cell(range_text(o)).c_str(),
                        md_cell(o.help).c_str());
        }
        return kExitOk;
    }
    if (json) {
        nlohmann::ordered_json arr = nlohmann::ordered_json::array();
        for (const auto& o : option_table()) {
            nlohmann::ordered_json j = {{"path", o.path},
                                        {"type", type_text(o)},
                                        {"default", nlohmann::json::parse(option_json(defaults, o.path))},
                                        {"help", o.help},
                                        {"advanced", o.advanced},
                                        {"resumable", o.resumable}};
            if (!o.choices.empty()) j["choices"] = o.choices;
            if (o.min) j["min"] = *o.min;
            if (o.max) j["max"] = *o.max;
            arr.push_back(j);
        }
        std::puts(arr.dump(2).c_str());
        return kExitOk;
    }
    std::string group;
    for (const auto& o : option_table()) {
        if (o.advanced && !all) continue;
        if (o.group() != group) {
            group = o.group();
            std::printf("\n[%s]\n", group.c_str());
        }
        std::printf("  %-46s %-7s %-12s %s", o.path.c_str(), type_text(o).c_str(),
                    option_json(defaults, o.path).c_str(), o.help.c_str());
        const std::string r = range_text(o);
        if (!r.empty()) std::printf(o.type == OptionType::Choice ? "  {%s}" : "  %s", r.c_str());
        std::printf("\n");
    }
    if (!all) std::printf("\n(advanced options hidden; `seqpe options --all` lists them)\n");
    return kExitOk;
}

int cmd_encodings(bool json) {
    if (json) {
        nlohmann::ordered_json arr = nlohmann::ordered_json::array();
        for (const auto& e : encoding_table())
            arr.push_back({{"name", e.name},
                           {"title", e.title},
                           {"description", e.description},
                           {"text", e.text},
                           {"image", e.image},
                           {"learnable", e.learnable},
                           {"relative", e.relative},
                           {"hooks", e.hooks},
                           {"extrapolation", e.extrapolation}});
        std::puts(arr.dump(2).c_str());
        return kExitOk;
    }
    for (const auto& e : encoding_table())
        std::printf("%-11s %-20s %s%s%s\n            %s; acts on: %s; beyond training: %s\n", e.name, e.title,
                    e.text ? "text" : "", e.text && e.image ? "+" : "", e.image ? "image" : "", e.description,
                    *e.hooks ? e.hooks : "nothing", e.extrapolation);
    return kExitOk;
}

int cmd_validate(const std::string& config, const std::vector<std::string>& overrides, bool json) {
    const Plan plan = make_plan(config, overrides, {}, "");
    if (json) {
        nlohmann::ordered_json j;
        j["ok"] = !has_errors(plan.diagnostics);
        j["runs"] = nlohmann::json::array();
        for (const auto& r : plan.runs) {
            nlohmann::ordered_json o = {{"name", r.name},
                                        {"run", r.run},
                                        {"group", r.group},
                                        {"dir", r.dir.string()},
                                        {"hash", config_hash(r.resolved)}};
            if (r.seed) o["seed"] = *r.seed;
            nlohmann::ordered_json swept = nlohmann::ordered_json::object();
            for (const auto& [path, v] : r.swept) swept[path] = nlohmann::json::parse(v);
            if (!r.swept.empty()) o["swept"] = swept;
            j["runs"].push_back(o);
        }
        j["diagnostics"] = nlohmann::json::array();
        for (const auto& d : plan.diagnostics)
            j["diagnostics"].push_back({{"path", d.path},
                                        {"message", d.message},
                                        {"severity", d.severity == Diagnostic::Severity::Error ? "error" : "warning"}});
        std::puts(j.dump(2).c_str());
    } else {
        // One line per expanded run (runs x sweep grid x seeds), then the shape of the expansion.
        for (const auto& r : plan.runs)
            std::printf("run %-20s %s  config %s\n", r.name.c_str(), r.dir.c_str(), config_hash(r.resolved).c_str());
        const Project& p = plan.project;
        if ((!p.seeds.empty() || !p.sweep.empty()) && !plan.runs.empty()) {
            int64_t points = 1;
            for (const auto& sw : p.sweep) points *= static_cast<int64_t>(sw.second.size());
            std::printf("%zu runs: %zu project run(s) x %lld grid point(s) x %zu seed(s)\n", plan.runs.size(),
                        p.runs.size(), static_cast<long long>(points), std::max<size_t>(1, p.seeds.size()));
        }
        std::fputs(format_diagnostics(plan.diagnostics, config).c_str(), stderr);
        if (!has_errors(plan.diagnostics)) std::printf("%s: valid\n", config.c_str());
    }
    return has_errors(plan.diagnostics) ? kExitBadInput : kExitOk;
}

} // namespace seqpe::cli
