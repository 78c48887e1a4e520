// seqpe train CONFIG: trains every run of a project (or the selected ones) one after another.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "signals.h"

namespace seqpe::cli {

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
    const std::stop_token stop = install_stop_signals();
    int exit_code = kExitOk;
    for (const auto& run : plan.runs) {
        if (stop.stop_requested()) return kExitCancelled;
        try {
            const RunPaths paths{run.dir};
            if (auto st = read_status(paths); st && st->state == RunState::Completed && !a.restart &&
                                               st->step >= run.config.train.steps) {
                console.event("skip", "run " + run.name + ": already completed (" + run.dir.string() +
                                          "); pass --restart to train it again");
                continue;
            }
            if (a.restart && fs::exists(run.dir)) {
                std::string stamp = utc_now_iso();
                for (char& ch : stamp)
                    if (ch == ':') ch = '-';
                const fs::path aside = run.dir.string() + ".replaced-" + stamp;
                fs::rename(run.dir, aside);
                console.event("restart", "run " + run.name + ": the previous run was moved to " + aside.string());
            }
            const fs::path dataset = prepare_with_progress(run.config, console, stop);
            TrainerOptions opts;
            opts.run_dir = run.dir;
            opts.dataset_dir = dataset;
            opts.resume = true;
            opts.stop_after_steps = a.stop_after;
            opts.start_paused = a.paused;
            auto trainer = make_trainer(run.config, opts);
            console.begin_run(run.name, run.dir.string(), trainer->current_step(), trainer->total_steps());
            const RunResult r = trainer->run(console, stop);
            console.end_run(run.name, r);
            if (r.outcome == RunOutcome::Cancelled) return kExitCancelled;
            if (r.outcome == RunOutcome::Failed) {
                exit_code = r.bad_input ? kExitBadInput : kExitFailed;
                if (r.bad_input) return exit_code; // the same input would fail the next runs too
            }
        } catch (const Cancelled&) {
            console.event("cancelled", "cancelled while preparing run " + run.name);
            return kExitCancelled;
        } catch (const InputError& e) {
            console.error(std::string("run ") + run.name + ": " + e.what());
            return kExitBadInput;
        } catch (const std::exception& e) {
            console.error(std::string("run ") + run.name + ": " + e.what());
            exit_code = kExitFailed;
        }
    }
    return exit_code;
}

} // namespace seqpe::cli
