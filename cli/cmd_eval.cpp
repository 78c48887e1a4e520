// seqpe eval RUN_DIR: perplexity (or accuracy) at the training length and beyond.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "seqpe/run_dir.h"
#include "signals.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe::cli {

int cmd_eval(const EvalArgs& a, Console& console) {
    const std::stop_token stop = install_stop_signals();
    return guarded(
        console,
        [&] {
            const RunPaths paths{a.run_dir};
            if (!is_run_dir(paths.root)) {
                console.error(a.run_dir +
                              ": not a run directory (no config.json); pass the folder `seqpe train` wrote");
                return kExitBadInput;
            }
            const ResolvedConfig c = read_run_config(paths);
            EvalOptions o = eval_options(a, resolve_run_dataset(paths.root, c, console, stop));
            o.checkpoint = a.checkpoint;
            const EvalReport rep = evaluate_run(paths.root, o, console, stop);
            if (console.json()) {
                const auto body = nlohmann::ordered_json::parse(eval_report_json(rep));
                nlohmann::ordered_json j;
                j["kind"] = "eval_report";
                for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
                std::fputs((j.dump() + "\n").c_str(), stdout);
            } else {
                std::printf("%s (%s, %s, step %lld) on %s; trained at %lld\n", rep.run.c_str(), rep.encoding.c_str(),
                            rep.task.c_str(), static_cast<long long>(rep.step), rep.split.c_str(),
                            static_cast<long long>(rep.train_length));
                std::printf("%-12s %8s %6s %10s %12s %10s  %s\n", "mode", "length", "depth", "loss", rep.metric.c_str(),
                            "count", "note");
                for (const auto& r : rep.rows)
                    std::printf("%-12s %8lld %6s %10.4f %12.3f %10lld  %s\n", r.mode.c_str(),
                                static_cast<long long>(r.length),
                                r.depth >= 0 ? (std::to_string(r.depth) + "%").c_str() : "all", r.loss,
                                rep.metric == "ppl" ? r.ppl : 100.0 * r.accuracy, static_cast<long long>(r.count),
                                r.note.c_str());
                std::printf("results: %s\n", (paths.eval() / "extrapolation.csv").c_str());
            }
            return kExitOk;
        },
        "evaluation cancelled");
}

} // namespace seqpe::cli
