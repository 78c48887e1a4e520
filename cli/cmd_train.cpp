// seqpe train CONFIG: trains every run of a project (or the selected ones) one after another.
// With --distributed every rank runs this same loop: rank 0 decides (skip, restart) and prepares
// the data first, the other ranks follow its decision (docs/SCALE-OUT.md).
#include "commands.h"

#include "seqpe/checkpoints.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/distributed.h"
#include "signals.h"

#include <exception>

namespace seqpe::cli {

namespace {

// Rank 0's data preparation (a download, a tokenizer) may outlast a collective's timeout.
constexpr double kPrepareWait = 3600.0;

std::shared_ptr<DistributedContext> join_job(const TrainArgs& a, const Plan& plan, Console& console) {
    if (!a.distributed) return nullptr;
    if (a.paused) throw InputError("--paused does not combine with --distributed");
    const DistributedEnv env = distributed_env_from_environment();
    const double timeout =
        plan.runs.empty() ? RuntimeConfig{}.dist_timeout_s : plan.runs.front().config.runtime.dist_timeout_s;
    auto ctx = init_distributed(env, timeout);
    console.event("distributed", "rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                                     " joined the job at " + env.master_addr + ":" + std::to_string(env.master_port));
    return ctx;
}

} // namespace

int cmd_train(const TrainArgs& a, Console& console) {
    Plan plan = make_plan(a.config, a.overrides, a.runs, a.out);
    if (!plan.diagnostics.empty()) {
        const std::string text = format_diagnostics(plan.diagnostics, a.config);
        if (has_errors(plan.diagnostics)) {
            console.error(text + "nothing was trained; fix the fields above (`seqpe options` lists them)");
            return kExitBadInput;
        }
        console.event("warning", text);
    }
    const std::shared_ptr<DistributedContext> dist = join_job(a, plan, console);
    const bool leader = !dist || dist->is_main();
    const std::stop_token stop = install_stop_signals();
    int exit_code = kExitOk;
    for (const auto& run : plan.runs) {
        if (stop.stop_requested()) return kExitCancelled;
        // What a Ctrl-C interrupts, for the message that follows it.
        std::string doing = "cancelled while preparing run " + run.name;
        try {
            bool skip = false;
            fs::path dataset;
            std::exception_ptr failed; // rank 0's failure, rethrown after the others were told
            if (leader) {
                try {
                    const RunPaths paths{run.dir};
                    if (auto st = read_status(paths);
                        st && !a.restart &&
                        run_is_complete(*st, resume_step(list_checkpoints(paths, CheckpointCheck::Sizes)),
                                        run.config.train.steps)) {
                        console.event("skip", "run " + run.name + ": already completed (" + run.dir.string() +
                                                  "); pass --restart to train it again");
                        skip = true;
                    } else {
                        if (a.restart && fs::exists(run.dir)) {
                            std::string stamp = utc_now_iso();
                            for (char& ch : stamp)
                                if (ch == ':') ch = '-';
                            const fs::path aside = run.dir.string() + ".replaced-" + stamp;
                            fs::rename(run.dir, aside);
                            console.event("restart",
                                          "run " + run.name + ": the previous run was moved to " + aside.string());
                        }
                        dataset = prepare_with_progress(run.resolved, console, stop);
                    }
                } catch (...) {
                    if (!dist) throw;
                    failed = std::current_exception();
                }
            }
            if (dist) {
                const std::string decision = dist->share_from_main("run " + run.name,
                                                                   failed ? "failed"
                                                                   : skip ? "skip"
                                                                          : "train",
                                                                   kPrepareWait);
                if (failed) std::rethrow_exception(failed);
                if (decision == "failed") throw RunError("rank 0 could not start run " + run.name + " (see its log)");
                skip = decision == "skip";
                // The run directory and the dataset cache are rank 0's now; on another machine (or
                // with another cache) this prepares this rank's own copy of the dataset.
                if (!skip && !leader) dataset = prepare_with_progress(run.resolved, console, stop);
            }
            if (skip) continue;
            TrainerOptions opts;
            opts.run_dir = run.dir;
            opts.dataset_dir = dataset;
            opts.resume = true;
            opts.stop_after_steps = a.stop_after;
            opts.start_paused = a.paused;
            opts.distributed = dist;
            doing = "cancelled while starting run " + run.name;
            auto trainer = make_trainer(run.config, opts);
            console.begin_run(run.name, run.dir.string(), trainer->current_step(), trainer->total_steps());
            const RunResult r = trainer->run(console, stop);
            console.end_run(run.name, r);
            if (r.outcome == RunOutcome::Cancelled) return kExitCancelled;
            // A completed run evaluates itself (eval.after_training): the report the workbench's
            // Extrapolation view and `seqpe compare --reuse` read. Not in distributed jobs (`seqpe eval` after).
            if (evaluates_after_training(run.config, r.outcome, dist != nullptr)) {
                doing = "cancelled the evaluation after training of run " + run.name +
                        " (its training is complete; `seqpe eval " + run.dir.string() + "` evaluates it later)";
                EvalOptions eo;
                eo.dataset_dir = dataset;
                const EvalReport rep = evaluate_run(run.dir, eo, console, stop);
                console.event("evaluated", "run " + run.name + ": evaluated step " + std::to_string(rep.step) + " (" +
                                               (run.dir / "eval/extrapolation.csv").string() + ")");
            }
            if (r.outcome == RunOutcome::Failed) {
                exit_code = exit_code_of(r);
                // The same input would fail the next runs too; a distributed job cannot go on
                // without the rank that failed.
                if (r.bad_input || dist) return exit_code;
            }
        } catch (...) {
            const RunResult r = run_result_of_current_exception();
            if (r.outcome == RunOutcome::Cancelled) {
                console.event("cancelled", doing);
                return kExitCancelled;
            }
            console.error("run " + run.name + ": " + r.message);
            exit_code = exit_code_of(r);
            if (r.bad_input || dist) return exit_code;
        }
    }
    return exit_code;
}

} // namespace seqpe::cli
