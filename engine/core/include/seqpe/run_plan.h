#pragma once
// A project becomes the runs to train: its runs x the sweep grid x the seeds, each with its
// resolved, validated config and its directory. One step for the CLI and the workbench (torch-free).
//
// Names and directories (under the project's output_dir):
//   no sweep, no seeds   seqpe                       <out>/seqpe
//   seeds [1, 2]         seqpe/seed-1, seqpe/seed-2   <out>/seqpe/seed-1, ...
//   sweep                seqpe/lr=0.001,scalar_scale=8[/seed-1]
// A grid point's name comes from its values only (the last component of each swept path, the
// full path where two would clash), so appending values to a sweep never renames a run. The grid
// runs over the swept options in the order of their paths (the first slowest), whatever order the
// file writes them in: reordering the keys renames nothing either.
#include "seqpe/config_io.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

struct PlannedRun {
    std::string name;  // "seqpe", "seqpe/seed-2", "seqpe/lr=0.001/seed-2"
    std::string run;   // the project run it comes from ("seqpe")
    std::string group; // the name without its seed part: the runs that differ only by seed
    std::vector<std::pair<std::string, std::string>> swept; // option path -> value (JSON text)
    std::optional<int64_t> seed;                            // from the project's seeds
    RunConfig config;                                       // overrides applied, paths resolved, seed set
    ResolvedConfig resolved;                                // `config` resolved: what it trains with
    std::filesystem::path dir;
    // This run's problems (its overrides, sweep values, --set, validation), paths unprefixed; also in
    // RunPlan::diagnostics. A run with an error here must not start.
    std::vector<Diagnostic> diagnostics;
};

struct RunPlan {
    Project project;
    std::vector<PlannedRun> runs;
    std::vector<Diagnostic> diagnostics; // paths prefixed with the run when the project has several
};

// The number of runs the project expands to (saturates at INT64_MAX).
int64_t planned_run_count(const Project& p);

// `only` selects runs by name: a project run ("seqpe") selects all its seeds and grid points, a
// full name ("seqpe/seed-2") one run; an unknown name is a diagnostic listing the names.
// `overrides` ("a.b=v", --set) apply to every run after its sweep values, before its seed;
// `out_dir` (empty: the project's output_dir) replaces where the runs are written.
RunPlan plan_project(const Project& p, const std::vector<std::string>& overrides = {},
                     const std::vector<std::string>& only = {}, const std::filesystem::path& out_dir = {});
// load_project + plan_project; the file's own problems come first.
RunPlan plan_file(const std::filesystem::path& file, const std::vector<std::string>& overrides = {},
                  const std::vector<std::string>& only = {}, const std::filesystem::path& out_dir = {});

// The value of a swept option as it appears in a run name ("0.001", "rope", "1_2_4").
std::string sweep_value_label(const std::string& json_text);

} // namespace seqpe
