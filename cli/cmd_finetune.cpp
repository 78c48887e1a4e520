// seqpe finetune RUN_DIR --seq-len N --steps K [--scaling pi|ntk|yarn|none]: the protocol RoPE's
// context extensions are used with (docs/METHOD.md §9): a finished run continues for a few steps
// at a longer length with the extension trained in, then is evaluated at its base run's lengths so
// the two compare point for point.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/text.h"
#include "seqpe/encodings.h"
#include "seqpe/engine.h"
#include "seqpe/options.h"
#include "seqpe/run_dir.h"
#include "signals.h"

#include <cmath>

namespace seqpe::cli {

namespace fs = std::filesystem;

RunConfig finetune_config(const RunConfig& base, const fs::path& base_dir, const FinetuneArgs& a) {
    if (base.task != "lm")
        throw InputError(base_dir.string() + " is a " + base.task + " run: finetune extends language models");
    if (a.seq_len <= base.train.seq_len)
        throw InputError("--seq-len " + std::to_string(a.seq_len) + " is not longer than the run's training length " +
                         std::to_string(base.train.seq_len) + ": finetune continues a run at a longer length");
    const EncodingInfo* e = find_encoding(base.position_encoding.type);
    if (a.scaling != "none" && !(e && e->rotary))
        throw InputError("--scaling " + a.scaling + " extends rotary encodings; " +
                         (e ? std::string(e->title) : base.position_encoding.type) +
                         " rotates nothing: use --scaling none (a plain fine-tune at the longer length)");
    RunConfig c = base;
    c.train.init_from = base_dir.string();
    c.train.seq_len = a.seq_len;
    c.train.steps = a.steps;
    // About the base run's tokens per step; a short warm-up (the weights are trained already).
    c.train.batch_size = std::max<int64_t>(1, base.train.batch_size * base.train.seq_len / a.seq_len);
    c.train.grad_accum = 1;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 0;
    c.optim.warmup_steps = std::min<int64_t>(base.optim.warmup_steps, std::max<int64_t>(1, a.steps / 10));
    if (a.lr > 0) c.optim.lr = a.lr;
    c.optim.min_lr = std::min(c.optim.min_lr, c.optim.lr);
    if (a.scaling != "none") {
        // The run's own extension, by how much longer the new length is than the weights' (a base
        // run fine-tuned before carries its factor along).
        const double before = base.position_encoding.rope_scaling == "none" ? 1.0 : base.position_encoding.rope_factor;
        c.position_encoding.rope_scaling = a.scaling;
        c.position_encoding.rope_factor = before * static_cast<double>(a.seq_len) / base.train.seq_len;
    }
    c.eval.lengths = text_eval_lengths(base); // the base run's lengths: the two compare point for point
    for (const auto& o : a.overrides)
        if (auto d = apply_override(c, o); has_errors(d)) throw InputError("--set " + format_diagnostics(d));
    if (const auto d = validate(c); has_errors(d)) throw InputError(format_diagnostics(d));
    return c;
}

int cmd_finetune(const FinetuneArgs& a, Console& console) {
    const std::stop_token stop = install_stop_signals();
    return guarded(
        console,
        [&]() -> int {
            const RunPaths base{a.run_dir};
            if (!is_run_dir(base.root)) {
                console.error(a.run_dir +
                              ": not a run directory (no config.json); pass the folder `seqpe train` wrote");
                return kExitBadInput;
            }
            const RunConfig c = finetune_config(read_run_config(base), base.root, a);
            const fs::path out =
                a.out.empty() ? fs::path(base.root.string() + "-ft-" + a.scaling + "-" + std::to_string(a.seq_len))
                              : fs::path(a.out);
            const fs::path dataset = resolve_run_dataset(base.root, resolve_config(c), console, stop);
            TrainerOptions opts;
            opts.run_dir = out;
            opts.dataset_dir = dataset;
            opts.resume = true; // a finetune stopped by Ctrl-C continues where it was
            auto trainer = make_trainer(c, opts);
            const std::string name = out.filename().string();
            console.begin_run(name, out.string(), trainer->current_step(), trainer->total_steps());
            const RunResult r = trainer->run(console, stop);
            console.end_run(name, r);
            if (r.outcome != RunOutcome::Completed) return exit_code_of(r);
            EvalOptions eo;
            eo.dataset_dir = dataset;
            const EvalReport rep = evaluate_run(out, eo, console, stop);
            console.event("evaluated", "run " + name + ": fine-tuned " + std::to_string(a.steps) + " steps at " +
                                           std::to_string(a.seq_len) + " tokens (" + a.scaling + "), evaluated step " +
                                           std::to_string(rep.step) +
                                           " at the base run's "
                                           "lengths (" +
                                           (out / "eval/extrapolation.csv").string() + ")");
            return kExitOk;
        },
        "fine-tuning cancelled (the run keeps its checkpoint: the same command continues it)");
}

} // namespace seqpe::cli
