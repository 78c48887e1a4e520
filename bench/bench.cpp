// The harness: which measurements, in which order, and the Python reference beside the engine.
#include "bench.h"

#include "bench_model.h"
#include "data/lm_data.h"
#include "seqpe/common/manifest.h"
#include "seqpe/encodings.h"
#include "seqpe/runtime.h"

#include <ATen/Parallel.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace seqpe::bench {

static constexpr int64_t kVocab = 4096; // the quickstart's BPE vocabulary

static double python_tokens_per_s(const std::string& size, int threads, int repeats, std::string* status) {
    const std::string script = std::string(SEQPE_BENCH_DIR) + "/reference_gpt.py";
    const std::string cmd = "/usr/bin/python3 " + script + " --size " + size + " --threads " + std::to_string(threads) +
                            " --repeats " + std::to_string(repeats) + " 2>&1";
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
    const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    const RuntimeInfo ri = runtime_info();
    r.torch_version = ri.torch_version;
    r.blas = ri.blas;
    r.threads = threads;
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    r.machine = std::string(host) + ", " + std::to_string(ri.cores) + " cores";
    progress("matrix multiply rate (2048x2048 fp32)");
    r.matmul_gflops = matmul_gflops(o.repeats);
    std::vector<std::string> encodings = o.encodings;
    if (encodings.empty())
        for (const auto& e : encoding_table())
            if (e.text) encodings.emplace_back(e.name);
    for (const auto& size : o.sizes) {
        double learned_step = 0;
        std::vector<std::pair<std::string, std::string>> plan;
        for (const auto& e : encodings) {
            plan.emplace_back(e, "");
            if (e == "seqpe") plan.emplace_back(e, "main-only");
        }
        // learned first: the other rows' ratios refer to it
        std::stable_partition(plan.begin(), plan.end(), [](const auto& p) { return p.first == "learned"; });
        for (const auto& [enc, variant] : plan) {
            progress(size + " " + enc + (variant.empty() ? "" : " (" + variant + ")"));
            RunConfig c = size_config(size, enc);
            if (variant == "main-only") {
                c.position_encoding.seqpe.contrastive.weight = 0;
                c.position_encoding.seqpe.transfer.weight = 0;
            }
            c = resolve_auto(c);
            BenchRow row;
            row.size = size;
            row.encoding = enc;
            row.variant = variant;
            row.tokens_per_step = c.train.batch_size * c.train.seq_len;
            row.flops_per_step = model_flops_per_step(c, kVocab);
            row.step = time_training(c, kVocab, o.warmup, o.repeats, &row.params, &row.pe_params);
            row.tokens_per_s = double(row.tokens_per_step) / row.step.total;
            row.hw_share = row.flops_per_step / row.step.total / (r.matmul_gflops * 1e9);
            if (enc == "learned") learned_step = row.step.total;
            if (learned_step > 0) row.ratio_to_learned = row.step.total / learned_step;
            if (o.eval && variant.empty()) {
                row.eval_1x_tokens_per_s = time_eval(c, kVocab, c.train.seq_len, 3).tokens_per_s;
                const EvalTiming e16 = time_eval(c, kVocab, 16 * c.train.seq_len, 2);
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
        r.data_tokens_per_s = double(n) * 16 * 256 / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (o.python) {
        progress("python reference (plain PyTorch eager, same kernels)");
        r.python_status = "ok";
        for (const auto& size : o.sizes) {
            const double v = python_tokens_per_s(size, threads, o.repeats, &r.python_status);
            if (size == "medium") r.python_medium_tokens_per_s = v;
            if (size == "quickstart") r.python_quickstart_tokens_per_s = v;
        }
    }
    r.peak_rss_mb = double(peak_rss_bytes()) / 1048576.0;
    return r;
}

} // namespace seqpe::bench
