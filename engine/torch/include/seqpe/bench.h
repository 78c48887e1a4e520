#pragma once
// `seqpe bench`: measures the engine on this machine. Timing goals live here, never in tests.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seqpe::bench {

struct BenchOptions {
    std::vector<std::string> sizes = {"quickstart", "medium"};
    std::vector<std::string> encodings;  // empty: all 1D encodings
    std::vector<std::string> precisions; // fp32 and/or bf16; empty: fp32, and bf16 where the CPU has it natively
    int warmup = 2;
    int repeats = 7; // medians over these
    int threads = 0;
    bool eval = true;        // eval tokens/s at 1x and 16x
    bool python = true;      // time bench/reference_gpt.py beside the engine
    std::string dataset_dir; // for the data-loading line (skipped when empty)
    std::string json_out;    // write the report here too
    bool profile = false;    // per-operator time of each row's training step (--profile)
    int profile_steps = 3;   // steps profiled after the timed ones (the profiler slows them)
    int profile_top = 15;    // operators listed per row
};

// One operator or scope of a profiled step: milliseconds per step, calls per step.
struct OpTime {
    std::string name;
    double self_ms = 0;  // not inside a nested operator
    double total_ms = 0; // with the operators it calls
    int64_t calls = 0;
};

struct StepTiming {
    double forward = 0, backward = 0, optimizer = 0, total = 0; // seconds (medians)
    double encoder = 0;                                         // SeqPE: prepare_step (encoder forward)
    // SeqPE: the encoder's work in the last timed step, counted from its actual pass (tokens through
    // its blocks, distinct positions encoded, forward + backward FLOPs of its matrix products).
    int64_t encoder_tokens = 0, encoder_positions = 0;
    double encoder_flops = 0;
};

struct BenchRow {
    std::string size, encoding, variant; // variant: "" | "main-only" (SeqPE without auxiliary losses)
    std::string precision = "fp32";      // fp32 | bf16 (CPU autocast)
    int64_t params = 0, pe_params = 0;
    int64_t tokens_per_step = 0;
    double flops_per_step = 0; // analytic (forward + backward)
    StepTiming step;
    double tokens_per_s = 0;
    double hw_share = 0;        // flops_per_step / step / matmul rate of the row's precision
    double speedup_vs_fp32 = 0; // bf16 rows: the fp32 row's step time / this step time
    double eval_1x_tokens_per_s = 0, eval_16x_tokens_per_s = 0;
    double eval_16x_peak_rss_mb = 0;
    double ratio_to_learned = 0; // step time / learned's step time (same size)
    std::vector<OpTime> profile; // --profile: every operator and scope, by self time
    double profiled_step_ms = 0; // the profiled steps' mean wall time (profiler overhead included)
};

struct PythonRow {
    std::string size, precision;
    double tokens_per_s = 0;
};

struct BenchReport {
    std::string machine, cpu, torch_version, blas;
    bool cpu_bf16 = false; // native bf16 instructions (runtime.precision auto -> bf16)
    int threads = 0;
    double matmul_gflops = 0;      // 2048 x 2048 fp32, median
    double matmul_bf16_gflops = 0; // the same in bf16 (0: not measured)
    double data_tokens_per_s = 0;  // LmBatcher on the dataset (0: not measured)
    double peak_rss_mb = 0;
    std::vector<BenchRow> rows;
    std::string python_status;     // "ok", or why the reference did not run
    std::vector<PythonRow> python; // the eager reference per size and precision
    int profile_top = 15;          // operators report_table lists per profiled row
    std::string profile_status;    // why --profile gave nothing, else empty
};

BenchReport run_bench(const BenchOptions& o, const std::function<void(const std::string&)>& progress);
std::string report_table(const BenchReport& r);
std::string report_json(const BenchReport& r);

} // namespace seqpe::bench
