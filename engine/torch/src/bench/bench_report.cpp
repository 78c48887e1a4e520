// The benchmark report as a table (stdout) and JSON.
#include "seqpe/bench.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe::bench {

// --profile: each row's step phases, then its operators by self time.
static std::string profile_table(const BenchReport& r) {
    std::string s;
    char b[512];
    if (!r.profile_status.empty()) s += "profile: " + r.profile_status + "\n";
    for (const auto& x : r.rows) {
        if (x.profile.empty()) continue;
        const std::string name = x.encoding + (x.variant.empty() ? "" : " (" + x.variant + ")");
        std::snprintf(b, sizeof b, "\nprofile: %s %s %s, %.1f ms a step under the profiler (timed median %.1f ms)\n",
                      x.size.c_str(), name.c_str(), x.precision.c_str(), x.profiled_step_ms, 1e3 * x.step.total);
        s += b;
        s += "  phases (ms):";
        double outside = 0;
        for (const auto& o : x.profile)
            if (o.name.rfind("step: ", 0) == 0) {
                std::snprintf(b, sizeof b, " %s %.1f;", o.name.c_str() + 6, o.total_ms);
                s += b;
                outside += o.self_ms;
            }
        std::snprintf(b, sizeof b, " outside any operator %.1f\n", outside);
        s += b;
        s += "  operator                                                self ms  share  total ms  calls\n";
        int shown = 0;
        for (const auto& o : x.profile) {
            if (o.name.rfind("step: ", 0) == 0) continue;
            if (shown++ >= r.profile_top) break;
            std::snprintf(b, sizeof b, "  %-54.54s %8.2f %5.1f%% %9.2f %6lld\n", o.name.c_str(), o.self_ms,
                          x.profiled_step_ms > 0 ? 100 * o.self_ms / x.profiled_step_ms : 0.0, o.total_ms,
                          static_cast<long long>(o.calls));
            s += b;
        }
    }
    return s;
}

std::string report_table(const BenchReport& r) {
    std::string s;
    char b[640];
    std::snprintf(b, sizeof b, "machine %s (%s, bf16 %s), %d threads, LibTorch %s, BLAS %s\n", r.machine.c_str(),
                  r.cpu.empty() ? "unknown CPU" : r.cpu.c_str(), r.cpu_bf16 ? "native" : "not native", r.threads,
                  r.torch_version.c_str(), r.blas.c_str());
    s += b;
    std::snprintf(b, sizeof b, "matmul 2048^2: fp32 %.1f GFLOP/s", r.matmul_gflops);
    s += b;
    if (r.matmul_bf16_gflops > 0) {
        std::snprintf(b, sizeof b, ", bf16 %.1f GFLOP/s (%.2fx)", r.matmul_bf16_gflops,
                      r.matmul_bf16_gflops / r.matmul_gflops);
        s += b;
    }
    s += "\n";
    s += "size        encoding             prec     params  pe_params  step ms (fwd/bwd/opt, enc)      tok/s   hw%  x "
         "learned  x fp32  eval1x tok/s eval16x tok/s  16x MB\n";
    for (const auto& x : r.rows) {
        const std::string name = x.encoding + (x.variant.empty() ? "" : " (" + x.variant + ")");
        std::snprintf(
            b, sizeof b,
            "%-11s %-20s %-4s %9lld %9lld %6.1f (%5.1f/%5.1f/%4.1f, %4.1f) %9.0f %5.1f %8.2f %7s %12.0f %13.0f %7.0f\n",
            x.size.c_str(), name.c_str(), x.precision.c_str(), static_cast<long long>(x.params),
            static_cast<long long>(x.pe_params), 1e3 * x.step.total, 1e3 * x.step.forward, 1e3 * x.step.backward,
            1e3 * x.step.optimizer, 1e3 * x.step.encoder, x.tokens_per_s, 100 * x.hw_share, x.ratio_to_learned,
            x.speedup_vs_fp32 > 0 ? (std::to_string(x.speedup_vs_fp32).substr(0, 4) + "x").c_str() : "-",
            x.eval_1x_tokens_per_s, x.eval_16x_tokens_per_s, x.eval_16x_peak_rss_mb);
        s += b;
        if (x.step.encoder_tokens > 0) {
            // What the encoder's arithmetic alone sets as the floor of SeqPE's step against learned.
            std::snprintf(b, sizeof b,
                          "%-11s   SeqPE encoder: %lld tokens for %lld positions a step, %.2f GFLOP = %.2fx the "
                          "model's %.2f\n",
                          "", static_cast<long long>(x.step.encoder_tokens),
                          static_cast<long long>(x.step.encoder_positions), 1e-9 * x.step.encoder_flops,
                          x.flops_per_step > 0 ? x.step.encoder_flops / x.flops_per_step : 0.0,
                          1e-9 * x.flops_per_step);
            s += b;
        }
    }
    if (r.data_tokens_per_s > 0) {
        std::snprintf(b, sizeof b, "data loading: %.0f tokens/s\n", r.data_tokens_per_s);
        s += b;
    }
    if (!r.python_status.empty()) {
        s += "python reference (eager PyTorch, learned PE): " + r.python_status + "\n";
        for (const auto& p : r.python) {
            // The engine's learned row of the same size and precision, for the ratio.
            double engine = 0;
            for (const auto& x : r.rows)
                if (x.size == p.size && x.precision == p.precision && x.encoding == "learned" && x.variant.empty())
                    engine = x.tokens_per_s;
            std::snprintf(b, sizeof b, "  %-11s %-4s %9.0f tok/s  engine %9.0f tok/s  engine/reference %.2fx\n",
                          p.size.c_str(), p.precision.c_str(), p.tokens_per_s, engine,
                          p.tokens_per_s > 0 ? engine / p.tokens_per_s : 0.0);
            s += b;
        }
    }
    s += profile_table(r);
    std::snprintf(b, sizeof b, "peak resident memory %.0f MB\n", r.peak_rss_mb);
    s += b;
    return s;
}

