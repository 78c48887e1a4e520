// Timed training steps and evaluation passes of the language model at the benchmark sizes.
#include "bench/bench_model.h"

#include "kernels/cross_entropy.h"

#include "bench/op_profile.h"

#include "model/lm.h"
#include "pe/encoding.h"
#include "pe/seqpe/seqpe.h"
#include "seqpe/config_io.h"
#include "train/device.h"
#include "train/optim.h"
#include "train/task.h"

#include <ATen/record_function.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <torch/nn/functional/loss.h>

namespace seqpe::bench {

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

RunConfig size_config(const std::string& size, const std::string& encoding) {
    RunConfig c;
    c.task = "lm";
    c.position_encoding.type = encoding;
    c.train.batch_size = 16;
    c.model.n_head = 4;
    if (size == "medium") {
        c.model.n_layer = 4;
        c.model.d_model = 256;
        c.train.seq_len = 256;
    } else { // quickstart
        c.model.n_layer = 2;
        c.model.d_model = 128;
        c.train.seq_len = 128;
    }
    return c;
}

double model_flops_per_step(const RunConfig& c, int64_t vocab) {
    // Forward: 2 FLOPs per multiply-add of every weight matrix per token, attention scores and
    // values (full T x T, as computed), and the output head; backward costs twice the forward.
    const double B = double(c.train.batch_size), T = double(c.train.seq_len), C = double(c.model.d_model);
    const double L = double(c.model.n_layer), hidden = c.model.mlp_ratio * C;
    const double per_token_layer = 2.0 * (3 * C * C + C * C + 2 * C * hidden);
    const double attention = 2.0 * 2.0 * T * C; // q.k and p.v per token per layer
    const double head = 2.0 * C * double(vocab);
    return 3.0 * B * T * (L * (per_token_layer + attention) + head);
}

// SeqPE's encoder over T tokens of which U are [CLS] rows. The shared pass (encoder.cpp's
// forward_shared, causal without padding mask) computes q, k, v of all T tokens in every block, and
// the last block's attention, projection and MLP for the U [CLS] rows only; the dense pass runs every
// block over all T. W keys per query at most; backward twice the forward.
static double encoder_flops(const EncoderOptions& o, int64_t T, int64_t U) {
    const double E = double(o.embed_dim), W = double(o.scheme.length() + 1), t = double(T), u = double(U);
    const double qkv = 2.0 * 3 * E * E, rest = 2.0 * (E * E + 8 * E * E) + 2.0 * 2.0 * W * E; // per token
    const double layers = double(o.layers), last = o.causal && !o.mask_padding ? u : t;
    const double fwd = layers * t * qkv + (layers - 1) * t * rest + last * rest + u * 2.0 * E * double(o.out_dim);
    return o.layers > 0 ? 3.0 * fwd : 0.0;
}

static long long rss_peak_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

static void reset_rss_peak() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5"; // resets VmHWM (Linux >= 4.0)
}

