// Typed access to a config through the option table (options.cpp): a value as text or JSON, a
// value parsed and checked against its option (type, range, choices), `--set path=value`
// overrides and the options two configs differ in.
#include "seqpe/options.h"

#include "json_keys.h"
#include "option_json.h"

#include "seqpe/common/text.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seqpe {

using nlohmann::json;

std::string option_value_text(const OptionInfo& o, const OptionValue& v) {
    return std::visit(
        [&](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>)
                return x;
            else
                return json(x).dump();
        },
        v);
}

std::string option_json(const RunConfig& c, const std::string& path) {
    const OptionInfo* o = find_option(path);
    if (!o) return "null";
    return std::visit([](const auto& x) { return json(x).dump(); }, o->get(c));
}

static std::string type_name(OptionType t) {
    switch (t) {
    case OptionType::Bool:
        return "true or false";
    case OptionType::Int:
        return "an integer";
    case OptionType::Float:
        return "a number";
    case OptionType::String:
        return "a string";
    case OptionType::Choice:
        return "one of the listed choices";
    case OptionType::IntList:
        return "a list of integers such as [1,2,4]";
    }
    return "?";
}

static std::variant<OptionValue, Diagnostic> from_json_value(const OptionInfo& o, const json& j) {
    auto bad = [&](const std::string& got) { // the value echoed at most ~100 characters
        return Diagnostic{o.path, "expected " + type_name(o.type) + ", got " + quote_for_message(got)};
    };
    switch (o.type) {
    case OptionType::Bool:
        if (j.is_boolean()) return OptionValue(j.get<bool>());
        return bad(j.dump());
    case OptionType::Int:
        if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            return Diagnostic{o.path, "the integer " + j.dump() + " does not fit in 64 bits; write a smaller value"};
        if (j.is_number_integer()) return OptionValue(j.get<int64_t>());
        if (j.is_number_float()) {
            const double d = j.get<double>();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
                return OptionValue(static_cast<int64_t>(d));
        }
        return bad(j.dump());
    case OptionType::Float:
        if (j.is_number()) return OptionValue(j.get<double>());
        return bad(j.dump());
    case OptionType::String:
    case OptionType::Choice:
        if (j.is_string()) return OptionValue(j.get<std::string>());
        return bad(j.dump());
    case OptionType::IntList: {
        if (!j.is_array()) return bad(j.dump());
        std::vector<int64_t> out;
        for (const auto& e : j) {
            if (!e.is_number_integer() ||
                (e.is_number_unsigned() && e.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
                return bad(j.dump());
            out.push_back(e.get<int64_t>());
        }
        return OptionValue(std::move(out));
    }
    }
    return bad(j.dump());
}

std::optional<Diagnostic> check_option_value(const OptionInfo& o, const OptionValue& v) {
    // Integer options echo the value exactly as an integer (a double would print 9.2e+18).
    const bool integral = o.type == OptionType::Int || o.type == OptionType::IntList;
    auto text = [&](double d) { return integral ? std::to_string(static_cast<long long>(d)) : json(d).dump(); };
    auto num_check = [&](double x, std::string exact = {}) -> std::optional<Diagnostic> {
        if (!std::isfinite(x)) return Diagnostic{o.path, "must be a finite number"};
        if ((o.min && x < *o.min) || (o.max && x > *o.max)) {
            std::ostringstream s;
            s << (exact.empty() ? text(x) : exact) << " is out of range; use a value in ["
              << (o.min ? text(*o.min) : "-inf") << ", " << (o.max ? text(*o.max) : "inf") << "]";
            return Diagnostic{o.path, s.str()};
        }
        return std::nullopt;
    };
    if (o.type == OptionType::String || o.type == OptionType::Choice)
        if (std::get<std::string>(v).find('\0') != std::string::npos)
            return Diagnostic{o.path, "holds a NUL character (\\u0000): a path or name would be cut there; remove it"};
    if (o.type == OptionType::Choice) {
        const auto& s = std::get<std::string>(v);
        if (std::find(o.choices.begin(), o.choices.end(), s) == o.choices.end()) {
            std::string list;
            for (const auto& c : o.choices) list += (list.empty() ? "" : ", ") + c;
            return Diagnostic{o.path, "'" + quote_for_message(s) + "' is not a choice; use one of: " + list};
        }
    } else if (o.type == OptionType::Int) {
        const int64_t x = std::get<int64_t>(v);
        return num_check(static_cast<double>(x), std::to_string(x));
    } else if (o.type == OptionType::Float) {
        return num_check(std::get<double>(v));
    } else if (o.type == OptionType::IntList) {
        const auto& l = std::get<std::vector<int64_t>>(v);
        if (l.empty() && !o.empty_list_ok) return Diagnostic{o.path, "the list must not be empty"};
        for (const auto x : l)
            if (auto d = num_check(static_cast<double>(x), std::to_string(x))) return d;
    }
    return std::nullopt;
}

std::variant<OptionValue, Diagnostic> parse_option_value(const OptionInfo& o, const std::string& text) {
    json j;
    bool parsed = false;
    try {
        j = json::parse(text);
        parsed = true;
    } catch (const json::exception&) {
    }
    if (o.type == OptionType::String || o.type == OptionType::Choice) {
        if (parsed && j.is_string()) return OptionValue(j.get<std::string>());
        return OptionValue(text); // bare words need no quotes on the command line
    }
    if (!parsed && o.type == OptionType::IntList) {
        // "1,2,4" convenience form
        try {
            j = json::parse("[" + text + "]");
            parsed = true;
        } catch (const json::exception&) {
        }
    }
    if (!parsed) return Diagnostic{o.path, "'" + quote_for_message(text) + "' is not " + type_name(o.type)};
    if (o.type == OptionType::IntList && j.is_number_integer()) j = json::array({j});
    return from_json_value(o, j);
}

std::vector<Diagnostic> set_option_text(RunConfig& c, const std::string& path, const std::string& text) {
    const OptionInfo* o = find_option(path);
    if (!o) return {Diagnostic{path, "unknown option" + option_suggestion(path)}};
    if (o->type == OptionType::Int || o->type == OptionType::IntList)
        for (auto d : json_text_diagnostics(text)) { // an integer beyond 64 bits, named as written
            d.path = path + d.path;
            return {d};
        }
    auto r = parse_option_value(*o, text);
    if (auto* d = std::get_if<Diagnostic>(&r)) return {*d};
    const OptionValue& v = std::get<OptionValue>(r);
    if (auto d = check_option_value(*o, v)) return {*d};
    o->set(c, v);
    return {};
}

std::vector<Diagnostic> apply_override(RunConfig& c, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        return {Diagnostic{"", "'" + quote_for_message(assignment) +
                                   "' is not of the form path=value (e.g. model.n_layer=4)"}};
    return set_option_text(c, assignment.substr(0, eq), assignment.substr(eq + 1));
}

std::vector<std::string> differing_options(const RunConfig& a, const RunConfig& b) {
    std::vector<std::string> out;
    for (const auto& o : option_table())
        if (o.get(a) != o.get(b)) out.push_back(o.path);
    return out;
}

ResolvedConfig resolve_resumed(const RunConfig& config, const RunConfig& stored) {
    ResolvedConfig c = resolve_config(config);
    for (const auto& path : differing_options(config, c))
        if (const OptionInfo* info = find_option(path)) info->set(c, info->get(stored));
    return c;
}

std::vector<std::string> unresumable_changes(const RunConfig& stored, const RunConfig& resolved) {
    std::vector<std::string> out;
    for (const auto& path : differing_options(stored, resolved))
        if (const OptionInfo* o = find_option(path); o && !o->resumable) out.push_back(path);
    return out;
}

std::string resume_refusal(const RunConfig& stored, const RunConfig& resolved, const std::string& where) {
    const std::vector<std::string> changed = unresumable_changes(stored, resolved);
    if (changed.empty()) return {};
    const std::string& path = changed.front();
    std::string more;
    if (changed.size() > 1) more = " (and " + std::to_string(changed.size() - 1) + " more field(s))";
    return where + " holds a run whose " + path + " is " + option_json(stored, path) + ", not " +
           option_json(resolved, path) + more +
           "; choose another run name (or output directory), or start it again with --restart";
}

// Used by config_io.cpp: typed value from a JSON value, with the option's checks.
std::variant<OptionValue, Diagnostic> option_from_json(const OptionInfo& o, const json& j) {
    auto r = from_json_value(o, j);
    if (auto* v = std::get_if<OptionValue>(&r))
        if (auto d = check_option_value(o, *v)) return *d;
    return r;
}

} // namespace seqpe
