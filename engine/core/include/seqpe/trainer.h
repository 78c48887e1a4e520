#pragma once
// The Trainer facade: what the CLI and the GUI's bridge know of training. Standard types only;
// the implementation (LibTorch) lives in engine/torch and is created by make_trainer()
// (seqpe/engine.h).
//
// Threads: run() is called on one thread, which owns the model for the trainer's lifetime. The
// control functions (pause, resume, step, post) may be called from any thread. Observer callbacks
// run on the training thread and must return quickly (copy, queue, return).
#include "seqpe/config.h"
#include "seqpe/inspect.h"
#include "seqpe/records.h"
#include "seqpe/run_dir.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace seqpe {

class DistributedContext; // seqpe/distributed.h

enum class LogLevel { Debug, Info, Warning, Error };
const char* log_level_name(LogLevel l);

// Position-embedding geometry computed on the training thread every train.snapshot_every steps.
struct Snapshot {
    int64_t step = 0;
    GeometryResult geometry;
};

class Observer {
public:
    virtual ~Observer() = default;
    virtual void on_record(const Record& r) {} // train/eval records (as in metrics.jsonl)
    virtual void on_log(LogLevel level, const std::string& text) {}
    virtual void on_status(const RunStatus& s) {} // state changes (running, paused, ...)
    virtual void on_snapshot(const Snapshot& s) {}
};

enum class RunOutcome { Completed, Cancelled, Failed };
const char* run_outcome_name(RunOutcome o);
// The run rule of both front ends: whether a training job that ended with `o` evaluates its run
// next (eval.after_training): only a completed one, and not in a distributed job (every rank would
// evaluate; `seqpe eval` does it afterwards).
bool evaluates_after_training(const RunConfig& c, RunOutcome o, bool distributed);

struct RunResult {
    RunOutcome outcome = RunOutcome::Failed;
    std::string message;
    int64_t step = 0;
    bool bad_input = false; // failed because of the user's config or data (CLI exit code 2)
};

// What the exception being handled means for a run: Cancelled -> Cancelled (`cancelled_message`),
// InputError -> Failed with bad_input (the user can fix it), anything else -> Failed, with the
// exception's text. Call inside a catch block. The one mapping of the trainer, the GUI's run
// sessions and the CLI commands.
RunResult run_result_of_current_exception(const std::string& cancelled_message = "stopped");
// The CLI exit code of a run's outcome: 0, 130 (cancelled), 2 (bad input) or 1.
int exit_code_of(const RunResult& r);

struct TrainerOptions {
    std::filesystem::path run_dir;
    std::filesystem::path dataset_dir; // a prepared dataset (prepare_dataset() resolves one)
    bool resume = true;                // continue from the run's latest complete checkpoint
    bool start_paused = false;
    int64_t stop_after_steps = 0; // > 0: cancel (with a checkpoint) after this many steps this session
    // Data-parallel job (`seqpe train --distributed`): this process trains its rank's slice of each
    // global batch; only rank 0 writes the run directory. Null (or one rank): a single process.
    std::shared_ptr<DistributedContext> distributed;
};

class Trainer {
public:
    virtual ~Trainer() = default;
    // Trains until completion, a stop request or a failure. Never throws. On a stop request it
    // finishes the current step, writes a checkpoint and returns Cancelled.
    virtual RunResult run(Observer& observer, std::stop_token stop) = 0;

    virtual void pause() = 0; // stops between steps; the model stays in memory
    virtual void resume() = 0;
    virtual void step() = 0; // while paused: one step, then paused again
    virtual bool is_paused() const = 0;
    // Runs `fn` on the training thread between steps (also while paused): probes of the model.
    virtual void post(std::function<void()> fn) = 0;

    // The trainer's model for probes; use it only inside a function given to post().
    virtual Inspector& inspector() = 0;

    virtual int64_t current_step() const = 0;
    virtual int64_t total_steps() const = 0;
};

} // namespace seqpe
