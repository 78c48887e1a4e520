#pragma once
// Reading, writing, validating and hashing run configs and project files.
// Project file (docs/CONFIG.md):
//   { "format": "seqpe-project/1", "name": "...", "output_dir": "runs",
//     "base": { <RunConfig fields that differ from defaults> },
//     "runs": [ { "name": "seqpe", "set": { "position_encoding.type": "seqpe" } }, ... ],
//     "seeds": [1, 2, 3], "sweep": { "optim.lr": [0.001, 0.002] }, "max_runs": 1000 }  (optional)
// A plain RunConfig file is read as a project with one run named after the file.
#include "seqpe/config.h"
#include "seqpe/diagnostics.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

inline constexpr const char* kProjectFormat = "seqpe-project/1";

// Full config as nested JSON (every field, defaults included), 2-space indented.
std::string config_to_json(const RunConfig& c);
// Only the fields that differ from `reference` (default: the defaults), nested.
std::string config_diff_json(const RunConfig& c, const RunConfig& reference = RunConfig{});
// Parses a (possibly partial) nested config JSON over `base`. Unknown keys and wrong types are
// errors with their JSON path; every problem is reported, not just the first.
std::vector<Diagnostic> config_from_json(const std::string& text, RunConfig& c);
// 12 hex digits of SHA-256 over the canonical full config JSON.
std::string config_hash(const ResolvedConfig& c);

// Cross-field checks: sizes that must divide, encodings that do not fit the task, ranges that
// depend on other fields. Every problem is returned with the path of the field to change. The raw
// config's ranges are checked (a value the option table refuses), then its resolved form: pass
// `resolved` when the caller holds it (the run plan), so the config is resolved once.
std::vector<Diagnostic> validate(const RunConfig& raw);
std::vector<Diagnostic> validate(const RunConfig& raw, const ResolvedConfig& resolved);
std::vector<Diagnostic> validate(const ResolvedConfig& c);

struct ProjectRun {
    std::string name;
    std::vector<std::pair<std::string, std::string>> set; // option path -> JSON text of the value
};

struct Project {
    std::string name;
    std::string output_dir = "runs";
    std::vector<std::pair<std::string, std::string>> base; // option path -> JSON text
    std::vector<ProjectRun> runs;
    // Every run is trained once per seed (train.seed), into <run>/seed-<s> (seqpe/run_plan.h).
    std::vector<int64_t> seeds;
    // A grid over dotted options: path -> values (JSON texts), sorted by path; combined with runs
    // and seeds. Grids larger than max_runs (default 1000) are refused: raising it is the explicit ask.
    std::vector<std::pair<std::string, std::vector<std::string>>> sweep;
    int64_t max_runs = 1000;
    std::filesystem::path file; // where it was read from / will be saved (paths are relative to it)

    // The directory runs are written to (output_dir relative to the project file).
    std::filesystem::path output_path() const;
    std::filesystem::path run_dir(const std::string& run) const { return output_path() / run; }
    const ProjectRun* find_run(const std::string& name) const;
};

struct ProjectLoad {
    Project project;
    std::vector<Diagnostic> diagnostics; // with paths like "runs[1].set.model.n_head"
};

// Reads a project file or a plain run config. Never throws for content problems: they are returned
// as diagnostics (a missing or unreadable file is a diagnostic with an empty path).
ProjectLoad load_project(const std::filesystem::path& file);
ProjectLoad parse_project(const std::string& text, const std::filesystem::path& file);
// Whether every error of `load` is a value of an option in `base` or a run's `set` that the loaded
// project still holds and that still fails its checks: such a project can be opened for editing
// (the workbench marks each value at its field; it cannot run until fixed, and saving keeps the
// rest of the file). Problems of the file's structure (JSON, format, runs, seeds, sweep, unknown or
// repeated keys) cannot be fixed in place and refuse the open.
bool opens_for_editing(const ProjectLoad& load);
std::string project_to_json(const Project& p);
void save_project(const Project& p, const std::filesystem::path& file); // atomic; throws RunError

// Base config of a project (defaults + base), and one run's config (+ its "set").
std::vector<Diagnostic> project_base_config(const Project& p, RunConfig& out);
std::vector<Diagnostic> project_run_config(const Project& p, const ProjectRun& r, RunConfig& out);

// Resolves a run's relative paths (data.dataset_dir, data.source folders, train.init_from) against
// the project file's directory.
void resolve_paths(RunConfig& c, const std::filesystem::path& project_dir);

} // namespace seqpe
