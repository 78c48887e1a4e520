#pragma once
// TrainerImpl: the training loop behind the Trainer facade (seqpe/trainer.h).
#include "inspect/model_inspector.h"
#include "seqpe/trainer.h"
#include "train/checkpoint.h"
#include "train/diagnostics.h"
#include "train/distributed.h"
#include "train/loss_scale.h"
#include "train/optim.h"
#include "train/task.h"

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>

namespace seqpe {

class TrainerImpl final : public Trainer {
public:
    TrainerImpl(const RunConfig& config, const TrainerOptions& options);
    ~TrainerImpl() override;

    RunResult run(Observer& observer, std::stop_token stop) override;
    void pause() override;
    void resume() override;
    void step() override;
    bool is_paused() const override;
    void post(std::function<void()> fn) override;
    Inspector& inspector() override { return *inspector_; }
    int64_t current_step() const override { return step_.load(); }
    int64_t total_steps() const override { return cfg_.train.steps; }

    Task& task() { return *task_; }

private:
    void train_step(Observer& obs);
    void validate(Observer& obs, std::stop_token stop);
    void checkpoint(Observer& obs);
    void snapshot(Observer& obs);
    void log(Observer& obs, LogLevel level, const std::string& text);
    void set_status(Observer& obs, RunState state, const std::string& message);
    void drain_posted();
    // Waits while paused; returns false when a stop was requested.
    bool wait_while_paused(Observer& obs, std::stop_token stop);
    double now() const;
    bool is_main() const { return !dp_ || dp_->is_main(); } // writes the run directory, reports

    ResolvedConfig cfg_;
    TrainerOptions opts_;
    RunPaths paths_;
    torch::Device device_{torch::kCPU};
    std::string precision_ = "fp32";     // what the run computes in (fp32 on the CPU)
    std::unique_ptr<LossScaler> scaler_; // fp16 only
    std::unique_ptr<DataParallel> dp_;   // distributed jobs only
    std::vector<torch::Tensor> params_;  // trainable parameters (gradient all-reduce, unscaling)
    std::unique_ptr<Task> task_;
    std::unique_ptr<Optimizer> optim_;
    std::unique_ptr<ModelInspector> inspector_;
    std::unique_ptr<PeDiagnostics> diagnostics_; // rank 0 only
    TrainerState state_;
    std::atomic<int64_t> step_{0};
    std::ofstream metrics_, log_;
    double session_start_ = 0;    // steady-clock seconds when run() started
    double elapsed_at_start_ = 0; // training seconds before this session
    double last_status_write_ = 0;
    std::string last_checkpoint_;
    std::string init_note_;   // "; weights from ..." on a fresh run with train.init_from
    std::string resume_note_; // damaged checkpoints passed over at resume (logged as a warning)
    void resume_from_checkpoint();
    int64_t last_checkpoint_step_ = -1;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool paused_ = false;
    int64_t step_requests_ = 0;
    std::deque<std::function<void()>> posted_;
};

} // namespace seqpe
