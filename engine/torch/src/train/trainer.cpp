// The training loop: steps, validation, checkpoints, run-directory files, pause/step/post control.
#include "train/trainer.h"

#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/version.h"
#include "seqpe/config_io.h"
#include "seqpe/engine.h"
#include "seqpe/options.h"
#include "seqpe/runtime.h"
#include "train/checkpoint.h"
#include "train/device.h"
#include "util/rng.h"

#include <ATen/Parallel.h>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>
#include <torch/utils.h>
#include <torch/version.h>
#include <unistd.h>

namespace seqpe {

static double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

TrainerImpl::TrainerImpl(const RunConfig& config, const TrainerOptions& options)
    : cfg_(resolve_for_run(config, options.run_dir, options.resume)), opts_(options), paths_{options.run_dir} {
    const auto diags = seqpe::validate(cfg_);
    if (has_errors(diags)) throw InputError(format_diagnostics(diags));
    if (opts_.dataset_dir.empty() && task_needs_dataset(cfg_))
        throw InputError("no dataset: prepare one with `seqpe data prepare`");
    const bool distributed = opts_.distributed && opts_.distributed->world_size() > 1;
    device_ = select_device(cfg_.runtime.device, distributed ? opts_.distributed->local_rank() : -1);
    precision_ = effective_precision(device_, cfg_.runtime.precision);
    cfg_.runtime.precision = precision_; // the run's config records what it computes in, not "auto"
    if (distributed) check_shardable(cfg_, opts_.distributed->world_size());
    torch::manual_seed(derive_seed(static_cast<uint64_t>(cfg_.train.seed), kStreamInit));
    task_ = make_task(cfg_, opts_.dataset_dir, device_);
    optim_ = std::make_unique<Optimizer>(task_->module(), cfg_.optim, cfg_.train.steps);
    inspector_ =
        std::make_unique<ModelInspector>(cfg_, task_->module(), opts_.dataset_dir, [this] { return step_.load(); });
    for (const auto& p : task_->module().parameters())
        if (p.requires_grad()) params_.push_back(p);
    if (distributed) dp_ = std::make_unique<DataParallel>(opts_.distributed, device_);
    if (is_main() && cfg_.train.diagnostics_every > 0)
        diagnostics_ = std::make_unique<PeDiagnostics>(task_->module(), task_->pe(), *inspector_,
                                                       cfg_.train.diagnostics_every, cfg_.train.steps);
    if (is_main()) check_writable_dir(paths_.root);
    paused_ = opts_.start_paused;
    state_.config_hash = config_hash(cfg_);

    std::error_code ec;
    if (opts_.resume && is_run_dir(paths_.root)) {
        if (const std::string why = resume_refusal(read_run_config(paths_), cfg_, paths_.root.string()); !why.empty())
            throw InputError(why);
        resume_from_checkpoint();
        // A budget below the step reached would mark a half-trained run "completed" without a step
        // (docs/CONFIG.md, train.steps): refuse it, never clamp.
        if (state_.step > cfg_.train.steps)
            throw InputError(step_budget_problem(cfg_.train.steps, state_.step, paths_.root.string()));
    } else if (!cfg_.train.init_from.empty()) {
        if (!fs::exists(cfg_.train.init_from, ec))
            throw InputError("train.init_from: " + cfg_.train.init_from +
                             " does not exist; train that run first (a project can start from another project's "
                             "runs, as qa-needle does from lm-extrapolation) or correct the path");
        try {
            load_weights(cfg_.train.init_from, task_->module());
        } catch (const InputError& e) {
            throw InputError(std::string("train.init_from: ") + e.what());
        }
        init_note_ = "; weights from " + cfg_.train.init_from;
    }
    if (precision_ == "fp16") {
        scaler_ = std::make_unique<LossScaler>();
        scaler_->restore(state_.loss_scale, state_.loss_scale_clean);
    }
    if (dp_) {
        // Every rank resumes from the same checkpoint of the shared run directory; rank 0's
        // parameters then make the start identical even where initialisation could differ.
        dp_->check_same_step(state_.step, paths_.root.string());
        dp_->broadcast_parameters(task_->module());
    }
    step_ = state_.step;
}

TrainerImpl::~TrainerImpl() = default;

double TrainerImpl::now() const {
    return elapsed_at_start_ + (steady_seconds() - session_start_);
}

// Resume from the newest checkpoint that loads (load_newest_checkpoint: damaged ones are set aside
// by the rank that writes the run directory and named in the log).
void TrainerImpl::resume_from_checkpoint() {
    const LoadedCheckpoint ck = load_newest_checkpoint(paths_, task_->module(), optim_.get(), is_main());
    if (ck.dir) {
        state_ = ck.state;
        state_.config_hash = config_hash(cfg_);
        last_checkpoint_ = ck.dir->filename().string();
        last_checkpoint_step_ = state_.step;
    }
    resume_note_ = ck.note;
    if (!resume_note_.empty())
        resume_note_ += ck.dir ? "; resuming from " + last_checkpoint_
                               : std::string("; no earlier complete checkpoint: starting from step 0");
}

void TrainerImpl::log(Observer& obs, LogLevel level, const std::string& text) {
    if (!is_main()) {
        obs.on_log(level, "rank " + std::to_string(dp_->rank()) + ": " + text);
        return;
    }
    if (log_.is_open()) {
        log_ << utc_now_iso() << " " << log_level_name(level) << " " << text << "\n";
        log_.flush();
    }
    obs.on_log(level, text);
}

void TrainerImpl::set_status(Observer& obs, RunState state, const std::string& message) {
    if (!is_main()) return;
    RunStatus s;
    s.state = state;
    s.step = step_.load();
    s.total_steps = cfg_.train.steps;
    s.message = message;
    s.pid = ::getpid();
    s.updated = utc_now_iso();
    try {
        write_status(paths_, s);
    } catch (const std::exception& e) {
        obs.on_log(LogLevel::Warning, e.what());
    }
    last_status_write_ = steady_seconds();
    obs.on_status(s);
}

void TrainerImpl::pause() {
    std::lock_guard lk(mu_);
    paused_ = true;
    cv_.notify_all();
}

void TrainerImpl::resume() {
    std::lock_guard lk(mu_);
    paused_ = false;
    cv_.notify_all();
}

void TrainerImpl::step() {
    std::lock_guard lk(mu_);
    paused_ = true;
    ++step_requests_;
    cv_.notify_all();
}

bool TrainerImpl::is_paused() const {
    std::lock_guard lk(mu_);
    return paused_;
}

void TrainerImpl::post(std::function<void()> fn) {
    std::lock_guard lk(mu_);
    posted_.push_back(std::move(fn));
    cv_.notify_all();
}

void TrainerImpl::drain_posted() {
    std::deque<std::function<void()>> work;
    {
        std::lock_guard lk(mu_);
        work.swap(posted_);
    }
    for (auto& fn : work) {
        try {
            fn();
        } catch (...) {
            // A probe's failure must not stop training; the probe reports its own error.
        }
    }
}

bool TrainerImpl::wait_while_paused(Observer& obs, std::stop_token stop) {
    std::unique_lock lk(mu_);
    if (!paused_ || step_requests_ > 0) {
        if (step_requests_ > 0) --step_requests_;
        return !stop.stop_requested();
    }
    lk.unlock();
    set_status(obs, RunState::Paused, "paused at step " + std::to_string(step_.load()));
    lk.lock();
    std::stop_callback wake(stop, [this] {
        std::lock_guard g(mu_);
        cv_.notify_all();
    });
    while (paused_ && step_requests_ == 0 && !stop.stop_requested()) {
        if (!posted_.empty()) {
            lk.unlock();
            drain_posted();
            lk.lock();
            continue;
        }
        cv_.wait(lk);
    }
    if (step_requests_ > 0) --step_requests_;
    const bool go = !stop.stop_requested();
    lk.unlock();
    if (go) set_status(obs, RunState::Running, paused_ ? "single step" : "resumed");
    return go;
}

void TrainerImpl::train_step(Observer& obs) {
    const int64_t step = step_.load();
    const double t0 = steady_seconds();
    auto& model = task_->module();
    model.train();
    // Dropout draws depend only on (seed, step) (and the rank): resuming reproduces them without
    // saved RNG state. Rank 0 draws what a single process draws.
    uint64_t dropout_seed =
        derive_seed(static_cast<uint64_t>(cfg_.train.seed), kStreamDropout, static_cast<uint64_t>(step));
    if (dp_ && dp_->rank() > 0)
        dropout_seed = derive_seed(dropout_seed, kStreamDropout, static_cast<uint64_t>(dp_->rank()));
    torch::manual_seed(dropout_seed);
    const double lr = optim_->set_step(step);
    optim_->zero_grad();
    const int64_t micros = cfg_.train.grad_accum;
    // A distributed step: rank r computes micro-batches [r * micros, (r + 1) * micros) of the global
    // batch cut into world * micros pieces, i.e. examples [r B / W, (r + 1) B / W).
    const int64_t shards = dp_ ? dp_->world() : 1, shard = dp_ ? dp_->rank() : 0;
    const double loss_scale = scaler_ ? scaler_->scale() : 1.0;
    double task_loss = 0, total = 0;
    std::vector<std::pair<std::string, double>> aux_values; // unweighted, averaged over micro-batches
    int64_t tokens = 0;
    const bool diag = diagnostics_ && diagnostics_->due(step);
    for (int64_t m = 0; m < micros; ++m) {
        const bool diag_now = diag && m == 0;
        if (diag_now) diagnostics_->begin();
        TrainBatch b = task_->batch(step, shard * micros + m, shards * micros);
        Layout layout = task_->train_layout(b);
        // Randomized positions: one sorted random subset per micro-step, shared by its examples.
        if (cfg_.position_encoding.randomize)
            randomize_positions(layout, cfg_.position_encoding.randomize_max,
                                derive_seed(static_cast<uint64_t>(cfg_.train.seed), kStreamRandomPositions,
                                            static_cast<uint64_t>(step * micros + m)));
        StepContext ctx;
        ctx.step = step * micros + m;
        ctx.train_step = step;
        ctx.seed = static_cast<uint64_t>(cfg_.train.seed);
        ctx.batch_size = b.examples;
        ctx.layout = &layout;
        torch::Tensor loss;
        {
            AutocastScope autocast(device_, precision_); // the forward pass; backward follows its dtypes
            task_->pe().prepare_step(ctx);
            loss = task_->loss(b, layout);
            task_loss += loss.item<double>() / static_cast<double>(micros);
            const std::vector<AuxLoss> aux = task_->pe().aux_losses();
            if (diag_now) diagnostics_->gradients(loss, aux);
            for (const auto& a : aux) {
                loss = loss + a.weight * a.value;
                const double v = a.value.item<double>() / static_cast<double>(micros);
                auto it = std::find_if(aux_values.begin(), aux_values.end(),
                                       [&](const auto& kv) { return kv.first == a.name; });
                if (it == aux_values.end())
                    aux_values.emplace_back(a.name, v);
                else
                    it->second += v;
            }
        }
        total += loss.item<double>() / static_cast<double>(micros);
        (loss * (loss_scale / static_cast<double>(micros))).backward();
        task_->pe().end_step();
        tokens += b.tokens;
    }
    if (dp_) {
        // Gradients averaged over the ranks (before unscaling and clipping); the reported losses
        // are the means over the ranks, the tokens the whole global batch's.
        dp_->average_gradients(params_, step);
        std::vector<double> v = {task_loss, total, static_cast<double>(tokens)};
        for (const auto& kv : aux_values) v.push_back(kv.second);
        v = dp_->sum(v, "all-reduce of the losses at step " + std::to_string(step + 1));
        const double w = static_cast<double>(dp_->world());
        task_loss = v[0] / w;
        total = v[1] / w;
        tokens = static_cast<int64_t>(std::llround(v[2]));
        for (size_t i = 0; i < aux_values.size(); ++i) aux_values[i].second = v[3 + i] / w;
    }
    if (!std::isfinite(total)) {
        std::string where = "task loss " + std::to_string(task_loss);
        for (const auto& [n, v] : aux_values) where += ", " + n + " " + std::to_string(v);
        throw RunError(
            "the loss became " + std::string(std::isnan(total) ? "NaN" : "infinite") + " at step " +
            std::to_string(step) + " (" + where + ", learning rate " + std::to_string(lr) +
            "): the learning rate is likely too high for this model; lower optim.lr or set optim.grad_clip. " +
            (last_checkpoint_.empty() ? "No checkpoint was written yet."
                                      : "The last good checkpoint is " + last_checkpoint_ + "."));
    }
    // fp16: a step whose gradients overflowed is skipped and the loss scale halved.
    const bool take_step = !scaler_ || scaler_->update(scaler_->unscale(params_));
    double gnorm = 0;
    if (take_step) {
        gnorm = optim_->clip();
        optim_->step();
    }
    const double dt = steady_seconds() - t0;
    step_ = step + 1;
    state_.step = step + 1;
    state_.tokens_seen += tokens;

    if (is_main() && ((step + 1) % cfg_.train.log_every == 0 || step + 1 == cfg_.train.steps)) {
        Record r;
        r.kind = "train";
        r.step = step + 1;
        r.time = now();
        r.set("loss", total).set("loss_task", task_loss);
        for (const auto& [n, v] : aux_values) r.set(n, v);
        r.set("lr", lr).set("grad_norm", gnorm);
        if (!aux_values.empty()) r.set("grad_norm_pe", optim_->pe_grad_norm());
        r.set("tokens_per_s", static_cast<double>(tokens) / std::max(dt, 1e-9)).set("step_time", dt);
        if (scaler_) r.set("loss_scale", loss_scale).set("step_skipped", take_step ? 0.0 : 1.0);
        if (const auto mem = gpu_memory(device_))
            r.set("gpu_mem_allocated_mb", mem->allocated_mb)
                .set("gpu_mem_reserved_mb", mem->reserved_mb)
                .set("gpu_mem_peak_allocated_mb", mem->peak_allocated_mb)
                .set("gpu_mem_peak_reserved_mb", mem->peak_reserved_mb);
        metrics_ << record_to_json(r) << "\n";
        metrics_.flush();
        obs.on_record(r);
    }
    if (diag) {
        const Record d = diagnostics_->finish(step + 1, now());
        metrics_ << record_to_json(d) << "\n";
        metrics_.flush();
        obs.on_record(d);
    }
}

void TrainerImpl::validate(Observer& obs, std::stop_token stop) {
    auto& model = task_->module();
    model.eval();
    ValidationResult v;
    {
        torch::NoGradGuard ng;
        AutocastScope autocast(device_, precision_);
        v = task_->validate(cfg_.train.eval_batches, stop);
    }
    model.train();
    if (stop.stop_requested() && v.count == 0) return;
    if (state_.best_step < 0 || v.loss < state_.best_valid) {
        state_.best_valid = v.loss;
        state_.best_step = step_.load();
    }
    if (!is_main()) return;
    Record r;
    r.kind = "eval";
    r.step = step_.load();
    r.time = now();
    r.label("split", "valid");
    r.set("loss", v.loss).set(v.metric_name, v.metric).set("count", static_cast<double>(v.count));
    metrics_ << record_to_json(r) << "\n";
    metrics_.flush();
    obs.on_record(r);
}

void TrainerImpl::snapshot(Observer& obs) {
    // Geometry of the position embeddings for the live views and the step scrubber. A failing
    // probe (e.g. positions past what SeqPE's digits can write) is logged, never fatal.
    if (!is_main()) return;
    try {
        Snapshot s;
        s.step = step_.load();
        GeometryRequest request;
        request.metric = default_geometry_metric(cfg_);
        s.geometry = inspector_->geometry(request);
        write_geometry_snapshot(paths_.snapshots(), s.step, s.geometry);
        obs.on_snapshot(s);
    } catch (const std::exception& e) {
        log(obs, LogLevel::Warning, std::string("geometry snapshot skipped: ") + e.what());
    }
}

void TrainerImpl::checkpoint(Observer& obs) {
    if (last_checkpoint_step_ == step_.load() || !is_main()) return;
    state_.elapsed = now();
    if (scaler_) {
        state_.loss_scale = scaler_->scale();
        state_.loss_scale_clean = scaler_->clean_steps();
    }
    const fs::path dir = save_checkpoint(paths_, task_->module(), optim_.get(), state_, cfg_.train.keep_checkpoints);
    last_checkpoint_ = dir.filename().string();
    last_checkpoint_step_ = step_.load();
    log(obs, LogLevel::Info, "checkpoint " + last_checkpoint_);
}

RunResult TrainerImpl::run(Observer& obs, std::stop_token stop) {
    RunResult result;
    try {
        // runtime.threads 0: all cores, shared by the ranks on this machine (LOCAL_WORLD_SIZE).
        const int local_ranks = dp_ ? std::max(1, dp_->context().local_world_size()) : 1;
        const int threads = static_cast<int>(cfg_.runtime.threads > 0
                                                 ? cfg_.runtime.threads
                                                 : std::max(1u, std::thread::hardware_concurrency() / local_ranks));
        at::set_num_threads(threads); // per thread under OpenMP: set it on the training thread
        session_start_ = steady_seconds();
        elapsed_at_start_ = state_.elapsed;
        const bool fresh = state_.step == 0;
        if (!is_main()) {
            // Other ranks write nothing: rank 0 keeps the run directory.
        } else if (fresh) {
            write_run_config(paths_, cfg_);
            const RuntimeInfo ri = runtime_info();
            nlohmann::json meta = {{"created", utc_now_iso()},
                                   {"tool_version", kToolVersion},
                                   {"git_commit", kGitCommit},
                                   {"torch_version", TORCH_VERSION},
                                   {"threads", threads},
                                   {"device", device_.str()},
                                   {"precision", precision_},
                                   {"world_size", dp_ ? dp_->world() : 1},
                                   {"gradient_backend", dp_ ? dp_->gradient_backend() : "none"},
                                   {"parameters", count_parameters(task_->module())},
                                   {"pe_parameters", count_parameters(task_->module(), "pe.")}};
            if (task_needs_dataset(cfg_)) { // generated tasks have none
                const DatasetManifest m = read_manifest(opts_.dataset_dir);
                meta["dataset"] = {{"dir", opts_.dataset_dir.string()}, {"name", m.name}, {"hash", m.recipe_hash}};
            }
            char host[256] = {0};
            ::gethostname(host, sizeof host - 1);
            meta["host"] = host;
            write_file_atomic(paths_.meta(), meta.dump(2) + "\n");
            metrics_.open(paths_.metrics(), std::ios::trunc);
        } else {
            // Drop records past the checkpoint we resume from: the curve continues without duplicates.
            std::string kept;
            for (const Record& r : read_metrics(paths_.metrics()))
                if (r.step <= state_.step) kept += record_to_json(r) + "\n";
            write_file_atomic(paths_.metrics(), kept);
            metrics_.open(paths_.metrics(), std::ios::app);
        }
        if (is_main()) {
            if (!metrics_) throw RunError(errno_message("cannot open " + paths_.metrics().string()));
            log_.open(paths_.log(), std::ios::app);
        }
        log(obs, LogLevel::Info,
            (fresh ? "start: " : "resume at step " + std::to_string(state_.step) + ": ") + task_->describe() +
                (fresh ? init_note_ : "") + "; " + std::to_string(threads) + " threads on " + device_.str() +
                (precision_ != "fp32" ? ", " + precision_ + " autocast" : "") +
                (dp_ ? ", rank " + std::to_string(dp_->rank()) + " of " + std::to_string(dp_->world()) +
                           " (gradients over " + dp_->gradient_backend() + ")"
                     : ""));
        if (!resume_note_.empty()) log(obs, LogLevel::Warning, resume_note_);
        if (precision_ == "bf16" && !device_.is_cuda() && !cpu_has_native_bf16())
            log(obs, LogLevel::Warning,
                "runtime.precision=bf16 on a CPU without native bf16 instructions: oneDNN emulates it and the run is "
                "slower than fp32 (runtime.precision=auto picks fp32 here)");
        if (cfg_.runtime.device != "cpu" && !device_.is_cuda())
            log(obs, LogLevel::Info,
                "runtime.device=" + cfg_.runtime.device + ": no CUDA device here, training on the CPU");

        set_status(obs, RunState::Running, fresh ? "started" : "resumed");
        if (fresh && cfg_.train.snapshot_every > 0) snapshot(obs); // the geometry at initialisation
        const int64_t total = cfg_.train.steps;
        int64_t steps_this_session = 0;
        while (step_.load() < total) {
            drain_posted();
            bool stop_now =
                stop.stop_requested() || (opts_.stop_after_steps > 0 && steps_this_session >= opts_.stop_after_steps);
            if (dp_) stop_now = dp_->context().any(stop_now, "agreeing on a stop request"); // all ranks stop together
            if (stop_now) break;
            // A distributed run stops only on the agreed flag above: a Ctrl-C that lands after the
            // agreement must not make this rank skip the step's all-reduces that the others enter
            // (seen in CI: rank 1 in the stop barrier, rank 0 in the gradient all-reduce). Ranks
            // have no pause (the CLI drives them), so the pause wait is for single-process runs.
            if (!dp_ && !wait_while_paused(obs, stop)) break;
            train_step(obs);
            ++steps_this_session;
            const int64_t s = step_.load();
            if (cfg_.train.eval_every > 0 && s % cfg_.train.eval_every == 0 && s < total) validate(obs, stop);
            if (cfg_.train.checkpoint_every > 0 && s % cfg_.train.checkpoint_every == 0 && s < total) checkpoint(obs);
            if (cfg_.train.snapshot_every > 0 && (s % cfg_.train.snapshot_every == 0 || s == total)) snapshot(obs);
            if (steady_seconds() - last_status_write_ > 2.0) set_status(obs, RunState::Running, "");
        }
        if (step_.load() >= total) {
            validate(obs, stop);
            checkpoint(obs);
            if (dp_) dp_->context().barrier("the end of the run (rank 0 writes the last checkpoint)");
            set_status(obs, RunState::Completed, "completed " + std::to_string(total) + " steps");
            log(obs, LogLevel::Info, "completed " + std::to_string(total) + " steps");
            result.outcome = RunOutcome::Completed;
            result.message = "completed";
        } else {
            checkpoint(obs);
            if (dp_) dp_->context().barrier("the stop (rank 0 writes the checkpoint)");
            set_status(obs, RunState::Cancelled, "stopped at step " + std::to_string(step_.load()));
            log(obs, LogLevel::Info,
                "stopped at step " + std::to_string(step_.load()) + "; resume continues from " + last_checkpoint_);
            result.outcome = RunOutcome::Cancelled;
            result.message =
                "stopped at step " + std::to_string(step_.load()) + " (checkpoint " + last_checkpoint_ + ")";
        }
    } catch (...) {
        // A stop that interrupted a step (Cancelled) rather than one between steps, bad input, failure.
        result = run_result_of_current_exception("stopped at step " + std::to_string(step_.load()));
        if (result.outcome == RunOutcome::Cancelled) try {
                set_status(obs, RunState::Cancelled, result.message);
            } catch (...) {
            }
    }
    if (result.outcome == RunOutcome::Failed) {
        try {
            log(obs, LogLevel::Error, result.message);
            set_status(obs, RunState::Failed, result.message);
        } catch (...) {
        }
    }
    result.step = step_.load();
    return result;
}

std::unique_ptr<Trainer> make_trainer(const RunConfig& config, const TrainerOptions& options) {
    return std::make_unique<TrainerImpl>(config, options);
}

} // namespace seqpe
