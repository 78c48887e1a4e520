#pragma once
// The LibTorch engine's entry points: everything that builds or runs a model. The types they take
// and return are the torch-free core's (seqpe/trainer.h, seqpe/evaluate.h, seqpe/inspect.h), so
// that the GUI's bridge and its tests compile against the core alone; only code that links
// seqpe::engine includes this header (the CLI, the app's engine hooks, the engine's tests).
// Also LibTorch's: seqpe/export.h (safetensors), seqpe/runtime.h, seqpe/distributed.h.
#include "seqpe/evaluate.h"
#include "seqpe/inspect.h"
#include "seqpe/trainer.h"

#include <filesystem>
#include <memory>
#include <stop_token>

namespace seqpe {

// Builds the model and opens the data of a run. Throws InputError for a bad config, dataset or
// checkpoint (one line naming the file or field), RunError for other failures.
std::unique_ptr<Trainer> make_trainer(const RunConfig& config, const TrainerOptions& options);

// Loads the run's config and checkpoint and evaluates it. Observer gets progress logs.
// Throws InputError for a bad run directory, checkpoint or option; Cancelled on a stop request.
EvalReport evaluate_run(const std::filesystem::path& run_dir, const EvalOptions& options, Observer& observer,
                        std::stop_token stop = {});

// Opens a run directory (its config and newest complete checkpoint, or `checkpoint`) for
// inspection. The dataset named in meta.json is used for samples and token labels when present.
// Throws InputError for a missing or incompatible run or checkpoint.
std::unique_ptr<Inspector> open_inspector(const std::filesystem::path& run_dir,
                                          const std::filesystem::path& checkpoint = {});

} // namespace seqpe
