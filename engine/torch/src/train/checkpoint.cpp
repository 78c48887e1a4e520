// Atomic checkpoint directories and shape-checked restore.
#include "train/checkpoint.h"

#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/text.h"

#include <map>

#include <algorithm>
#include <set>
#include <sstream>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>
#include <unistd.h>

namespace seqpe {

namespace {

using FileRecord = std::pair<uint64_t, std::string>;

// Serialises in memory, then writes the bytes ourselves: torch's file writer finishes the zip in its
// destructor, where a write error (a full disk, a file-size limit) throws and terminates the process.
// Returns the file's record for DONE: (size, SHA-256).
FileRecord save_archive(torch::serialize::OutputArchive& ar, const fs::path& file) {
    std::ostringstream bytes;
    ar.save_to(bytes);
    const std::string b = bytes.str();
    write_file_atomic(file, b); // RunError naming the file when the disk is full
    return {b.size(), sha256_hex(b)};
}

FileRecord write_text(const fs::path& file, const std::string& text) {
    write_file_atomic(file, text);
    return {text.size(), sha256_hex(text)};
}

FileRecord write_module(torch::nn::Module& m, const fs::path& file) {
    torch::serialize::OutputArchive ar;
    torch::NoGradGuard ng;
    for (const auto& p : m.named_parameters()) ar.write(p.key(), p.value().detach().cpu());
    for (const auto& b : m.named_buffers()) ar.write(b.key(), b.value().cpu(), /*is_buffer=*/true);
    return save_archive(ar, file);
}

void read_module(torch::nn::Module& m, const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) throw InputError(file.string() + ": missing; the checkpoint is incomplete");
    torch::serialize::InputArchive ar;
    try {
        ar.load_from(file.string());
    } catch (const std::exception& e) {
        throw DamagedCheckpoint(file.string() + ": damaged or not a SeqPE checkpoint (" + first_line(e.what()) + ")");
    }
    const std::vector<std::string> keys = ar.keys();
    const std::set<std::string> in_file(keys.begin(), keys.end());
    std::set<std::string> in_model;
    torch::NoGradGuard ng;
    auto restore = [&](const std::string& name, torch::Tensor& target, bool is_buffer) {
        in_model.insert(name);
        torch::Tensor t;
        if (!in_file.count(name) || !ar.try_read(name, t, is_buffer))
            throw InputError(file.string() + ": has no '" + name +
                             "'; it was written by a model with another configuration");
        if (t.sizes() != target.sizes()) {
            std::ostringstream s;
            s << file.string() << ": '" << name << "' has shape " << t.sizes() << " but this model needs "
              << target.sizes()
              << "; the checkpoint comes from another model shape (check model.* and position_encoding.*)";
            throw InputError(s.str());
        }
        target.copy_(t);
    };
    for (auto& p : m.named_parameters()) restore(p.key(), p.value(), false);
    for (auto& b : m.named_buffers()) restore(b.key(), b.value(), true);
    for (const auto& k : in_file)
        if (!in_model.count(k))
            throw InputError(file.string() + ": holds '" + k +
                             "', which this model does not have; "
                             "the checkpoint comes from another configuration");
}

} // namespace

