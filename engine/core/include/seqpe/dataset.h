#pragma once
// Getting a run's dataset: either the prepared directory the config names, or the one seqpe-data
// prepares (or finds in its cache) for the config's recipe. seqpe-data runs as a child process
// (SentencePiece and LibTorch cannot share a process); its JSON-lines progress is forwarded.
#include "seqpe/config.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace seqpe {

struct PrepareEvent {
    std::string event; // "stage", "progress", "log", "done", "error"
    std::string stage;
    std::string message;
    int64_t done = 0;
    int64_t total = 0;
};

// seqpe-data: $SEQPE_DATA_TOOL, else next to the running executable, else on PATH.
std::filesystem::path find_data_tool();
// The seqpe-data arguments that prepare the dataset of `c` (task, source, tokenizer).
std::vector<std::string> data_tool_args(const ResolvedConfig& c);
// Returns the dataset directory for `c`, running seqpe-data when the config names no prepared
// directory; an empty path for a task that needs none (task_needs_dataset). Throws InputError (bad source, tool
// reported bad input) or RunError.
std::filesystem::path prepare_dataset(const ResolvedConfig& c, const std::function<void(const PrepareEvent&)>& on_event,
                                      std::stop_token stop = {});

// The token ids of `text` with the tokenizer of the prepared text dataset `dataset_dir` (through
// seqpe-data encode: SentencePiece stays out of this process). At most kMaxEncodeBytes of text.
// Throws InputError (not a text dataset, empty or invalid text) or RunError.
inline constexpr size_t kMaxEncodeBytes = 64 * 1024;
std::vector<int64_t> encode_text(const std::filesystem::path& dataset_dir, const std::string& text);

} // namespace seqpe
