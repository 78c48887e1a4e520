// The benchmark report as a table (stdout) and JSON.
#include "bench.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe::bench {

std::string report_table(const BenchReport& r) {
    std::string s;
    char b[512];
    std::snprintf(b, sizeof b, "machine %s, %d threads, LibTorch %s, BLAS %s\nmatmul 2048^2 fp32: %.1f GFLOP/s\n",
                  r.machine.c_str(), r.threads, r.torch_version.c_str(), r.blas.c_str(), r.matmul_gflops);
    s += b;
    s += "size        encoding              params  pe_params  step ms (fwd/bwd/opt, enc)      tok/s   hw%  x learned  eval1x tok/s eval16x tok/s  16x MB\n";
    for (const auto& x : r.rows) {
        const std::string name = x.encoding + (x.variant.empty() ? "" : " (" + x.variant + ")");
        std::snprintf(b, sizeof b, "%-11s %-20s %8lld %9lld %6.1f (%5.1f/%5.1f/%4.1f, %4.1f) %9.0f %5.1f %8.2f %12.0f %13.0f %7.0f\n",
                      x.size.c_str(), name.c_str(), static_cast<long long>(x.params), static_cast<long long>(x.pe_params),
                      1e3 * x.step.total, 1e3 * x.step.forward, 1e3 * x.step.backward, 1e3 * x.step.optimizer,
                      1e3 * x.step.encoder, x.tokens_per_s, 100 * x.hw_share, x.ratio_to_learned, x.eval_1x_tokens_per_s,
                      x.eval_16x_tokens_per_s, x.eval_16x_peak_rss_mb);
        s += b;
    }
    if (r.data_tokens_per_s > 0) {
        std::snprintf(b, sizeof b, "data loading: %.0f tokens/s\n", r.data_tokens_per_s);
        s += b;
    }
    if (!r.python_status.empty()) {
        std::snprintf(b, sizeof b, "python reference (learned PE): %s; quickstart %.0f tok/s, medium %.0f tok/s\n",
                      r.python_status.c_str(), r.python_quickstart_tokens_per_s, r.python_medium_tokens_per_s);
        s += b;
    }
    std::snprintf(b, sizeof b, "peak resident memory %.0f MB\n", r.peak_rss_mb);
    s += b;
    return s;
}

std::string report_json(const BenchReport& r) {
    nlohmann::ordered_json j;
    j["machine"] = r.machine;
    j["torch_version"] = r.torch_version;
    j["blas"] = r.blas;
    j["threads"] = r.threads;
    j["matmul_gflops"] = r.matmul_gflops;
    j["data_tokens_per_s"] = r.data_tokens_per_s;
    j["peak_rss_mb"] = r.peak_rss_mb;
    j["python"] = {{"status", r.python_status},
                   {"quickstart_tokens_per_s", r.python_quickstart_tokens_per_s},
                   {"medium_tokens_per_s", r.python_medium_tokens_per_s}};
    j["rows"] = nlohmann::ordered_json::array();
    for (const auto& x : r.rows)
        j["rows"].push_back({{"size", x.size},
                             {"encoding", x.encoding},
                             {"variant", x.variant},
                             {"params", x.params},
                             {"pe_params", x.pe_params},
                             {"tokens_per_step", x.tokens_per_step},
                             {"flops_per_step", x.flops_per_step},
                             {"step_s", x.step.total},
                             {"forward_s", x.step.forward},
                             {"backward_s", x.step.backward},
                             {"optimizer_s", x.step.optimizer},
                             {"encoder_s", x.step.encoder},
                             {"tokens_per_s", x.tokens_per_s},
                             {"hw_share", x.hw_share},
                             {"ratio_to_learned", x.ratio_to_learned},
                             {"eval_1x_tokens_per_s", x.eval_1x_tokens_per_s},
                             {"eval_16x_tokens_per_s", x.eval_16x_tokens_per_s},
                             {"eval_16x_peak_rss_mb", x.eval_16x_peak_rss_mb}});
    return j.dump(2) + "\n";
}

} // namespace seqpe::bench
