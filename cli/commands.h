#pragma once
// The subcommands of `seqpe`. Each returns the process exit code (seqpe::ExitCode).
#include "console.h"
#include "seqpe/common/error.h"
#include "seqpe/config_io.h"
#include "seqpe/evaluate.h"
#include "seqpe/run_plan.h"

#include <filesystem>
#include <string>
#include <vector>

namespace seqpe::cli {

// Runs a command body and maps what escapes it to the exit codes every command shares: 130 for a
// cancellation (Ctrl-C), 2 for input the user can fix (InputError), 1 for everything else; one
// line on the console for each.
template <class F> int guarded(Console& console, F&& fn, const std::string& cancelled = "cancelled") {
    try {
        return fn();
    } catch (const Cancelled&) {
        console.error(cancelled);
        return kExitCancelled;
    } catch (const InputError& e) {
        console.error(e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        console.error(e.what());
        return kExitFailed;
    }
}

struct TrainArgs {
    std::string config;                 // project file or run config
    std::vector<std::string> overrides; // --set a.b=v
    std::vector<std::string> runs;      // --run NAME (default: all runs of the project)
    std::string out;                    // --out DIR (default: the project's output_dir)
    bool restart = false;               // move an existing run aside and start again
    int64_t stop_after = 0;             // stop (with a checkpoint) after N steps this session
    bool paused = false;
    bool distributed = false; // one rank of a data-parallel job (torchrun's environment)
};
int cmd_train(const TrainArgs& a, Console& console);

struct EvalArgs {
    std::string run_dir;
    std::vector<int64_t> lengths;
    std::string mode, split, checkpoint, precision, image_resize;
    int64_t max_tokens = -1;
};
int cmd_eval(const EvalArgs& a, Console& console);

struct CompareArgs {
    std::string project;
    std::vector<std::string> overrides, runs;
    std::string out;
    std::vector<int64_t> lengths;
    std::string mode, split, precision, image_resize;
    int64_t max_tokens = -1;
    bool reuse = false;    // keep a run's report of its newest checkpoint instead of evaluating again
    bool partial = false;  // also compare runs short of their step budget (their newest checkpoint)
    std::string reference; // compare this seed group with every other (default: each column's best)
};
int cmd_compare(const CompareArgs& a, Console& console);

// The evaluation options of `seqpe eval` and `seqpe compare` flags (EvalArgs, CompareArgs; what is
// not given comes from each run's eval settings).
template <class Args> EvalOptions eval_options(const Args& a, const std::filesystem::path& dataset_dir) {
    EvalOptions o;
    o.dataset_dir = dataset_dir;
    o.lengths = a.lengths;
    o.mode = a.mode;
    o.split = a.split;
    o.max_tokens = a.max_tokens;
    o.precision = a.precision;
    o.image_resize = a.image_resize;
    return o;
}

struct FinetuneArgs {
    std::string run_dir;                // a finished language-model run
    int64_t seq_len = 0;                // the longer training length
    int64_t steps = 200;                // fine-tuning steps
    std::string scaling = "pi";         // pi | ntk | yarn | none (rotary encodings; none: plain)
    double lr = 0;                      // 0: the base run's optim.lr
    std::string out;                    // default: <run_dir>-ft-<scaling>-<seq_len>
    std::vector<std::string> overrides; // --set a.b=v on the fine-tune's config
};
// The fine-tune's config (exposed for tests): the base run's, continued from its weights at
// `seq_len` with the extension, evaluated at the base run's lengths. Throws InputError naming the flag.
RunConfig finetune_config(const RunConfig& base, const std::filesystem::path& base_dir, const FinetuneArgs& a);
int cmd_finetune(const FinetuneArgs& a, Console& console);

struct ReportArgs {
    std::string project;
    std::string out; // runs live here instead of the project's output_dir
};
int cmd_report(const ReportArgs& a, Console& console);

struct BenchArgs {
    std::vector<std::string> sizes, encodings, precisions;
    int repeats = 7, warmup = 2, threads = 0, profile_steps = 0, profile_top = 15;
    bool no_python = false, no_eval = false;
    std::string dataset, json_out;
};
int cmd_bench(const BenchArgs& a, Console& console);

struct ExportArgs {
    std::string run_dir, out, checkpoint;
};
int cmd_export(const ExportArgs& a, Console& console); // cmd_export.cpp
struct ImportArgs {
    std::string file, config, run_dir;
};
int cmd_import(const ImportArgs& a, Console& console);

int cmd_info(const std::string& run_dir, bool json);
int cmd_options(bool all, bool json, bool markdown);
int cmd_encodings(bool json);
int cmd_validate(const std::string& config, const std::vector<std::string>& overrides, bool json);
int cmd_data(const std::vector<std::string>& args);

// ---- shared by the commands (run_plan.cpp) ------------------------------------------------------

// Reads a project (or a run config), expands runs x sweep x seeds, applies --set overrides to
// every selected run, validates (seqpe/run_plan.h; the workbench plans with the same step).
using Plan = RunPlan;
inline Plan make_plan(const std::string& file, const std::vector<std::string>& overrides,
                      const std::vector<std::string>& only_runs, const std::string& out_dir) {
    return plan_file(file, overrides, only_runs, out_dir);
}

// The dataset of an existing run: the directory meta.json names when it is still valid, else the
// one seqpe-data prepares for the run's config.
std::filesystem::path resolve_run_dataset(const std::filesystem::path& run_dir, const ResolvedConfig& c,
                                          Console& console, std::stop_token stop);
// Runs seqpe-data for `c`, showing its progress.
std::filesystem::path prepare_with_progress(const ResolvedConfig& c, Console& console, std::stop_token stop);

} // namespace seqpe::cli
