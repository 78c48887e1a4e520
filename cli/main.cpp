// seqpe: the headless command line of SeqPE Workbench.
#include "commands.h"
#include "console.h"

#include "seqpe/common/error.h"
#include "seqpe/common/version.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"
#include "seqpe/runtime.h"

#include <CLI/CLI.hpp>
#include <cstdio>

using namespace seqpe;
using namespace seqpe::cli;

static std::string join_words(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
    return s;
}

static std::string encodings_line() {
    std::string s;
    for (const auto& e : encoding_table()) s += (s.empty() ? "" : ", ") + std::string(e.name);
    return s;
}

int main(int argc, char** argv) {
    // Commands that run the engine restart once with passive OpenMP waiting (seqpe/runtime.h).
    if (argc > 1) {
        const std::string cmd = argv[1];
        if (cmd == "train" || cmd == "eval" || cmd == "compare" || cmd == "bench")
            seqpe::reexec_with_passive_openmp(argv);
    }
    CLI::App app{"seqpe: train, evaluate and compare position encodings (SeqPE and baselines) from the command line"};
    app.set_version_flag("--version", std::string(kToolVersion) + " (" + kGitCommit + ")");
    app.require_subcommand(1);
    app.footer("Encodings: " + encodings_line() +
               "\nFigures: `seqpe-workbench --export PROJECT` renders every figure headless (needs only QtGui).\n"
               "Exit codes: 0 done, 1 failed, 2 bad input (config, data, arguments), 130 cancelled (Ctrl-C).");
    bool json = false;
    app.add_flag("--json", json, "one JSON object per line on stdout (the default when stdout is not a terminal)");

    TrainArgs ta;
    auto* train = app.add_subcommand("train", "train every run of a project (or a single run config)");
    train->add_option("config", ta.config, "project file or run config (JSON)")->required();
    train->add_option("--set", ta.overrides, "override a field for every run, e.g. --set model.n_layer=4")->take_all();
    train->add_option("--run", ta.runs, "train only this run of the project (repeatable)");
    train->add_option("--out", ta.out, "write runs here instead of the project's output_dir");
    train->add_flag("--restart", ta.restart, "move an existing run aside and train it again from scratch");
    train->add_option("--stop-after", ta.stop_after, "stop with a checkpoint after N steps of this session")
        ->check(CLI::PositiveNumber);
    train->add_flag("--paused", ta.paused, "start paused (for debugging)")->group("");
    train->add_flag("--distributed", ta.distributed,
                    "be one rank of a data-parallel job: reads MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK "
                    "(docs/SCALE-OUT.md)");

    EvalArgs ea;
    auto* eval = app.add_subcommand("eval", "evaluate a trained run at its training length and beyond");
    eval->add_option("run_dir", ea.run_dir, "run directory written by `seqpe train`")->required();
    eval->add_option("--lengths", ea.lengths,
                     "evaluation lengths in tokens (text) or pixels (image), e.g. --lengths 128 256")
        ->expected(1, -1);
    // Choices from the option table (one list for the config field and the command line).
    const std::vector<std::string> modes = find_option("eval.mode")->choices;
    const std::vector<std::string> splits = find_option("eval.split")->choices;
    const std::vector<std::string> image_resizes = find_option("eval.image_resize")->choices;
    const std::string image_resize_help =
        "image runs: " + join_words(image_resizes) + " (default: the run's eval.image_resize)";
    const std::vector<std::string> precisions = find_option("runtime.precision")->choices;
    const std::vector<std::string> scalings = find_option("position_encoding.rope_scaling")->choices;
    eval->add_option("--mode", ea.mode, "an eval.mode: " + join_words(modes) + " (default: the run's eval.mode)")
        ->check(CLI::IsMember(modes));
    eval->add_option("--split", ea.split, join_words(splits) + " (default: the run's eval.split)")
        ->check(CLI::IsMember(splits));
    eval->add_option("--image-resize", ea.image_resize, image_resize_help)->check(CLI::IsMember(image_resizes));
    eval->add_option("--max-tokens", ea.max_tokens, "cap on tokens per length (0 = whole split)")
        ->check(CLI::NonNegativeNumber);
    eval->add_option("--checkpoint", ea.checkpoint, "a checkpoint directory (default: the newest complete one)");
    eval->add_option("--precision", ea.precision, join_words(precisions) + " (default: what the run trained in)")
        ->check(CLI::IsMember(precisions));

    FinetuneArgs fa;
    auto* finetune = app.add_subcommand(
        "finetune", "continue a finished LM run at a longer length with a RoPE extension, then evaluate it");
    finetune->add_option("run_dir", fa.run_dir, "run directory of a finished language-model run")->required();
    finetune->add_option("--seq-len", fa.seq_len, "the longer training length (tokens)")
        ->required()
        ->check(CLI::PositiveNumber);
    finetune->add_option("--steps", fa.steps, "fine-tuning steps (default 200)")->check(CLI::PositiveNumber);
    finetune
        ->add_option("--scaling", fa.scaling,
                     "a position_encoding.rope_scaling: " + join_words(scalings) +
                         " (default pi, Position Interpolation; none: a plain fine-tune, any encoding)")
        ->check(CLI::IsMember(scalings));
    finetune->add_option("--lr", fa.lr, "learning rate (default: the run's optim.lr)")->check(CLI::PositiveNumber);
    finetune->add_option("--out", fa.out, "run directory to write (default: RUN_DIR-ft-SCALING-SEQLEN)");
    finetune->add_option("--set", fa.overrides, "override a field of the fine-tune's config")->take_all();

    ReportArgs ra;
    auto* report = app.add_subcommand(
        "report", "write the project's comparison as tables for a paper (Markdown and LaTeX) from its eval reports");
    report->add_option("project", ra.project, "project file")->required();
    report->add_option("--out", ra.out, "runs live here instead of the project's output_dir");

    CompareArgs ca;
    auto* compare = app.add_subcommand("compare", "evaluate every run of a project and write one comparison table");
    compare->add_option("project", ca.project, "project file")->required();
    compare->add_option("--set", ca.overrides, "override a field (as given to train)")->take_all();
    compare->add_option("--run", ca.runs, "only this run (repeatable)");
    compare->add_option("--out", ca.out, "runs live here instead of the project's output_dir");
    compare->add_option("--lengths", ca.lengths, "evaluation lengths (tokens) or resolutions (pixels)")
        ->expected(1, -1);
    compare->add_option("--mode", ca.mode, "an eval.mode: " + join_words(modes))->check(CLI::IsMember(modes));
    compare->add_option("--split", ca.split, join_words(splits))->check(CLI::IsMember(splits));
    compare->add_option("--image-resize", ca.image_resize, image_resize_help)->check(CLI::IsMember(image_resizes));
    compare->add_option("--reference", ca.reference,
                        "test this seed group against every other (default: each column's best mean)");
    compare->add_flag("--reuse", ca.reuse,
                      "keep each run's eval report when it is of the newest checkpoint and holds the requested "
                      "modes and lengths");
    compare->add_flag("--partial", ca.partial,
                      "also compare runs that have not reached train.steps (still training or stopped), at their "
                      "newest checkpoint");
    compare->add_option("--max-tokens", ca.max_tokens, "cap on tokens (or images) per length")
        ->check(CLI::NonNegativeNumber);
    compare->add_option("--precision", ca.precision, join_words(precisions) + " (default: what each run trained in)")
        ->check(CLI::IsMember(precisions));

#ifdef SEQPE_HAVE_BENCH
    BenchArgs ba;
    auto* bench =
        app.add_subcommand("bench", "measure step time, throughput, memory and the matmul rate of this machine");
    bench->add_option("--sizes", ba.sizes, "quickstart and/or medium (default both)")->expected(1, -1);
    bench->add_option("--encodings", ba.encodings, "encodings to time (default: every text encoding)")->expected(1, -1);
    bench
        ->add_option("--precisions", ba.precisions,
                     "fp32 and/or bf16 (default: fp32, and bf16 where the CPU has it natively)")
        ->expected(1, -1)
        ->check(CLI::IsMember({"fp32", "bf16"}));
    bench->add_option("--repeats", ba.repeats, "timed steps per measurement (medians)")->check(CLI::Range(1, 1000));
    bench->add_option("--warmup", ba.warmup, "untimed steps first")->check(CLI::Range(0, 100));
    bench->add_option("--threads", ba.threads, "intra-op threads (default: all cores)")->check(CLI::NonNegativeNumber);
    bench->add_option("--dataset", ba.dataset, "a prepared text dataset for the data-loading line");
    bench->add_option("--out", ba.json_out, "also write the report as JSON here");
    bench->add_flag("--no-python", ba.no_python, "skip the plain-PyTorch reference");
    bench->add_flag("--no-eval", ba.no_eval, "skip the evaluation throughput lines");
    bench
        ->add_option("--profile", ba.profile_steps,
                     "profile N training steps per row after the timed ones: time per operator (self and "
                     "total), and per phase of the step")
        ->check(CLI::Range(1, 100));
    bench->add_option("--profile-top", ba.profile_top, "operators listed per profiled row (default 15)")
        ->check(CLI::Range(1, 1000));
#endif

    ExportArgs xa;
    auto* xcmd =
        app.add_subcommand("export", "write a checkpoint's weights as a safetensors file (its config beside it)");
    xcmd->add_option("run_dir", xa.run_dir, "run directory (or a checkpoint directory)")->required();
    xcmd->add_option("--out", xa.out, "the .safetensors file to write")->required();
    xcmd->add_option("--checkpoint", xa.checkpoint,
                     "a checkpoint directory or name (default: the newest complete one)");
    ImportArgs ia;
    auto* icmd = app.add_subcommand("import", "create a run directory from a safetensors file and its config");
    icmd->add_option("file", ia.file, "the .safetensors file")->required();
    icmd->add_option("--config", ia.config, "the run config (FILE.config.json written by export)")->required();
    icmd->add_option("--run-dir", ia.run_dir, "the new run directory (must not exist)")->required();

    std::string info_dir;
    auto* info = app.add_subcommand("info", "summarise a run directory: config, status, metrics, checkpoints, results");
    info->add_option("run_dir", info_dir, "run directory")->required();

    bool all = false;
    auto* options = app.add_subcommand("options", "list every config option with its default, range and help");
    options->add_flag("--all", all, "include advanced options");
    bool markdown = false;
    options->add_flag("--markdown", markdown, "every option as Markdown tables (docs/CONFIG.md)");
    app.add_subcommand("encodings", "list the position encodings");

    std::string vconfig;
    std::vector<std::string> voverrides;
    auto* validate = app.add_subcommand("validate", "check a project or run config and report every problem");
    validate->add_option("config", vconfig, "project file or run config")->required();
    validate->add_option("--set", voverrides, "override a field")->take_all();

    auto* data =
        app.add_subcommand("data", "prepare datasets (runs seqpe-data): `seqpe data prepare text|image [options]`");
    data->prefix_command();

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "seqpe: error: %s (see `seqpe --help`)\n", e.what());
        return kExitBadInput;
    }
    try {
        if (*data) {
            std::vector<std::string> rest = data->remaining();
            if (!rest.empty() && rest.front() == "prepare") rest.erase(rest.begin());
            if (rest.empty() || rest.front().rfind("--", 0) == 0) rest.insert(rest.begin(), "text");
            return cmd_data(rest);
        }
        if (*options) return cmd_options(all, json, markdown);
        if (app.got_subcommand("encodings")) return cmd_encodings(json);
        if (*validate) return cmd_validate(vconfig, voverrides, json);
        if (*info) return cmd_info(info_dir, json);
        init_runtime(0);
        // Progress streams are JSON lines whenever stdout is not a terminal (scripts, the GUI).
        Console console(json || !stdout_is_terminal());
        if (*train) return cmd_train(ta, console);
        if (*eval) return cmd_eval(ea, console);
        if (*compare) return cmd_compare(ca, console);
        if (*finetune) return cmd_finetune(fa, console);
        if (*report) return cmd_report(ra, console);
        if (*xcmd) return cmd_export(xa, console);
        if (*icmd) return cmd_import(ia, console);
#ifdef SEQPE_HAVE_BENCH
        if (*bench) return cmd_bench(ba, console);
#endif
    } catch (const InputError& e) {
        std::fprintf(stderr, "seqpe: error: %s\n", e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seqpe: error: %s\n", e.what());
        return kExitFailed;
    }
    return kExitOk;
}
