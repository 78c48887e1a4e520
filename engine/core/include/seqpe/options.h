#pragma once
// The option table: one entry per RunConfig field. It drives JSON reading and writing, `--set`
// overrides, range and choice checks, `seqpe options`, and the GUI's generated config form.
// Standard types only (included by Qt code).
#include "seqpe/config.h"
#include "seqpe/diagnostics.h"

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace seqpe {

enum class OptionType { Bool, Int, Float, String, Choice, IntList };

using OptionValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;

struct OptionInfo {
    std::string path; // "model.n_layer"
    OptionType type = OptionType::Int;
    std::string help;                 // one line
    std::vector<std::string> choices; // Choice only
    std::optional<double> min;        // inclusive bounds for numbers and list elements
    std::optional<double> max;
    bool advanced = false;      // hidden behind "show advanced" in the GUI
    bool empty_list_ok = false; // IntList: [] is a value (eval.lengths: "use the multipliers")
    // Whether the field matters for this config (the GUI greys it out otherwise).
    std::function<bool(const RunConfig&)> relevant;
    // Typed access to the field.
    std::function<OptionValue(const RunConfig&)> get;
    std::function<void(RunConfig&, const OptionValue&)> set;

    std::string group() const { return path.substr(0, path.find('.')); }
};

const std::vector<OptionInfo>& option_table();
const OptionInfo* find_option(const std::string& path);

// Values as text: JSON for numbers, bools and lists; the raw string for String/Choice.
std::string option_value_text(const OptionInfo& o, const OptionValue& v);
// JSON text of the value of `path` in `c` ("128", "true", "\"rope\"", "[1,2]").
std::string option_json(const RunConfig& c, const std::string& path);

// Parses `text` for option `o`: JSON, or for strings a bare word, or for lists "1,2,4".
// Returns the value, or a diagnostic naming the option and the expected form.
std::variant<OptionValue, Diagnostic> parse_option_value(const OptionInfo& o, const std::string& text);
// Checks range and choices of a typed value.
std::optional<Diagnostic> check_option_value(const OptionInfo& o, const OptionValue& v);

// Applies "a.b=value". Returns diagnostics (unknown key with the nearest known keys, bad value).
std::vector<Diagnostic> apply_override(RunConfig& c, const std::string& assignment);
// Sets one field from text; the same checks as apply_override.
std::vector<Diagnostic> set_option_text(RunConfig& c, const std::string& path, const std::string& text);

// Paths whose values differ between two configs, in table order.
std::vector<std::string> differing_options(const RunConfig& a, const RunConfig& b);

} // namespace seqpe
