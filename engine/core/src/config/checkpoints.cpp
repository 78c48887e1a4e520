// Checkpoint discovery and verification without LibTorch: DONE's checksums against the files.
#include "seqpe/checkpoints.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/manifest.h"
#include "seqpe/options.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace seqpe {

using nlohmann::json;

const char* checkpoint_health_name(CheckpointHealth h) {
    switch (h) {
    case CheckpointHealth::Complete:
        return "complete";
    case CheckpointHealth::Unverified:
        return "complete (no checksums)";
    case CheckpointHealth::Incomplete:
        return "incomplete";
    case CheckpointHealth::Damaged:
        return "damaged";
    }
    return "damaged";
}

std::string checkpoint_done_json(const std::map<std::string, std::pair<uint64_t, std::string>>& files, int64_t step) {
    json j;
    j["format"] = kCheckpointFormat;
    j["step"] = step;
    j["time"] = utc_now_iso();
    json f = json::object();
    for (const auto& [name, v] : files) f[name] = {{"bytes", v.first}, {"sha256", v.second}};
    j["files"] = f;
    return j.dump(2) + "\n";
}

namespace {

std::string mtime_iso(const fs::path& p) {
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    if (ec) return {};
    const auto sys = std::chrono::file_clock::to_sys(t);
    const std::time_t tt =
        std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys));
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// "step-00001200.damaged" / "step-00001200.damaged-2" -> 1200; -1 otherwise.
int64_t aside_step(const fs::path& dir) {
    const std::string n = dir.filename().string();
    const size_t dot = n.find(".damaged");
    if (dot == std::string::npos) return -1;
    const std::string rest = n.substr(dot + 8);
    if (!rest.empty() && (rest[0] != '-' || rest.find_first_not_of("0123456789", 1) != std::string::npos)) return -1;
    return checkpoint_step(n.substr(0, dot));
}

std::string with_commas(uint64_t v) {
    const std::string digits = std::to_string(v);
    std::string s;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
        s += digits[i];
    }
    return s;
}

} // namespace

CheckpointInfo inspect_checkpoint(const fs::path& dir, CheckpointCheck check) {
    CheckpointInfo info;
    info.dir = dir;
    info.step = checkpoint_step(dir);
    std::error_code ec;
    if (info.step < 0) {
        info.step = aside_step(dir);
        info.set_aside = info.step >= 0;
    }
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file(ec)) info.bytes += e.file_size(ec);
    const fs::path done = dir / "DONE";
    info.time = mtime_iso(fs::exists(done, ec) ? done : dir);
    auto damaged = [&](std::string why) {
        info.health = CheckpointHealth::Damaged;
        info.problem = std::move(why);
        return info;
    };
    if (info.set_aside) return damaged("set aside by a resume that could not load it");
    if (!fs::exists(done, ec)) {
        info.health = CheckpointHealth::Incomplete;
        info.problem = "no DONE marker: its writer stopped before finishing";
        return info;
    }
    std::string text;
    try {
        text = read_file(done);
    } catch (const std::exception& e) {
        return damaged(std::string("DONE: ") + e.what());
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        // Written before checksums: at least the weights must be there.
        if (!fs::exists(dir / "model.pt", ec)) return damaged("model.pt is missing");
        info.health = CheckpointHealth::Unverified;
        return info;
    }
    json j;
    try {
        j = json::parse(text);
        if (!j.is_object() || j.value("format", "") != kCheckpointFormat || !j["files"].is_object())
            return damaged("DONE is not a checksum record (" + std::string(kCheckpointFormat) + ")");
        if (j.contains("time") && j["time"].is_string()) info.time = j["time"].get<std::string>();
    } catch (const std::exception&) {
        return damaged("DONE is not valid JSON");
    }
    try {
        for (const auto& [name, rec] : j["files"].items()) {
            const fs::path f = dir / name;
            if (name.find('/') != std::string::npos || name.find("..") != std::string::npos)
                return damaged("DONE names a file outside the checkpoint: " + name);
            if (!fs::is_regular_file(f, ec)) return damaged(name + " is missing");
            const uint64_t want = rec.at("bytes").get<uint64_t>();
            const uint64_t have = fs::file_size(f, ec);
            if (have != want)
                return damaged(name + ": " + with_commas(have) + " bytes, DONE records " + with_commas(want));
            if (check == CheckpointCheck::Hashes && sha256_file(f) != rec.at("sha256").get<std::string>())
                return damaged(name + ": its SHA-256 differs from the one DONE records");
        }
    } catch (const InputError& e) {
        return damaged(e.what());
    } catch (const std::exception&) {
        return damaged("DONE's file records are malformed");
    }
    info.health = CheckpointHealth::Complete;
    return info;
}

