#pragma once
// Safetensors files as the torch-free core sees them (https://huggingface.co/docs/safetensors):
// where `seqpe export` puts a file's config, what a file holds (its header, validated; the data
// are not read), and the progress callback of an export or import. The conversion to and from
// models is LibTorch's side (seqpe/export.h).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace seqpe {

// What an export or import is doing ("checking step-00001200", "writing 42 tensors") and the share
// of it done (0..1), called on the thread that runs it; the workbench shows it while the job runs
// off its GUI thread. Empty: no reports.
using TransferProgress = std::function<void(const std::string& stage, double fraction)>;

// `model.safetensors` -> `model.config.json` (same directory).
std::filesystem::path safetensors_config_path(const std::filesystem::path& out_file);

// What a safetensors file holds (its header, validated like import does; the data are not read).
struct SafetensorsEntry {
    std::string name;
    std::string dtype; // "F32"
    std::vector<int64_t> shape;
    uint64_t bytes = 0;
};
struct SafetensorsSummary {
    std::vector<SafetensorsEntry> tensors; // sorted by name
    std::map<std::string, std::string> metadata;
    uint64_t file_bytes = 0;
};
SafetensorsSummary read_safetensors_summary(const std::filesystem::path& file); // throws InputError

} // namespace seqpe
