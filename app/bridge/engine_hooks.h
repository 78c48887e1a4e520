#pragma once
// What the bridge needs from the engine, injected as plain functions: the app passes the real
// ones (LibTorch), tests pass fakes, so the bridge and its tests never link LibTorch.
#include "seqpe/dataset.h"
#include "seqpe/evaluate.h"
#include "seqpe/inspect.h"
#include "seqpe/safetensors_file.h"
#include "seqpe/trainer.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

namespace seqpe::ui {

// What this machine computes with, for the System panel (the engine's runtime_info()).
struct DeviceSummary {
    std::string cpu; // the processor's brand string, empty where unknown
    std::string torch_version;
    int threads = 1;
    int cuda_devices = 0;
    bool cpu_bf16 = false; // native bf16: runtime.precision auto computes in bf16
};

struct EngineHooks {
    // Resolves (prepares) the dataset of a run; reports seqpe-data's progress. Runs on the worker.
    std::function<std::filesystem::path(const ResolvedConfig&, const std::function<void(const PrepareEvent&)>&,
                                        std::stop_token)>
        prepare;
    // Builds the trainer (model, data); runs on the worker thread that will own it.
    std::function<std::unique_ptr<Trainer>(const RunConfig&, const TrainerOptions&)> make;
    // Evaluates a run (its eval.* settings, newest complete checkpoint) and writes its report files
    // (eval/extrapolation.json, the same files `seqpe eval` writes); runs on a session's worker.
    std::function<EvalReport(const std::filesystem::path& run_dir, const EvalOptions&, Observer&, std::stop_token)>
        evaluate;
    // Opens a finished (or stopped) run for probes at a checkpoint directory (empty: the newest);
    // runs on a probe worker thread.
    std::function<std::unique_ptr<Inspector>(const std::filesystem::path& run_dir,
                                             const std::filesystem::path& checkpoint)>
        inspect;
    // A checkpoint's weights as safetensors with the run's config beside it (what `seqpe export`
    // writes), and back: a new run directory from such a file and a config (`seqpe import`). Run on
    // the weights worker (WeightsTransfer); errors are InputError texts naming the file or tensor.
    std::function<void(const std::filesystem::path& checkpoint, const std::filesystem::path& file,
                       const TransferProgress&)>
        exportWeights;
    std::function<std::filesystem::path(const std::filesystem::path& file, const std::filesystem::path& config,
                                        const std::filesystem::path& run_dir, const TransferProgress&)>
        importWeights;
    // The machine as the engine sees it; called once on the GUI thread when the window is built.
    std::function<DeviceSummary()> device;
};

} // namespace seqpe::ui
