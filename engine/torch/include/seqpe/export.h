#pragma once
// Checkpoint exchange in the safetensors format (https://huggingface.co/docs/safetensors):
// `seqpe export` writes a checkpoint's weights for other tools (Python: safetensors, numpy), and
// `seqpe import` turns such a file plus its config back into a run directory that `seqpe eval`,
// `seqpe info` and the GUI read like any other run.
//
// What travels: every parameter and buffer of the model, named as in the checkpoint
// ("blocks.0.qkv.weight", "pe.encoder.tok.weight", ...), in its own dtype (F32 for the models here),
// plus "__metadata__": format "pt", seqpe_config_hash, seqpe_step, seqpe_task, seqpe_encoding,
// seqpe_version. The run's resolved config goes beside the file as `<stem>.config.json` (the run's
// config.json). What does not travel: the optimiser state (optim.pt), metrics and evaluations.
// An imported checkpoint therefore has no optim.pt: training on from it restarts AdamW (zero
// moments) at the imported step, and `train.init_from` may name the imported run to start a new run
// from its weights.
#include "seqpe/safetensors_file.h"

#include <filesystem>

namespace seqpe {

// Exports the model of a checkpoint: a run directory (its latest complete checkpoint) or a
// checkpoint directory (checkpoints/step-XXXXXXXX inside a run). Writes `out_file` atomically and
// `<out_file stem>.config.json` beside it. Throws InputError naming the path for a missing run,
// checkpoint or config, RunError for I/O failures.
void export_safetensors(const std::filesystem::path& run_dir_or_checkpoint, const std::filesystem::path& out_file,
                        const TransferProgress& progress = {});

// Creates the run directory `new_run_dir` (which must not exist, or be empty) from a safetensors file
// and a run config (the `<stem>.config.json` written by export, a run's config.json, or a config
// file): config.json, status "completed" at the file's seqpe_step (0 without one), and a complete
// checkpoint checkpoints/step-XXXXXXXX/ {model.pt, trainer.json, DONE} named in `latest`, without
// optim.pt. Every tensor's name, dtype and shape is checked against the model the config builds
// before anything is written. Throws InputError naming the file for any problem; returns the run
// directory.
std::filesystem::path import_safetensors(const std::filesystem::path& file, const std::filesystem::path& config_json,
                                         const std::filesystem::path& new_run_dir,
                                         const TransferProgress& progress = {});

} // namespace seqpe
