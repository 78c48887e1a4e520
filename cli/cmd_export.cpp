// seqpe export RUN_DIR --out FILE.safetensors [--checkpoint DIR]: a checkpoint's weights as safetensors.
// seqpe import FILE.safetensors --config CONFIG.json --run-dir DIR: a run directory from such a file.
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/export.h"
#include "seqpe/run_dir.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe::cli {

namespace {

void print_result(Console& console, const std::string& kind, const std::string& line, nlohmann::ordered_json j) {
    if (console.json()) {
        nlohmann::ordered_json out;
        out["kind"] = kind;
        for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value();
        std::fputs((out.dump() + "\n").c_str(), stdout);
    } else {
        std::printf("%s\n", line.c_str());
    }
}

} // namespace

int cmd_export(const ExportArgs& a, Console& console) {
    return guarded(console, [&] {
        fs::path src = a.run_dir;
        if (!a.checkpoint.empty()) {
            // A checkpoint directory, or the name of one inside the run ("step-00001200").
            std::error_code ec;
            src = a.checkpoint;
            const fs::path named = RunPaths{a.run_dir}.checkpoints() / a.checkpoint;
            if (!fs::exists(src, ec)) {
                if (!fs::exists(named, ec))
                    throw InputError(a.checkpoint + ": no such checkpoint (neither a directory nor a name in " +
                                     RunPaths{a.run_dir}.checkpoints().string() + ")");
                src = named;
            }
        }
        export_safetensors(src, a.out);
        const SafetensorsSummary s = read_safetensors_summary(a.out);
        const fs::path cfg = safetensors_config_path(a.out);
        const std::string step = s.metadata.count("seqpe_step") ? s.metadata.at("seqpe_step") : "?";
        print_result(console, "export",
                     "wrote " + a.out + " (" + std::to_string(s.tensors.size()) + " tensors, " +
                         human_bytes(static_cast<double>(s.file_bytes)) + ", step " + step + ") and " + cfg.string(),
                     {{"file", a.out},
                      {"config", cfg.string()},
                      {"tensors", s.tensors.size()},
                      {"bytes", s.file_bytes},
                      {"metadata", s.metadata}});
        return static_cast<int>(kExitOk);
    });
}

int cmd_import(const ImportArgs& a, Console& console) {
    return guarded(console, [&] {
        const fs::path run = import_safetensors(a.file, a.config, a.run_dir);
        const auto ck = latest_checkpoint(RunPaths{run});
        const std::string ck_name = ck ? ck->filename().string() : "?";
        print_result(console, "import",
                     "created run " + run.string() + " (checkpoint " + ck_name +
                         ", no optimiser state: training on restarts AdamW); try `seqpe eval " + run.string() + "`",
                     {{"run_dir", run.string()}, {"checkpoint", ck_name}});
        return static_cast<int>(kExitOk);
    });
}

} // namespace seqpe::cli
