#pragma once
// Timing the language model for `seqpe bench` (bench_model.cpp): training steps, evaluation passes,
// a matmul baseline, and the model sizes and FLOPs they are reported against.
#include "seqpe/bench.h"
#include "seqpe/config.h"

namespace seqpe::bench {

struct EvalTiming {
    double tokens_per_s = 0;
    double peak_rss_mb = 0;
};

RunConfig size_config(const std::string& size, const std::string& encoding);
double model_flops_per_step(const RunConfig& c, int64_t vocab);
// Where a profile of the training step goes (time_training): `steps` steps after the timed ones.
struct ProfileRequest {
    std::vector<OpTime>* out = nullptr; // null: no profile
    int steps = 0;
    double* step_ms = nullptr;  // the profiled steps' mean wall time
    std::string* why = nullptr; // set when this LibTorch cannot profile
};

StepTiming time_training(const ResolvedConfig& c, int64_t vocab, int warmup, int repeats, int64_t* params,
                         int64_t* pe_params, const std::string& precision, const ProfileRequest& profile = {});
EvalTiming time_eval(const ResolvedConfig& c, int64_t vocab, int64_t length, int repeats, const std::string& precision);
double matmul_gflops(int repeats, const std::string& precision);

} // namespace seqpe::bench