StepTiming time_training(const ResolvedConfig& cfg, int64_t vocab, int warmup, int repeats, int64_t* params,
                         int64_t* pe_params, const std::string& precision, const ProfileRequest& profile) {
    torch::manual_seed(1);
    LanguageModel model(cfg, vocab);
    Optimizer opt(*model, cfg.optim, 1000000);
    *params = count_parameters(*model);
    *pe_params = count_parameters(*model, "pe.");
    const int64_t B = cfg.train.batch_size, T = cfg.train.seq_len;
    const torch::Tensor x = torch::randint(0, vocab, {B, T}, torch::kLong);
    const torch::Tensor y = torch::randint(0, vocab, {B, T}, torch::kLong);
    std::vector<double> fw, bw, op, enc, tot;
    int64_t last_tokens = 0, last_positions = 0;
    model->train();
    // One training step as the trainer takes it; the scopes name its phases in a profile.
    auto step = [&](int it, double* t) {
        opt.set_step(100 + it);
        opt.zero_grad();
        t[0] = now();
        Layout layout = layout_1d(T);
        layout.trained_length = T;
        StepContext ctx;
        ctx.step = it;
        ctx.seed = 1;
        ctx.batch_size = B;
        ctx.layout = &layout;
        torch::Tensor loss;
        {
            AutocastScope autocast(torch::kCPU, precision); // as the trainer: the forward pass only
            {
                RECORD_USER_SCOPE("step: pe.prepare_step");
                model->pe->prepare_step(ctx);
            }
            t[1] = now();
            RECORD_USER_SCOPE("step: forward and losses");
            const torch::Tensor logits = model->forward(x, layout);
            loss = seqpe::cross_entropy(logits.view({-1, vocab}), y.view({-1})); // as LmTask::loss
            for (const auto& a : model->pe->aux_losses()) loss = loss + a.weight * a.value;
            (void)loss.item<double>();
        }
        t[2] = now();
        {
            RECORD_USER_SCOPE("step: backward");
            loss.backward();
        }
        if (auto* sp = dynamic_cast<SeqPeImpl*>(model->pe.get())) {
            last_tokens = sp->encoder->tokens_last_forward();
            last_positions = sp->rows_encoded_last_step();
        }
        model->pe->end_step();
        t[3] = now();
        {
            RECORD_USER_SCOPE("step: optimizer");
            opt.clip();
            opt.step();
        }
        t[4] = now();
    };
    for (int it = 0; it < warmup + repeats; ++it) {
        double t[5];
        step(it, t);
        if (it >= warmup) {
            enc.push_back(t[1] - t[0]);
            fw.push_back(t[2] - t[0]);
            bw.push_back(t[3] - t[2]);
            op.push_back(t[4] - t[3]);
            tot.push_back(t[4] - t[0]);
        }
    }
    if (profile.out && profile.steps > 0) {
        int it = warmup + repeats;
        const double t0 = now();
        *profile.out = profile_ops(
            [&] {
                double t[5];
                step(it++, t);
            },
            profile.steps, profile.why);
        if (profile.step_ms) *profile.step_ms = 1e3 * (now() - t0) / profile.steps;
    }
    StepTiming s;
    s.forward = median(fw);
    s.backward = median(bw);
    s.optimizer = median(op);
    s.encoder = median(enc);
    if (auto* sp = dynamic_cast<SeqPeImpl*>(model->pe.get())) {
        s.encoder_tokens = last_tokens;
        s.encoder_positions = last_positions;
        s.encoder_flops = encoder_flops(sp->encoder->options(), last_tokens, last_positions);
    }
    s.total = median(tot);
    return s;
}

EvalTiming time_eval(const ResolvedConfig& cfg, int64_t vocab, int64_t length, int repeats,
                     const std::string& precision) {
    torch::manual_seed(1);
    LanguageModel model(cfg, vocab);
    model->eval();
    model->query_chunk = 512;
    torch::NoGradGuard ng;
    AutocastScope autocast(torch::kCPU, precision);
    // The evaluation's batching: about as many tokens per batch as a training batch.
    const int64_t per = std::max<int64_t>(1, cfg.train.batch_size * cfg.train.seq_len / length);
    const torch::Tensor x = torch::randint(0, vocab, {per, length}, torch::kLong);
    Layout l = layout_1d(length);
    l.trained_length = cfg.train.seq_len;
    std::vector<double> t;
    reset_rss_peak();
    for (int it = 0; it < repeats + 1; ++it) {
        const double t0 = now();
        // The evaluator's work per batch: logits, then the NLL in fp32.
        const torch::Tensor logits = model->forward(x, l);
        (void)seqpe::cross_entropy(logits.view({-1, vocab}), x.view({-1})).item<double>();
        if (it > 0) t.push_back(now() - t0);
    }
    EvalTiming e;
    e.tokens_per_s = double(per * length) / median(t);
    e.peak_rss_mb = double(rss_peak_kb()) / 1024.0;
    return e;
}

double matmul_gflops(int repeats, const std::string& precision) {
    const auto dt = precision == "bf16" ? torch::kBFloat16 : torch::kFloat;
    const torch::Tensor a = torch::randn({2048, 2048}).to(dt), b = torch::randn({2048, 2048}).to(dt);
    std::vector<double> t;
    for (int it = 0; it < repeats + 2; ++it) {
        const double t0 = now();
        const torch::Tensor c = torch::mm(a, b);
        (void)c[0][0].item<double>();
        if (it >= 2) t.push_back(now() - t0);
    }
    return 2.0 * 2048.0 * 2048.0 * 2048.0 / median(t) / 1e9;
}

} // namespace seqpe::bench
