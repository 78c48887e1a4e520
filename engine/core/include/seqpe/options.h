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
    // May differ when a run is resumed (a longer budget, another evaluation, another machine): the
    // trainer refuses a resume that changes any other field, and the front ends say so before starting.
    bool resumable = false;
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

// Resuming a run whose directory holds `stored` (its config.json) with `config`: `config` resolved,
// where the values its "auto" fields resolved to when the run started are kept (they may depend
// on fields a resume may change, such as max_position on eval.length_multipliers: the run is one run).
ResolvedConfig resolve_resumed(const RunConfig& config, const RunConfig& stored);
// The fields a resume may not change (not `resumable`) that differ between `stored` and `resolved`
// (resolve_resumed's result), in table order; empty when the resume may go ahead.
std::vector<std::string> unresumable_changes(const RunConfig& stored, const RunConfig& resolved);
// The refusal of such a resume for the run at `where`, naming the first field, its two values and
// the ways out.
std::string resume_refusal(const RunConfig& stored, const RunConfig& resolved, const std::string& where);

} // namespace seqpe
