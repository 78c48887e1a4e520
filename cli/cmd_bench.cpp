// seqpe bench: the benchmark harness (bench/), printed as a table and written as JSON.
#include "commands.h"
#include "seqpe/bench.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <cstdio>

namespace seqpe::cli {

int cmd_bench(const BenchArgs& a, Console& console) {
    bench::BenchOptions o;
    if (!a.sizes.empty()) o.sizes = a.sizes;
    o.encodings = a.encodings;
    o.precisions = a.precisions;
    o.repeats = a.repeats;
    o.warmup = a.warmup;
    o.threads = a.threads;
    o.profile = a.profile_steps > 0;
    o.profile_steps = a.profile_steps;
    o.profile_top = a.profile_top;
    o.python = !a.no_python;
    o.eval = !a.no_eval;
    o.dataset_dir = a.dataset;
    for (const auto& s : o.sizes)
        if (s != "quickstart" && s != "medium") {
            console.error("--sizes: '" + s + "' is not a benchmark size; use quickstart and/or medium");
            return kExitBadInput;
        }
    return guarded(console, [&] {
        const auto r = bench::run_bench(o, [&](const std::string& what) { console.event("bench", "bench: " + what); });
        if (!a.json_out.empty()) write_file_atomic(a.json_out, bench::report_json(r));
        if (console.json())
            std::fputs(bench::report_json(r).c_str(), stdout);
        else
            std::fputs(bench::report_table(r).c_str(), stdout);
        return kExitOk;
    });
}

} // namespace seqpe::cli
