// Checkpoint export/import in the safetensors format (seqpe/export.h). The format itself lives in
// export/safetensors.{h,cpp} (plain bytes); this file converts between it and torch: the checkpoint's
// model.pt archive on the way out, the model the config builds on the way in.
#include "seqpe/export.h"

#include "seqpe/checkpoints.h"

#include "export/safetensors.h"
#include "model/lm.h"
#include "model/vit.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/common/version.h"
#include "seqpe/config_io.h"
#include "seqpe/run_dir.h"
#include "train/checkpoint.h"
#include "train/task.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <torch/serialize/input-archive.h>
#include <torch/version.h>

namespace seqpe {

namespace st = safetensors;

namespace {

std::optional<st::DType> to_st(c10::ScalarType s) {
    switch (s) {
    case c10::ScalarType::Float:
        return st::DType::F32;
    case c10::ScalarType::Double:
        return st::DType::F64;
    case c10::ScalarType::Half:
        return st::DType::F16;
    case c10::ScalarType::BFloat16:
        return st::DType::BF16;
    case c10::ScalarType::Long:
        return st::DType::I64;
    case c10::ScalarType::Int:
        return st::DType::I32;
    case c10::ScalarType::Short:
        return st::DType::I16;
    case c10::ScalarType::Char:
        return st::DType::I8;
    case c10::ScalarType::Byte:
        return st::DType::U8;
    case c10::ScalarType::Bool:
        return st::DType::Bool;
    default:
        return std::nullopt;
    }
}

// "a/b/" -> "a/b": parent_path() of a path with a trailing separator is the path itself.
fs::path strip_slash(const fs::path& p) {
    fs::path q = p.lexically_normal();
    if (q.filename().empty() && q.has_parent_path() && q != q.root_path()) q = q.parent_path();
    return q;
}

// A run config: {"hash", "config"} as a run's config.json (and export's sidecar) holds it, or a
// bare (possibly partial) config over the defaults.
ResolvedConfig read_config_file(const fs::path& file) {
    const std::string text = read_file(file);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception&) {
        throw InputError(file.string() +
                         ": not valid JSON; pass the .config.json that `seqpe export` wrote, or a run's config.json");
    }
    if (!j.is_object()) throw InputError(file.string() + ": not a run config (a JSON object)");
    if (j.contains("runs") || j.contains("format"))
        throw InputError(file.string() +
                         ": a project file; pass one run's config (the .config.json that `seqpe export` "
                         "wrote, or runs/NAME/config.json)");
    const nlohmann::json& cfg = j.contains("config") && j["config"].is_object() ? j["config"] : j;
    RunConfig c;
    const auto diags = config_from_json(cfg.dump(), c);
    for (const auto& d : diags)
        if (d.severity == Diagnostic::Severity::Error)
            throw InputError(file.string() + ": " + (d.path.empty() ? "" : d.path + ": ") + d.message);
    const ResolvedConfig r = resolve_config(c); // a config entering from outside a run directory
    for (const auto& d : validate(c, r))
        if (d.severity == Diagnostic::Severity::Error)
            throw InputError(file.string() + ": " + (d.path.empty() ? "" : d.path + ": ") + d.message);
    return r;
}

std::string dims_string(const std::vector<int64_t>& shape) {
    return st::shape_string(shape);
}

// The new run directory must be new (or an empty directory).
void check_destination(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;
    if (!fs::is_directory(dir, ec))
        throw InputError(dir.string() + ": exists and is not a directory; choose a new --run-dir");
    if (!fs::is_empty(dir, ec))
        throw InputError(dir.string() + ": exists and is not empty" +
                         std::string(is_run_dir(dir) ? " (it holds a run)" : "") + "; choose a new --run-dir");
}

int64_t metadata_step(const st::Header& h, const std::string& where) {
    const auto it = h.metadata.find("seqpe_step");
    if (it == h.metadata.end()) return 0;
    int64_t v = -1;
    const char* b = it->second.data();
    const char* e = b + it->second.size();
    const auto r = std::from_chars(b, e, v);
    if (r.ec != std::errc() || r.ptr != e || v < 0)
        throw InputError(where + ": __metadata__ seqpe_step " + st::quote_name(it->second) + " is not a step number");
    return v;
}

const st::TensorInfo& need(const st::Header& h, const std::string& name, const std::string& where,
                           const std::string& what) {
    const st::TensorInfo* t = h.find(name);
    if (!t) throw InputError(where + ": has no " + st::quote_name(name) + ", which " + what);
    return *t;
}

// Builds the model of `c` as the trainer does; the sizes the config does not fix (vocabulary,
// image channels, classes) come from the file and are checked against what the config does fix
// first, so a file cannot make us allocate more than it holds times a small factor.
std::shared_ptr<torch::nn::Module> build_model(const ResolvedConfig& c, const st::Header& h, const std::string& where,
                                               const std::string& cfg_name) {
    const int64_t D = c.model.d_model;
    auto mismatch = [&](const st::TensorInfo& t, const std::string& expected) {
        return InputError(where + ": " + st::quote_name(t.name) + " has shape " + dims_string(t.shape) +
                          " but the model of " + cfg_name + " needs " + expected +
                          "; the file comes from another model shape (check model.* in the config)");
    };
    if (c.task == "image") {
        const auto& pw =
            need(h, "patch.weight", where, "the vision transformer of " + cfg_name + " needs (task image)");
        const int64_t p = c.model.patch_size;
        if (pw.shape.size() != 4 || pw.shape[0] != D || pw.shape[1] < 1 || pw.shape[2] != p || pw.shape[3] != p)
            throw mismatch(pw, "[" + std::to_string(D) + ", channels, " + std::to_string(p) + ", " + std::to_string(p) +
                                   "]");
        const auto& hw = need(h, "head.weight", where, "the vision transformer of " + cfg_name + " needs (task image)");
        if (hw.shape.size() != 2 || hw.shape[0] < 1 || hw.shape[1] != D)
            throw mismatch(hw, "[classes, " + std::to_string(D) + "]");
        return VisionTransformer(c, pw.shape[1], hw.shape[0]).ptr();
    }
    const auto& wte =
        need(h, "wte.weight", where, "the language model of " + cfg_name + " needs (task " + c.task + ")");
    if (wte.shape.size() != 2 || wte.shape[0] < 1 || wte.shape[1] != D)
        throw mismatch(wte, "[vocabulary, " + std::to_string(D) + "]");
    return LanguageModel(c, wte.shape[0]).ptr();
}

} // namespace

