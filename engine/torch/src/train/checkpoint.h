#pragma once
// Checkpoints: checkpoints/step-00001200/{model.pt, optim.pt, trainer.json, DONE}. The directory
// is written under a temporary name, files flushed, DONE written last, then renamed into place and
// named in `latest`; a killed process therefore never leaves a checkpoint that looks complete.
#include "seqpe/common/error.h"
#include "seqpe/run_dir.h"
#include "train/optim.h"
#include "train/trainer_state.h"

#include <filesystem>
#include <optional>
#include <string>
#include <torch/nn/module.h>

namespace seqpe {

// A checkpoint file that cannot be read at all (not a shape or configuration mismatch): the
// resume may fall back to an earlier checkpoint.
class DamagedCheckpoint : public InputError {
public:
    using InputError::InputError;
};

// Returns the checkpoint directory. Keeps the newest `keep` complete checkpoints.
std::filesystem::path save_checkpoint(const RunPaths& run, torch::nn::Module& model, Optimizer* opt,
                                      const TrainerState& state, int64_t keep);
// Restores model (and optimiser when given) from a checkpoint directory. Throws DamagedCheckpoint
// for an unreadable file, InputError naming the file for a missing or differently shaped one.
TrainerState load_checkpoint(const std::filesystem::path& dir, torch::nn::Module& model, Optimizer* opt);
// The newest checkpoint of a run that loads into `model` (and `opt` when given). Damaged ones, by
// their checksums or, without checksums, because a file cannot be read, are passed over and named
// in `note`; with `set_aside` (a resume) they are also renamed step-N.damaged, never deleted; an
// evaluation leaves the run as it is. A checksum-verified checkpoint that fails to load comes from
// another model: that stays an error (InputError naming the tensor), as does any other failure.
struct LoadedCheckpoint {
    std::optional<std::filesystem::path> dir; // none: no checkpoint loads
    TrainerState state;
    std::string note; // "step-00001200 is damaged (...), set aside as step-00001200.damaged; ..." or empty
};
LoadedCheckpoint load_newest_checkpoint(const RunPaths& run, torch::nn::Module& model, Optimizer* opt, bool set_aside);

// Model weights only, from a run directory (its latest checkpoint) or a checkpoint directory.
void load_weights(const std::filesystem::path& run_or_checkpoint, torch::nn::Module& model);

} // namespace seqpe
