#pragma once
// A checkpoint's trainer.json: the trainer's counters. Torch-free (in seqpe_core), so that the
// fuzzer can feed parse_trainer_state() any bytes; checkpoint.cpp adds the tensors.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace seqpe {

struct TrainerState {
    int64_t step = 0;      // optimiser steps done
    double elapsed = 0;    // training seconds so far (across sessions)
    double best_valid = 0; // best validation loss (0: none yet)
    int64_t best_step = -1;
    int64_t tokens_seen = 0;
    std::string config_hash;
    std::string torch_version;
    double loss_scale = 0;        // fp16 dynamic loss scale (0: not used)
    int64_t loss_scale_clean = 0; // clean steps since the scale last changed
};

// Throws InputError "WHERE: ..." for anything but a JSON object whose fields have the right types
// and ranges (step >= 0, finite times); missing fields take their defaults.
TrainerState parse_trainer_state(std::string_view json, const std::string& where);
// The checkpoint directory's trainer.json.
TrainerState read_trainer_state(const std::filesystem::path& checkpoint_dir);
// The JSON written into trainer.json (torch_version is the caller's).
std::string trainer_state_json(const TrainerState& st);

} // namespace seqpe
