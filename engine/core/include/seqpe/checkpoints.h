#pragma once
// A run's checkpoints as the tools see them, without loading any weights (torch-free core):
// which are complete, which are damaged and why. save_checkpoint writes DONE last, holding the
// size and SHA-256 of every file of the checkpoint (format "seqpe-checkpoint/1"), so damage
// (an emptied, truncated or replaced file) is found before anything is loaded. Checkpoints
// written before checksums existed have an empty DONE: they count as complete, unverified.
#include "seqpe/run_dir.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seqpe {

inline constexpr const char* kCheckpointFormat = "seqpe-checkpoint/1";

enum class CheckpointHealth {
    Complete,   // DONE with checksums, every file matches
    Unverified, // DONE without checksums (older runs): loads are the only check
    Incomplete, // no DONE: a writer stopped before finishing (never loaded)
    Damaged,    // a file is missing or differs from DONE's record, or it was set aside as damaged
};
const char* checkpoint_health_name(CheckpointHealth h);

struct CheckpointInfo {
    std::filesystem::path dir;
    int64_t step = -1;
    CheckpointHealth health = CheckpointHealth::Incomplete;
    std::string problem;    // Incomplete/Damaged: the file and what is wrong with it
    uint64_t bytes = 0;     // total size of its files
    std::string time;       // when it was written (DONE's time, else the directory's), ISO-8601 UTC
    bool set_aside = false; // renamed step-N.damaged[-k] by a resume that could not load it
    bool usable() const { return health == CheckpointHealth::Complete || health == CheckpointHealth::Unverified; }
};

// How much list_checkpoints checks: sizes only (stat calls; the GUI's polling) or sizes and
// SHA-256 (reads every byte; resume, evaluation, `seqpe info`).
enum class CheckpointCheck { Sizes, Hashes };

// DONE's content for the files of a checkpoint: name -> (size, SHA-256 hex).
std::string checkpoint_done_json(const std::map<std::string, std::pair<uint64_t, std::string>>& files, int64_t step);
// One checkpoint directory's state.
CheckpointInfo inspect_checkpoint(const std::filesystem::path& dir, CheckpointCheck check = CheckpointCheck::Hashes);
// Every checkpoint of a run (step-* and set-aside step-*.damaged*), newest step first.
std::vector<CheckpointInfo> list_checkpoints(const RunPaths& p, CheckpointCheck check = CheckpointCheck::Hashes);

// The checkpoint to load: the newest usable one (hashes checked newest first, stopping at the
// first usable), with the newer ones that were passed over because they are damaged.
struct CheckpointChoice {
    std::optional<std::filesystem::path> dir;
    CheckpointHealth health = CheckpointHealth::Incomplete; // of `dir`: Complete or Unverified
    std::vector<CheckpointInfo> skipped;                    // damaged checkpoints newer than `dir`
};
// `below_step`: only checkpoints of earlier steps (to pass over one that failed to load).
CheckpointChoice choose_checkpoint(const RunPaths& p, int64_t below_step = INT64_MAX);

// The step a resume continues from: the newest usable checkpoint's in `checkpoints` (newest first,
// as list_checkpoints returns them); 0 when none is usable.
int64_t resume_step(const std::vector<CheckpointInfo>& checkpoints);
// The run rule of both front ends: a run is complete when its status says completed and its newest
// usable checkpoint (`reached`, resume_step) is at or past the step budget `steps`. `seqpe train`
// skips it (--restart trains it again) and the workbench's Start refuses it (raise train.steps). A
// damaged final checkpoint makes the run resumable again instead.
bool run_is_complete(const RunStatus& status, int64_t reached, int64_t steps);
// The config a run trains with: `config` resolved, and when it resumes a run directory that has a
// config.json, with the values its "auto" fields resolved to when the run started
// (resolve_resumed). An unreadable config.json resolves `config` alone: the resume check reports it.
ResolvedConfig resolve_for_run(const RunConfig& config, const std::filesystem::path& run_dir, bool resume);

// Throws InputError naming the checkpoint and what is wrong when `dir` is incomplete or damaged.
void require_usable_checkpoint(const std::filesystem::path& dir);

// Renames a damaged checkpoint to step-N.damaged (or .damaged-2, ...) so that it is never loaded
// again and never deleted; returns the new path. Throws RunError when the rename fails.
std::filesystem::path set_checkpoint_aside(const std::filesystem::path& dir);

} // namespace seqpe