void export_safetensors(const fs::path& src_in, const fs::path& out_file, const TransferProgress& progress) {
    auto report = [&](const std::string& stage, double f) {
        if (progress) progress(stage, f);
    };
    const fs::path src = strip_slash(src_in);
    std::error_code ec;
    fs::path ck, run;
    if (is_run_dir(src)) {
        run = src;
        const auto latest = latest_checkpoint(RunPaths{src});
        if (!latest) throw InputError(src.string() + ": the run has no complete checkpoint to export; train it first");
        ck = *latest;
    } else if (fs::exists(src / "model.pt", ec)) {
        ck = src;
        run = src.parent_path().parent_path(); // RUN/checkpoints/step-XXXXXXXX
        if (!is_run_dir(run))
            throw InputError(src.string() + ": a checkpoint outside a run directory (no config.json two levels up); "
                                            "export needs the run's config");
    } else if (!fs::exists(src, ec)) {
        throw InputError(src.string() + ": not found");
    } else {
        throw InputError(src.string() + ": neither a run directory (config.json) nor a checkpoint (model.pt)");
    }
    report("checking " + ck.filename().string(), 0.0); // reads every byte (SHA-256)
    require_usable_checkpoint(ck);
    const RunPaths paths{run};
    const ResolvedConfig c = read_run_config(paths);
    const std::string config_text = read_file(paths.config());
    const TrainerState state = read_trainer_state(ck);

    const fs::path model_file = ck / "model.pt";
    if (!fs::exists(model_file, ec)) throw InputError(model_file.string() + ": missing; the checkpoint is incomplete");
    report("reading " + model_file.filename().string(), 0.4);
    torch::serialize::InputArchive ar;
    try {
        ar.load_from(model_file.string());
    } catch (const std::exception& e) {
        throw InputError(model_file.string() + ": damaged or not a SeqPE checkpoint (" + first_line(e.what()) + ")");
    }
    std::vector<torch::Tensor> keep;
    std::vector<st::TensorData> tensors;
    for (const std::string& key : ar.keys()) {
        c10::IValue v;
        if (!ar.try_read(key, v) || !v.isTensor()) continue; // attributes that are not tensors
        torch::Tensor t = v.toTensor().detach().to(torch::kCPU).contiguous();
        const auto d = to_st(t.scalar_type());
        if (!d)
            throw InputError(model_file.string() + ": " + st::quote_name(key) + " has the dtype " +
                             std::string(c10::toString(t.scalar_type())) +
                             ", which safetensors export does not support");
        keep.push_back(t);
        st::TensorData td;
        td.name = key;
        td.dtype = *d;
        td.shape = t.sizes().vec();
        td.data = t.data_ptr();
        tensors.push_back(std::move(td));
    }
    if (tensors.empty()) throw InputError(model_file.string() + ": holds no tensors; not a SeqPE checkpoint");
    const std::map<std::string, std::string> metadata = {
        {"format", "pt"},
        {"seqpe_config_hash", config_hash(c)},
        {"seqpe_step", std::to_string(state.step)},
        {"seqpe_task", c.task},
        {"seqpe_encoding", c.position_encoding.type},
        {"seqpe_version", kToolVersion},
    };
    report("writing " + std::to_string(tensors.size()) + " tensors", 0.7);
    write_file_atomic(safetensors_config_path(out_file), config_text);
    st::write_file(out_file, std::move(tensors), metadata);
    report("done", 1.0);
}

