// realEngineHooks(): each engine hook bound to the LibTorch engine's entry point (seqpe/engine.h,
// seqpe/export.h).
#include "engine_hooks_real.h"

#include "seqpe/engine.h"
#include "seqpe/export.h"
#include "seqpe/runtime.h"

namespace seqpe::ui {

EngineHooks realEngineHooks() {
    EngineHooks h;
    h.prepare = [](const ResolvedConfig& c, const std::function<void(const PrepareEvent&)>& ev, std::stop_token stop) {
        return prepare_dataset(c, ev, stop);
    };
    h.make = [](const RunConfig& c, const TrainerOptions& o) { return make_trainer(c, o); };
    h.inspect = [](const std::filesystem::path& dir, const std::filesystem::path& ck) {
        return open_inspector(dir, ck);
    };
    h.exportWeights = [](const std::filesystem::path& ck, const std::filesystem::path& file,
                         const TransferProgress& p) { export_safetensors(ck, file, p); };
    h.importWeights = [](const std::filesystem::path& file, const std::filesystem::path& config,
                         const std::filesystem::path& run_dir,
                         const TransferProgress& p) { return import_safetensors(file, config, run_dir, p); };
    h.evaluate = [](const std::filesystem::path& dir, const EvalOptions& o, Observer& obs, std::stop_token stop) {
        return evaluate_run(dir, o, obs, stop);
    };
    h.device = [] {
        const RuntimeInfo ri = runtime_info();
        return DeviceSummary{ri.cpu, ri.torch_version, ri.threads, ri.cuda_devices, ri.cpu_bf16};
    };
    return h;
}

} // namespace seqpe::ui
