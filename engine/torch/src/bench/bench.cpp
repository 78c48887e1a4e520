// The harness: which measurements, in which order, and the Python reference beside the engine.
#include "seqpe/bench.h"

#include "bench/bench_model.h"
#include "data/lm_data.h"
#include "seqpe/common/manifest.h"
#include "seqpe/encodings.h"
#include "seqpe/runtime.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace seqpe::bench {

static constexpr int64_t kVocab = 4096; // the quickstart's BPE vocabulary

static double python_tokens_per_s(const std::string& size, const std::string& precision, int threads, int repeats,
                                  std::string* status) {
    const std::string script = std::string(SEQPE_BENCH_DIR) + "/reference_gpt.py";
    // The reference keeps freed memory as the engine does (init_runtime's mallopt, here through
    // glibc's environment tunables): without it each step page-faults its buffers back in.
    const std::string cmd =
        "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=67108864 /usr/bin/python3 " + script +
        " --size " + size + " --precision " + precision + " --threads " + std::to_string(threads) + " --repeats " +
        std::to_string(repeats) + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        *status = "cannot start /usr/bin/python3";
        return 0;
    }
    std::string out;
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    const int rc = ::pclose(p);
    const auto nl = out.rfind('{');
    if (rc != 0 || nl == std::string::npos) {
        *status = "reference did not run (python3-torch installed? `apt-get install python3-torch`): " +
                  out.substr(0, std::min<size_t>(out.size(), 160));
        return 0;
    }
    try {
        return nlohmann::json::parse(out.substr(nl)).at("tokens_per_s").get<double>();
    } catch (const std::exception& e) {
        *status = std::string("unreadable reference output: ") + e.what();
        return 0;
    }
}

BenchReport run_bench(const BenchOptions& o, const std::function<void(const std::string&)>& progress) {
    BenchReport r;
    r.profile_top = o.profile_top;
    const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    const RuntimeInfo ri = runtime_info();
    r.torch_version = ri.torch_version;
    r.blas = ri.blas;
    r.threads = threads;
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    r.machine = std::string(host) + ", " + std::to_string(ri.cores) + " cores";
    r.cpu = ri.cpu;
    r.cpu_bf16 = ri.cpu_bf16;
    std::vector<std::string> precisions = o.precisions;
    if (precisions.empty())
        precisions = ri.cpu_bf16 ? std::vector<std::string>{"fp32", "bf16"} : std::vector<std::string>{"fp32"};
    progress("matrix multiply rate (2048x2048 fp32)");
    r.matmul_gflops = matmul_gflops(o.repeats, "fp32");
    const bool with_bf16 = std::find(precisions.begin(), precisions.end(), "bf16") != precisions.end();
    if (with_bf16) {
        progress("matrix multiply rate (2048x2048 bf16)");
        r.matmul_bf16_gflops = matmul_gflops(o.repeats, "bf16");
    }
    std::vector<std::string> encodings = o.encodings;
    if (encodings.empty())
        for (const auto& e : encoding_table())
            if (e.text) encodings.emplace_back(e.name);
    for (const auto& size : o.sizes) {
        std::vector<std::pair<std::string, std::string>> plan;
        for (const auto& e : encodings) {
            plan.emplace_back(e, "");
            if (e == "seqpe") plan.emplace_back(e, "main-only");
        }
        // learned first: the other rows' ratios refer to it
        std::stable_partition(plan.begin(), plan.end(), [](const auto& p) { return p.first == "learned"; });
        // The precisions of one encoding run one after the other, so that their ratio is taken
        // side by side (this machine class changes speed between processes and over minutes).
        std::map<std::string, double> learned_step; // per precision
        for (const auto& [enc, variant] : plan)
            for (const auto& precision : precisions) {
                progress(size + " " + enc + (variant.empty() ? "" : " (" + variant + ")") + " " + precision);
                RunConfig raw = size_config(size, enc);
                if (variant == "main-only") {
                    raw.position_encoding.seqpe.contrastive.weight = 0;
                    raw.position_encoding.seqpe.transfer.weight = 0;
                }
                const ResolvedConfig c = resolve_config(raw); // the benchmark's own configs

                BenchRow row;
                row.size = size;
                row.encoding = enc;
                row.variant = variant;
                row.precision = precision;
                row.tokens_per_step = c.train.batch_size * c.train.seq_len;
                row.flops_per_step = model_flops_per_step(c, kVocab);
                ProfileRequest pr;
                if (o.profile) pr = {&row.profile, o.profile_steps, &row.profiled_step_ms, &r.profile_status};
                row.step = time_training(c, kVocab, o.warmup, o.repeats, &row.params, &row.pe_params, precision, pr);
                row.tokens_per_s = double(row.tokens_per_step) / row.step.total;
                const double rate = precision == "bf16" ? r.matmul_bf16_gflops : r.matmul_gflops;
                const double flops = row.flops_per_step + row.step.encoder_flops;
                row.hw_share = rate > 0 ? flops / row.step.total / (rate * 1e9) : 0.0;
                if (enc == "learned" && variant.empty()) learned_step[precision] = row.step.total;
                if (learned_step[precision] > 0) row.ratio_to_learned = row.step.total / learned_step[precision];
                if (precision != "fp32")
                    for (const auto& x : r.rows)
                        if (x.size == size && x.encoding == enc && x.variant == variant && x.precision == "fp32")
                            row.speedup_vs_fp32 = x.step.total / row.step.total;
                if (o.eval && variant.empty()) {
                    row.eval_1x_tokens_per_s = time_eval(c, kVocab, c.train.seq_len, 3, precision).tokens_per_s;
                    const EvalTiming e16 = time_eval(c, kVocab, 16 * c.train.seq_len, 2, precision);
                    row.eval_16x_tokens_per_s = e16.tokens_per_s;
                    row.eval_16x_peak_rss_mb = e16.peak_rss_mb;
                }
                r.rows.push_back(row);
            }
    }
    if (!o.dataset_dir.empty()) {
        progress("data loading");
        const DatasetManifest m = read_manifest(o.dataset_dir);
        const TokenSplit split(o.dataset_dir, m, "train");
        LmBatcher b(split, 256, 16, 1);
        const auto t0 = std::chrono::steady_clock::now();
        int n = 0;
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 1.0) (void)b.batch(n++);
        r.data_tokens_per_s =
            double(n) * 16 * 256 / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (o.python) {
        progress("python reference (plain PyTorch eager, same kernels)");
        r.python_status = "ok";
        for (const auto& size : o.sizes)
            for (const auto& precision : precisions)
                r.python.push_back(
                    {size, precision, python_tokens_per_s(size, precision, threads, o.repeats, &r.python_status)});
    }
    r.peak_rss_mb = double(peak_rss_bytes()) / 1048576.0;
    return r;
}

} // namespace seqpe::bench