fs::path save_checkpoint(const RunPaths& run, torch::nn::Module& model, Optimizer* opt, const TrainerState& st,
                         int64_t keep) {
    const fs::path final_dir = run.checkpoint(st.step);
    const fs::path tmp = temp_sibling(final_dir);
    make_dirs(tmp);
    try {
        std::map<std::string, FileRecord> files;
        files["model.pt"] = write_module(model, tmp / "model.pt");
        if (opt) {
            torch::serialize::OutputArchive oa;
            opt->adamw().save(oa);
            files["optim.pt"] = save_archive(oa, tmp / "optim.pt");
        }
        TrainerState with_version = st;
        with_version.torch_version = TORCH_VERSION;
        files["trainer.json"] = write_text(tmp / "trainer.json", trainer_state_json(with_version));
        fsync_path(tmp / "model.pt");
        if (opt) fsync_path(tmp / "optim.pt");
        // DONE last, with every file's size and checksum: damage is found before loading.
        write_file_atomic(tmp / "DONE", checkpoint_done_json(files, st.step));
        fsync_path(tmp);
    } catch (const std::exception& e) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw RunError(std::string("cannot write checkpoint ") + final_dir.string() + ": " + e.what() +
                       " (the previous checkpoint is kept)");
    }
    std::error_code ec;
    fs::remove_all(final_dir, ec); // a resumed run re-saving the same step
    fs::rename(tmp, final_dir, ec);
    if (ec) throw RunError("cannot publish checkpoint " + final_dir.string() + ": " + ec.message());
    write_file_atomic(run.checkpoints() / "latest", final_dir.filename().string() + "\n");

    // Keep the newest `keep` complete checkpoints; remove leftovers of killed writers.
    std::vector<std::pair<int64_t, fs::path>> done;
    for (const auto& e : fs::directory_iterator(run.checkpoints(), ec)) {
        const std::string n = e.path().filename().string();
        if (n.find(".tmp.") != std::string::npos) {
            // Leftover of a writer that died (another pid): never ours in flight (we are single-writer).
            if (n.find(".tmp." + std::to_string(::getpid()) + ".") == std::string::npos) fs::remove_all(e.path(), ec);
            continue;
        }
        const int64_t s = checkpoint_step(e.path());
        if (s >= 0 && fs::exists(e.path() / "DONE", ec)) done.emplace_back(s, e.path());
    }
    std::sort(done.begin(), done.end());
    // An old checkpoint is first renamed to a temporary name (atomic), then removed: a process killed
    // while removing it leaves a leftover the next save cleans up, never a directory that still has
    // its DONE marker but has lost model.pt.
    for (size_t i = 0; i + static_cast<size_t>(std::max<int64_t>(1, keep)) < done.size(); ++i) {
        const fs::path doomed = temp_sibling(done[i].second);
        fs::rename(done[i].second, doomed, ec);
        fs::remove_all(ec ? done[i].second : doomed, ec);
    }
    return final_dir;
}

TrainerState load_checkpoint(const fs::path& dir, torch::nn::Module& model, Optimizer* opt) {
    std::error_code ec;
    if (!fs::exists(dir / "DONE", ec))
        throw InputError(dir.string() + ": incomplete checkpoint (no DONE marker); use an earlier one");
    TrainerState st;
    try {
        st = read_trainer_state(dir);
    } catch (const InputError& e) {
        throw DamagedCheckpoint(e.what());
    }
    read_module(model, dir / "model.pt");
    // An imported checkpoint (seqpe import) has no optim.pt: AdamW restarts with zero moments.
    if (opt && fs::exists(dir / "optim.pt", ec)) {
        torch::serialize::InputArchive ar;
        try {
            ar.load_from((dir / "optim.pt").string());
            opt->adamw().load(ar);
        } catch (const std::exception& e) {
            throw DamagedCheckpoint((dir / "optim.pt").string() + ": damaged or from another optimiser setup (" +
                                    first_line(e.what()) + ")");
        }
    }
    return st;
}

LoadedCheckpoint load_newest_checkpoint(const RunPaths& run, torch::nn::Module& model, Optimizer* opt, bool set_aside) {
    LoadedCheckpoint out;
    auto pass_over = [&](const fs::path& dir, const std::string& why) {
        out.note += (out.note.empty() ? "" : "; ") + dir.filename().string() + " is damaged (" + why + ")";
        if (set_aside) out.note += ", set aside as " + set_checkpoint_aside(dir).filename().string();
    };
    for (int64_t below = INT64_MAX;;) {
        const CheckpointChoice choice = choose_checkpoint(run, below);
        for (const auto& c : choice.skipped) pass_over(c.dir, c.problem);
        if (!choice.dir) break;
        try {
            out.state = load_checkpoint(*choice.dir, model, opt);
            out.dir = choice.dir;
            break;
        } catch (const DamagedCheckpoint& e) {
            if (choice.health != CheckpointHealth::Unverified) throw; // verified: another model, not damage
            pass_over(*choice.dir, e.what());
            below = checkpoint_step(*choice.dir);
        }
    }
    return out;
}

void load_weights(const fs::path& src, torch::nn::Module& model) {
    fs::path dir = src;
    if (is_run_dir(src)) {
        auto latest = latest_checkpoint(RunPaths{src});
        if (!latest) throw InputError(src.string() + ": the run has no complete checkpoint yet");
        dir = *latest;
    }
    std::error_code ec;
    if (!fs::exists(dir / "model.pt", ec))
        throw InputError(src.string() + ": neither a run directory nor a checkpoint (no model.pt)");
    read_module(model, dir / "model.pt");
}

} // namespace seqpe
