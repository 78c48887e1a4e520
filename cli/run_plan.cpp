// Dataset resolution for the commands (the run plan itself is the engine core's: seqpe/run_plan.h).
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/dataset.h"
#include "seqpe/options.h"

#include <nlohmann/json.hpp>

namespace seqpe::cli {

fs::path prepare_with_progress(const ResolvedConfig& c, Console& console, std::stop_token stop) {
    if (!task_needs_dataset(c)) return {};
    if (!c.data.dataset_dir.empty()) return c.data.dataset_dir;
    std::string last_stage;
    return prepare_dataset(
        c,
        [&](const PrepareEvent& e) {
            if (e.event == "stage" && e.stage != last_stage) {
                last_stage = e.stage;
                console.event("data", "data: " + (e.message.empty() ? e.stage : e.message));
            } else if (e.event == "log" && !e.message.empty()) {
                console.event("data", "data: " + e.message);
            } else if (e.event == "done") {
                console.event("data", "data: " + e.message);
            }
        },
        stop);
}

fs::path resolve_run_dataset(const fs::path& run_dir, const ResolvedConfig& c, Console& console, std::stop_token stop) {
    if (!task_needs_dataset(c)) return {};
    if (!c.data.dataset_dir.empty()) return c.data.dataset_dir;
    try {
        const auto meta = nlohmann::json::parse(read_file(run_dir / "meta.json"));
        const fs::path dir = meta.at("dataset").at("dir").get<std::string>();
        const DatasetManifest m = read_manifest(dir);
        if (m.recipe_hash == meta.at("dataset").value("hash", "")) return dir;
    } catch (const std::exception&) {
        // Trained elsewhere, or the cache was cleared: prepare the dataset again.
    }
    return prepare_with_progress(c, console, stop);
}

} // namespace seqpe::cli