std::string report_json(const BenchReport& r) {
    nlohmann::ordered_json j;
    j["machine"] = r.machine;
    j["cpu"] = r.cpu;
    j["cpu_bf16"] = r.cpu_bf16;
    j["torch_version"] = r.torch_version;
    j["blas"] = r.blas;
    j["threads"] = r.threads;
    j["matmul_gflops"] = r.matmul_gflops;
    j["matmul_bf16_gflops"] = r.matmul_bf16_gflops;
    j["data_tokens_per_s"] = r.data_tokens_per_s;
    j["peak_rss_mb"] = r.peak_rss_mb;
    j["python"] = {{"status", r.python_status}, {"rows", nlohmann::ordered_json::array()}};
    for (const auto& p : r.python)
        j["python"]["rows"].push_back({{"size", p.size}, {"precision", p.precision}, {"tokens_per_s", p.tokens_per_s}});
    j["rows"] = nlohmann::ordered_json::array();
    for (const auto& x : r.rows)
        j["rows"].push_back({{"size", x.size},
                             {"encoding", x.encoding},
                             {"variant", x.variant},
                             {"precision", x.precision},
                             {"params", x.params},
                             {"pe_params", x.pe_params},
                             {"tokens_per_step", x.tokens_per_step},
                             {"flops_per_step", x.flops_per_step},
                             {"step_s", x.step.total},
                             {"forward_s", x.step.forward},
                             {"backward_s", x.step.backward},
                             {"encoder_tokens", x.step.encoder_tokens},
                             {"encoder_positions", x.step.encoder_positions},
                             {"encoder_flops", x.step.encoder_flops},
                             {"optimizer_s", x.step.optimizer},
                             {"encoder_s", x.step.encoder},
                             {"tokens_per_s", x.tokens_per_s},
                             {"hw_share", x.hw_share},
                             {"ratio_to_learned", x.ratio_to_learned},
                             {"speedup_vs_fp32", x.speedup_vs_fp32},
                             {"eval_1x_tokens_per_s", x.eval_1x_tokens_per_s},
                             {"eval_16x_tokens_per_s", x.eval_16x_tokens_per_s},
                             {"eval_16x_peak_rss_mb", x.eval_16x_peak_rss_mb}});
    for (size_t i = 0; i < r.rows.size(); ++i) {
        if (r.rows[i].profile.empty()) continue;
        auto& row = j["rows"][i];
        row["profiled_step_ms"] = r.rows[i].profiled_step_ms;
        row["profile"] = nlohmann::ordered_json::array();
        for (const auto& o : r.rows[i].profile)
            row["profile"].push_back(
                {{"name", o.name}, {"self_ms", o.self_ms}, {"total_ms", o.total_ms}, {"calls", o.calls}});
    }
    if (!r.profile_status.empty()) j["profile_status"] = r.profile_status;
    return j.dump(2) + "\n";
}

} // namespace seqpe::bench