fs::path import_safetensors(const fs::path& file, const fs::path& config_json, const fs::path& new_run_dir_in,
                            const TransferProgress& progress) {
    auto report = [&](const std::string& stage, double f) {
        if (progress) progress(stage, f);
    };
    report("reading " + file.filename().string(), 0.0);
    const fs::path new_run_dir = strip_slash(new_run_dir_in);
    const std::string where = file.string();
    const st::Reader reader(file);
    const st::Header& h = reader.header();
    const ResolvedConfig c = read_config_file(config_json);
    check_destination(new_run_dir);
    const int64_t step = metadata_step(h, where);
    const std::string cfg_name = config_json.string();

    report("checking " + std::to_string(h.tensors.size()) + " tensors against " + config_json.filename().string(), 0.1);
    torch::NoGradGuard ng;
    const std::shared_ptr<torch::nn::Module> model = build_model(c, h, where, cfg_name);
    std::map<std::string, torch::Tensor> want;
    for (const auto& p : model->named_parameters()) want.emplace(p.key(), p.value());
    for (const auto& b : model->named_buffers()) want.emplace(b.key(), b.value());
    for (const auto& t : h.tensors) {
        const auto it = want.find(t.name);
        if (it == want.end())
            throw InputError(where + ": holds " + st::quote_name(t.name) + ", which the model of " + cfg_name +
                             " (task " + c.task + ", encoding " + c.position_encoding.type +
                             ") does not have; the file comes from another configuration");
        const auto d = to_st(it->second.scalar_type());
        if (!d || *d != t.dtype)
            throw InputError(where + ": " + st::quote_name(t.name) + " is " + st::dtype_name(t.dtype) +
                             " but the model needs " + (d ? st::dtype_name(*d) : "another dtype"));
        const std::vector<int64_t> expected = it->second.sizes().vec();
        if (t.shape != expected)
            throw InputError(where + ": " + st::quote_name(t.name) + " has shape " + dims_string(t.shape) +
                             " but the model of " + cfg_name + " needs " + dims_string(expected) +
                             "; the file comes from another model shape (check model.* and position_encoding.*)");
    }
    for (const auto& [name, tensor] : want)
        if (!h.find(name))
            throw InputError(where + ": has no " + st::quote_name(name) + " (shape " +
                             dims_string(tensor.sizes().vec()) + "), which the model of " + cfg_name +
                             " needs; the file comes from another configuration");
    size_t done = 0;
    for (const auto& t : h.tensors) {
        report("reading tensors", 0.2 + 0.6 * static_cast<double>(done++) / static_cast<double>(h.tensors.size()));
        torch::Tensor& target = want.at(t.name);
        if (target.device().is_cpu() && target.is_contiguous()) {
            reader.read(t, target.data_ptr());
        } else {
            torch::Tensor tmp = torch::empty(target.sizes(), target.options().device(torch::kCPU));
            reader.read(t, tmp.data_ptr());
            target.copy_(tmp);
        }
    }

    // The run directory is assembled under a temporary name and renamed into place.
    report("writing " + new_run_dir.filename().string(), 0.85);
    if (new_run_dir.has_parent_path()) make_dirs(new_run_dir.parent_path());
    const fs::path tmp = temp_sibling(new_run_dir);
    try {
        make_dirs(tmp);
        const RunPaths p{tmp};
        write_run_config(p, c);
        TrainerState state;
        state.step = step;
        state.config_hash = config_hash(c);
        save_checkpoint(p, *model, /*opt=*/nullptr, state, /*keep=*/1);
        RunStatus s;
        s.state = RunState::Completed;
        s.step = step;
        s.total_steps = c.train.steps;
        s.message = "imported from " + file.string() + " (no optimiser state)";
        write_status(p, s);
        nlohmann::json source = h.metadata;
        const nlohmann::json meta = {{"created", utc_now_iso()},
                                     {"tool_version", kToolVersion},
                                     {"git_commit", kGitCommit},
                                     {"torch_version", TORCH_VERSION},
                                     {"imported_from", fs::absolute(file).string()},
                                     {"imported_metadata", source},
                                     {"parameters", count_parameters(*model)},
                                     {"pe_parameters", count_parameters(*model, "pe.")}};
        write_file_atomic(p.meta(), meta.dump(2) + "\n");
        write_file_atomic(p.metrics(), "");
        write_file_atomic(p.log(), utc_now_iso() + " info imported " + std::to_string(h.tensors.size()) +
                                       " tensors at step " + std::to_string(step) + " from " + file.string() +
                                       "; no optimiser state: training on restarts AdamW\n");
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
    std::error_code ec;
    if (fs::exists(new_run_dir, ec)) fs::remove(new_run_dir, ec); // an empty directory (checked above)
    fs::rename(tmp, new_run_dir, ec);
    if (ec) {
        std::error_code ec2;
        fs::remove_all(tmp, ec2);
        throw RunError("cannot create " + new_run_dir.string() + ": " + ec.message());
    }
    report("done", 1.0);
    return new_run_dir;
}

} // namespace seqpe
