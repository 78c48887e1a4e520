// Config JSON: nested objects <-> option paths, and the diagnostics of reading a config file.
#include "seqpe/config_io.h"

#include "config_json.h"
#include "json_keys.h"
#include "option_json.h"

#include "seqpe/common/hash.h"
#include "seqpe/common/text.h"
#include "seqpe/options.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

namespace seqpe {

using nlohmann::json;

void put_path(json& root, const std::string& path, const json& value) {
    json* node = &root;
    size_t start = 0;
    while (true) {
        const size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
            (*node)[key] = value;
            return;
        }
        node = &(*node)[key];
        start = dot + 1;
    }
}

json option_value_json(const OptionValue& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

std::string config_to_json(const RunConfig& c) {
    json root = json::object();
    for (const auto& o : option_table()) put_path(root, o.path, option_value_json(o.get(c)));
    return root.dump(2) + "\n";
}

std::string config_diff_json(const RunConfig& c, const RunConfig& reference) {
    json root = json::object();
    for (const auto& o : option_table()) {
        const auto v = o.get(c);
        if (v != o.get(reference)) put_path(root, o.path, option_value_json(v));
    }
    return root.dump(2) + "\n";
}

// Flattens a nested (or dotted-key) object into option paths; unknown keys become diagnostics.
// Whether `path` names a group of options ("model", "position_encoding.seqpe").
static bool is_option_section(const std::string& path) {
    const std::string prefix = path + ".";
    for (const auto& o : option_table())
        if (o.path.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
}

static std::string json_type_words(const json& v) {
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_array()) return "a list";
    if (v.is_null()) return "null";
    return "a value";
}

void flatten_options(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out,
                     std::vector<Diagnostic>& diags) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (find_option(path)) {
            out.emplace_back(path, it.value());
        } else if (it.value().is_object()) {
            flatten_options(it.value(), path, out, diags);
        } else if (is_option_section(path)) {
            diags.push_back(
                {path, "expected an object (the " + path + " section), got " + json_type_words(it.value())});
        } else {
            // Suggestions cost an edit distance against every option: only for the first few
            // unknown keys (a file of thousands of bad keys must still be answered at once).
            const bool suggest = diags.size() < 20 && path.size() <= 100;
            diags.push_back(
                {quote_for_message(path), "unknown option" + (suggest ? option_suggestion(path) : std::string())});
        }
    }
}

std::vector<Diagnostic> apply_option_pairs(const std::vector<std::pair<std::string, json>>& pairs, RunConfig& c,
                                           const std::string& ctx) {
    std::vector<Diagnostic> diags;
    for (const auto& [path, value] : pairs) {
        const OptionInfo* o = find_option(path);
        auto r = option_from_json(*o, value);
        if (auto* d = std::get_if<Diagnostic>(&r)) {
            diags.push_back({ctx + d->path, d->message, d->severity});
            continue;
        }
        o->set(c, std::get<OptionValue>(r));
    }
    return diags;
}

// Problems of the file as text, before JSON: empty, UTF-16, not UTF-8 (with line and column).
std::optional<Diagnostic> config_text_problem(const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Diagnostic{
            "", "the file is empty; write a JSON object of config fields (seqpe options --markdown lists them)"};
    const bool bom16 =
        text.size() >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff'));
    if (bom16 || (text.size() >= 2 && (text[0] == '\0' || text[1] == '\0')))
        return Diagnostic{"", "the file is UTF-16 (or holds NUL bytes); save it as UTF-8"};
    if (const auto bad = find_invalid_utf8(text)) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < *bad; ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
                ++col;
            }
        }
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
        return Diagnostic{"", "not UTF-8 at line " + std::to_string(line) + ", column " + std::to_string(col) +
                                  " (byte " + byte + "); save the file as UTF-8"};
    }
    return std::nullopt;
}

Diagnostic json_parse_diagnostic(const json::exception& e) {
    return Diagnostic{"", "not valid JSON: " + quote_for_message(e.what(), 300)};
}

// The text scan's diagnostics (repeated keys, integers beyond 64 bits) come first; a later one for
// the same path from the option readers would echo the parser's rounded value: it is dropped.
void drop_shadowed(std::vector<Diagnostic>& diags, size_t scanned) {
    std::vector<Diagnostic> out(diags.begin(), diags.begin() + static_cast<std::ptrdiff_t>(scanned));
    for (size_t i = scanned; i < diags.size(); ++i) {
        bool shadowed = false;
        const std::string& p = diags[i].path;
        for (size_t k = 0; k < scanned; ++k) // the same field, or a list whose element was named
            shadowed |= !p.empty() && (diags[k].path == p || diags[k].path.rfind(p + "[", 0) == 0);
        if (!shadowed) out.push_back(diags[i]);
    }
    diags = std::move(out);
}

std::vector<Diagnostic> config_from_json(const std::string& text, RunConfig& c) {
    if (auto p = config_text_problem(text)) return {*p};
    std::vector<Diagnostic> diags = json_text_diagnostics(text);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {                 // parse errors, and numbers too large to represent
        if (!diags.empty() && e.id == 406) return diags; // the overflowing number, named as written
        return {json_parse_diagnostic(e)};
    }
    if (!j.is_object()) return {Diagnostic{"", "expected a JSON object of config fields"}};
    std::vector<std::pair<std::string, json>> pairs;
    const size_t scanned = diags.size();
    flatten_options(j, "", pairs, diags);
    auto more = apply_option_pairs(pairs, c, "");
    diags.insert(diags.end(), more.begin(), more.end());
    drop_shadowed(diags, scanned);
    return diags;
}

std::string config_hash(const ResolvedConfig& c) {
    return sha256_hex(config_to_json(c)).substr(0, 12);
}

} // namespace seqpe
