// Run-directory files: status, resolved config, metrics reader, checkpoint discovery.
#include "seqpe/run_dir.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/config_io.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace seqpe {

using nlohmann::json;

const char* run_state_name(RunState s) {
    switch (s) {
    case RunState::Queued:
        return "queued";
    case RunState::Running:
        return "running";
    case RunState::Paused:
        return "paused";
    case RunState::Completed:
        return "completed";
    case RunState::Cancelled:
        return "cancelled";
    case RunState::Failed:
        return "failed";
    }
    return "failed";
}

std::optional<RunState> run_state_from_name(const std::string& s) {
    for (auto st : {RunState::Queued, RunState::Running, RunState::Paused, RunState::Completed, RunState::Cancelled,
                    RunState::Failed})
        if (s == run_state_name(st)) return st;
    return std::nullopt;
}

fs::path RunPaths::checkpoint(int64_t step) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
    return checkpoints() / buf;
}

void write_status(const RunPaths& p, const RunStatus& s) {
    json j = {{"state", run_state_name(s.state)}, {"step", s.step},
              {"total_steps", s.total_steps},     {"message", s.message},
              {"updated", utc_now_iso()},         {"pid", s.pid}};
    write_file_atomic(p.status(), j.dump(2) + "\n");
}

std::optional<RunStatus> read_status(const RunPaths& p) {
    try {
        const json j = json::parse(read_file(p.status()));
        RunStatus s;
        s.state = run_state_from_name(j.value("state", "failed")).value_or(RunState::Failed);
        s.step = j.value("step", int64_t{0});
        s.total_steps = j.value("total_steps", int64_t{0});
        s.message = j.value("message", std::string());
        s.updated = j.value("updated", std::string());
        s.pid = j.value("pid", int64_t{0});
        return s;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void write_run_config(const RunPaths& p, const ResolvedConfig& c) {
    json j = {{"hash", config_hash(c)}, {"config", json::parse(config_to_json(c))}};
    write_file_atomic(p.config(), j.dump(2) + "\n");
}

ResolvedConfig read_run_config(const RunPaths& p) {
    const std::string text = read_file(p.config());
    json j;
    try {
        j = json::parse(text);
    } catch (const std::exception& e) {
        throw InputError(p.config().string() + ": not valid JSON; the run directory is damaged");
    }
    const json& cfg = j.contains("config") ? j["config"] : j;
    RunConfig c;
    auto diags = config_from_json(cfg.dump(), c);
    if (has_errors(diags))
        throw InputError(p.config().string() + ": " + diags.front().path + ": " + diags.front().message +
                         " (written by another version of seqpe?)");
    return resolve_config(c);
}

std::vector<Record> MetricsReader::read_new() {
    std::vector<Record> out;
    std::ifstream in(file_, std::ios::binary);
    if (!in) return out;
    in.seekg(0, std::ios::end);
    const auto size = static_cast<uint64_t>(in.tellg());
    if (size < offset_) offset_ = 0; // truncated (a resumed run rewrote it): start over
    if (size == offset_) return out;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk(size - offset_, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    size_t start = 0;
    while (true) {
        const size_t nl = chunk.find('\n', start);
        if (nl == std::string::npos) break; // partial line: keep for the next call
        if (nl > start)
            if (auto r = record_from_json(chunk.substr(start, nl - start))) out.push_back(std::move(*r));
        start = nl + 1;
    }
    offset_ += start;
    return out;
}

std::vector<Record> read_metrics(const fs::path& file) {
    MetricsReader r(file);
    return r.read_new();
}

int64_t checkpoint_step(const fs::path& dir) {
    const std::string n = dir.filename().string();
    if (n.size() < 6 || n.compare(0, 5, "step-") != 0) return -1;
    try {
        size_t used = 0;
        const long long v = std::stoll(n.substr(5), &used);
        return used == n.size() - 5 ? v : -1;
    } catch (...) {
        return -1;
    }
}

std::string step_budget_problem(int64_t steps, int64_t reached, const std::string& run) {
    if (steps >= reached) return {};
    return "train.steps = " + std::to_string(steps) + " is below step " + std::to_string(reached) + " that " + run +
           " already reached: raise train.steps to at least " + std::to_string(reached) +
           " to continue it (or start it again from step 0 under another name or with --restart)";
}

bool is_run_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p / "config.json", ec);
}

} // namespace seqpe
