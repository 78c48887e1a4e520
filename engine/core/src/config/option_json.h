#pragma once
// Internal to the core (options.cpp defines these): typed option values from parsed JSON.
#include "seqpe/options.h"

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace seqpe {

// The option's value from a JSON value, with its type, range and choice checks.
std::variant<OptionValue, Diagnostic> option_from_json(const OptionInfo& o, const nlohmann::json& j);
// "; did you mean model.n_head?" for an unknown path, or "".
std::string option_suggestion(const std::string& path);

} // namespace seqpe