std::vector<CheckpointInfo> list_checkpoints(const RunPaths& p, CheckpointCheck check) {
    std::vector<CheckpointInfo> out;
    std::error_code ec;
    if (!fs::is_directory(p.checkpoints(), ec)) return out;
    for (const auto& e : fs::directory_iterator(p.checkpoints(), ec)) {
        if (!e.is_directory(ec)) continue;
        if (checkpoint_step(e.path()) < 0 && aside_step(e.path()) < 0) continue; // temporaries, other files
        out.push_back(inspect_checkpoint(e.path(), check));
    }
    std::sort(out.begin(), out.end(), [](const CheckpointInfo& a, const CheckpointInfo& b) {
        if (a.step != b.step) return a.step > b.step;
        return a.set_aside < b.set_aside; // the live one before those set aside
    });
    return out;
}

CheckpointChoice choose_checkpoint(const RunPaths& p, int64_t below_step) {
    CheckpointChoice choice;
    std::error_code ec;
    if (!fs::is_directory(p.checkpoints(), ec)) return choice;
    std::vector<std::pair<int64_t, fs::path>> dirs;
    for (const auto& e : fs::directory_iterator(p.checkpoints(), ec))
        if (const int64_t s = checkpoint_step(e.path()); s >= 0 && s < below_step && e.is_directory(ec))
            dirs.emplace_back(s, e.path());
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [step, dir] : dirs) {
        CheckpointInfo info = inspect_checkpoint(dir, CheckpointCheck::Hashes);
        if (info.usable()) {
            choice.dir = dir;
            choice.health = info.health;
            break;
        }
        // An incomplete directory newer than the newest complete one is normal for a writer that
        // was killed; only damage is worth a word, but both are passed over.
        if (info.health == CheckpointHealth::Damaged) choice.skipped.push_back(std::move(info));
    }
    return choice;
}

void require_usable_checkpoint(const fs::path& dir) {
    const CheckpointInfo info = inspect_checkpoint(dir, CheckpointCheck::Hashes);
    if (info.usable()) return;
    throw InputError(dir.string() + ": checkpoint " +
                     (info.step >= 0 ? "of step " + std::to_string(info.step) + " " : "") + "is " +
                     checkpoint_health_name(info.health) + " (" + info.problem +
                     "); choose another (`seqpe info RUN` lists the run's checkpoints)");
}

fs::path set_checkpoint_aside(const fs::path& dir) {
    std::error_code ec;
    fs::path target = dir.string() + ".damaged";
    for (int k = 2; fs::exists(target, ec); ++k) target = dir.string() + ".damaged-" + std::to_string(k);
    fs::rename(dir, target, ec);
    if (ec) throw RunError("cannot set the damaged checkpoint " + dir.string() + " aside: " + ec.message());
    return target;
}

std::optional<fs::path> latest_checkpoint(const RunPaths& p) {
    return choose_checkpoint(p).dir;
}

int64_t resume_step(const std::vector<CheckpointInfo>& checkpoints) {
    for (const CheckpointInfo& c : checkpoints)
        if (c.usable()) return c.step;
    return 0;
}

bool run_is_complete(const RunStatus& status, int64_t reached, int64_t steps) {
    return status.state == RunState::Completed && reached >= steps;
}

ResolvedConfig resolve_for_run(const RunConfig& config, const std::filesystem::path& run_dir, bool resume) {
    std::error_code ec;
    if (resume && is_run_dir(run_dir) && std::filesystem::exists(RunPaths{run_dir}.config(), ec)) {
        try {
            return resolve_resumed(config, read_run_config(RunPaths{run_dir}));
        } catch (const std::exception&) {
            // the trainer's resume check reports an unreadable run directory
        }
    }
    return resolve_config(config);
}

} // namespace seqpe
