#pragma once
// Internal to the core (config_json.cpp defines these): config JSON <-> option paths, shared by the
// run config reader (config_io.cpp) and the project reader (project_io.cpp).
#include "seqpe/options.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

// Sets root[a][b][c] = value for path "a.b.c".
void put_path(nlohmann::json& root, const std::string& path, const nlohmann::json& value);
nlohmann::json option_value_json(const OptionValue& v);
// Flattens a nested (or dotted-key) object into option paths; unknown keys become diagnostics.
void flatten_options(const nlohmann::json& j, const std::string& prefix,
                     std::vector<std::pair<std::string, nlohmann::json>>& out, std::vector<Diagnostic>& diags);
// Sets each (path, value) on `c` through the option table's checks; problems are named ctx + path.
std::vector<Diagnostic> apply_option_pairs(const std::vector<std::pair<std::string, nlohmann::json>>& pairs,
                                           RunConfig& c, const std::string& ctx);
// Problems of the file as text, before JSON: empty, UTF-16, not UTF-8 (with line and column).
std::optional<Diagnostic> config_text_problem(const std::string& text);
Diagnostic json_parse_diagnostic(const nlohmann::json::exception& e);
// Drops the option readers' diagnostics that repeat one of the first `scanned` (the text scan's).
void drop_shadowed(std::vector<Diagnostic>& diags, size_t scanned);

} // namespace seqpe
