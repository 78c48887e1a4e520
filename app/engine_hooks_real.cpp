#include "engine_hooks_real.h"

namespace seqpe::ui {

EngineHooks realEngineHooks() {
    EngineHooks h;
    h.prepare = [](const RunConfig& c, const std::function<void(const PrepareEvent&)>& ev, std::stop_token stop) {
        return prepare_dataset(c, ev, stop);
    };
    h.make = [](const RunConfig& c, const TrainerOptions& o) { return make_trainer(c, o); };
    h.inspect = [](const std::filesystem::path& dir) { return open_inspector(dir); };
    h.evaluate = [](const std::filesystem::path& dir, const EvalOptions& o, Observer& obs, std::stop_token stop) {
        return evaluate_run(dir, o, obs, stop);
    };
    return h;
}

} // namespace seqpe::ui
