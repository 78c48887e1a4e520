#pragma once
// The run directory (docs/CONFIG.md), shared by the CLI, the GUI and runs trained elsewhere:
//   config.json   resolved config (every field) + its hash     meta.json   dataset, versions, machine
//   status.json   state, step, message (rewritten atomically)  metrics.jsonl  one record per event
//   log.txt       human-readable log                           checkpoints/step-00001200/ (DONE last), latest
//   eval/ snapshots/ figures/
#include "seqpe/config.h"
#include "seqpe/records.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seqpe {

enum class RunState { Queued, Running, Paused, Completed, Cancelled, Failed };
const char* run_state_name(RunState s);
std::optional<RunState> run_state_from_name(const std::string& s);

struct RunStatus {
    RunState state = RunState::Queued;
    int64_t step = 0;
    int64_t total_steps = 0;
    std::string message;
    std::string updated; // ISO-8601 UTC
    int64_t pid = 0;
};

struct RunPaths {
    std::filesystem::path root;
    std::filesystem::path config() const { return root / "config.json"; }
    std::filesystem::path meta() const { return root / "meta.json"; }
    std::filesystem::path status() const { return root / "status.json"; }
    std::filesystem::path metrics() const { return root / "metrics.jsonl"; }
    std::filesystem::path log() const { return root / "log.txt"; }
    std::filesystem::path checkpoints() const { return root / "checkpoints"; }
    std::filesystem::path eval() const { return root / "eval"; }
    // The newest evaluation report (what the views show); an image run's evaluation is also kept
    // per protocol (eval.image_resize), so evaluating under one never loses the other's report.
    std::filesystem::path eval_report() const { return eval() / "extrapolation.json"; }
    std::filesystem::path eval_report(const std::string& image_resize) const {
        return eval() / ("extrapolation-" + image_resize + ".json");
    }
    std::filesystem::path snapshots() const { return root / "snapshots"; }
    std::filesystem::path figures() const { return root / "figures"; }
    std::filesystem::path checkpoint(int64_t step) const;
};

void write_status(const RunPaths& p, const RunStatus& s);
std::optional<RunStatus> read_status(const RunPaths& p); // nullopt when missing or unreadable

// Writes config.json: {"hash": "...", "config": {...every field...}}.
void write_run_config(const RunPaths& p, const ResolvedConfig& c);
// Reads config.json of a run (accepts a bare config too), resolved: a run written before a field
// existed reads that field's default, which may be "auto". Throws InputError naming the file.
ResolvedConfig read_run_config(const RunPaths& p);

// Metrics file reader that can follow a growing file: each call returns the complete new lines
// since the last call. A partial last line is left for the next call; malformed lines are skipped.
class MetricsReader {
public:
    explicit MetricsReader(std::filesystem::path file) : file_(std::move(file)) {}
    std::vector<Record> read_new();
    void reset() { offset_ = 0; }

private:
    std::filesystem::path file_;
    uint64_t offset_ = 0;
};

std::vector<Record> read_metrics(const std::filesystem::path& file);

// The newest usable checkpoint: the highest step-* whose DONE checksums match its files
// (seqpe/checkpoints.h lists all of them with their state).
std::optional<std::filesystem::path> latest_checkpoint(const RunPaths& p);
// Step number of a checkpoint directory name "step-00001200"; -1 if not one.
int64_t checkpoint_step(const std::filesystem::path& dir);
// The step-budget rule of a resume (the trainer, the CLI and the workbench ask it): a run that
// reached step `reached` cannot continue under train.steps = `steps` below it, which would mark it
// completed without a step; it is refused, never clamped. The message names both numbers, the run
// and the fix; "" when the budget is at or above the step reached.
std::string step_budget_problem(int64_t steps, int64_t reached, const std::string& run);

// Is `p` a run directory (has config.json)?
bool is_run_dir(const std::filesystem::path& p);

} // namespace seqpe
