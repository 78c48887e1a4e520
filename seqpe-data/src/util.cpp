// Cancellation, temporary dataset folders, cache keys and names.
#include "seqpe/data/util.h"
#include "seqpe/data/report.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/version.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace seqpe::data {

// ---- cancellation ----
namespace {
std::atomic<bool> g_cancel{false};

std::mutex& temp_mutex() {
    static std::mutex m;
    return m;
}
std::set<std::string>& temp_registry() {
    static std::set<std::string> s;
    return s;
}
} // namespace

bool cancel_requested() {
    return g_cancel.load(std::memory_order_relaxed);
}
void request_cancel() {
    g_cancel.store(true);
}
void reset_cancel() {
    g_cancel.store(false);
}
void throw_if_cancelled() {
    if (cancel_requested()) throw Cancelled();
}

// ---- temporary output ----
TempDir::TempDir(const fs::path& final_dir) : final_(final_dir), path_(temp_sibling(final_dir)) {
    {
        std::lock_guard lock(temp_mutex());
        temp_registry().insert(path_.string());
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
    make_dirs(path_);
}

TempDir::~TempDir() {
    if (!published_) {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::lock_guard lock(temp_mutex());
    temp_registry().erase(path_.string());
}

bool TempDir::publish(bool replace) {
    // Files were written with write_file_atomic (fsynced); make the folder entries durable too.
    fsync_path(path_);
    std::error_code ec;
    if (replace && fs::exists(final_, ec)) {
        // Swap in one step where the file system allows it, then delete the old content.
        if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, final_.c_str(), RENAME_EXCHANGE) == 0) {
            published_ = true;
            fs::remove_all(path_, ec);
        } else {
            const fs::path trash = temp_sibling(final_);
            fs::rename(final_, trash, ec);
            if (ec) throw RunError("cannot replace " + final_.string() + ": " + ec.message());
            fs::rename(path_, final_, ec);
            if (ec) throw RunError("cannot rename " + path_.string() + " to " + final_.string() + ": " + ec.message());
            published_ = true;
            fs::remove_all(trash, ec);
        }
    } else {
        if (::rename(path_.c_str(), final_.c_str()) != 0) {
            const int err = errno;
            if (err == ENOTEMPTY || err == EEXIST) return false; // another run finished first
            errno = err;
            throw RunError(errno_message("cannot rename " + path_.string() + " to " + final_.string()));
        }
        published_ = true;
    }
    try {
        fsync_path(final_.parent_path());
    } catch (const std::exception&) {
        // durability of the parent entry is best effort
    }
    return true;
}

void remove_registered_temp_dirs() noexcept {
    try {
        std::lock_guard lock(temp_mutex());
        for (const auto& p : temp_registry()) {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } catch (...) {
    }
}

void cleanup_stale_temps(const fs::path& dir) noexcept {
    try {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) return;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            const std::string name = e.path().filename().string();
            const size_t t = name.rfind(".tmp.");
            if (t == std::string::npos) continue;
            const size_t start = t + 5;
            const size_t dot = name.find('.', start);
            if (dot == std::string::npos || dot == start) continue;
            const std::string pid_text = name.substr(start, dot - start);
            if (!std::all_of(pid_text.begin(), pid_text.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
            const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
            // Only "<name>.tmp.<pid>.<n>" exactly: a dataset whose name merely contains ".tmp." is never touched.
            const std::string rest = name.substr(dot + 1);
            if (rest.empty() || !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
                continue;
            if (pid <= 0 || pid == ::getpid()) continue;
            if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue; // still running
            std::error_code rec;
            fs::remove_all(e.path(), rec);
        }
    } catch (...) {
    }
}

// ---- names and keys ----
std::string sanitize_name(std::string_view name) {
    std::string out;
    bool dash = false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (ok) {
            out.push_back(c);
            dash = false;
        } else if (!dash) {
            out.push_back('-');
            dash = true;
        }
    }
    while (!out.empty() && (out.front() == '.' || out.front() == '-')) out.erase(out.begin());
    while (!out.empty() && (out.back() == '.' || out.back() == '-')) out.pop_back();
    if (out.size() > 64) out.resize(64);
    if (out.empty()) out = "data";
    return out;
}

std::string folder_base_name(const fs::path& folder) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(folder, ec), ec);
    if (ec) p = folder.lexically_normal();
    while (!p.empty() && p.filename().empty() && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
    return p.filename().string();
}

std::string recipe_hash(const std::vector<std::pair<std::string, std::string>>& recipe,
                        std::vector<SourceInfo> sources) {
    std::sort(sources.begin(), sources.end(), [](const SourceInfo& a, const SourceInfo& b) { return a.path < b.path; });
    std::string canon;
    for (const auto& [k, v] : recipe) canon += k + "=" + v + "\n";
    for (const auto& s : sources) canon += "source\t" + s.path + "\t" + s.sha256 + "\n";
    return sha256_hex(canon);
}

fs::path resolve_cache(const fs::path& cache) {
    const fs::path c = cache.empty() ? cache_root() : cache;
    std::error_code ec;
    const fs::path abs = fs::absolute(c, ec);
    return (ec ? c : abs).lexically_normal();
}

fs::path dataset_dir(const fs::path& cache, const std::string& name, const std::string& hash) {
    return cache / "datasets" / (name + "-" + hash.substr(0, 12));
}

std::optional<DatasetManifest> try_read_manifest(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return std::nullopt;
    try {
        return read_manifest(dir);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<const SplitInfo*> ordered_splits(const DatasetManifest& m) {
    std::vector<const SplitInfo*> order;
    for (const char* n : {"train", "valid", "test"})
        if (const SplitInfo* s = m.split(n)) order.push_back(s);
    std::vector<const SplitInfo*> rest;
    for (const auto& s : m.splits)
        if (std::find(order.begin(), order.end(), &s) == order.end()) rest.push_back(&s);
    // "test-256" before "test-1024": compare the text before the number, then the number.
    auto key = [](const std::string& name) {
        size_t d = name.size();
        while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9') --d;
        const std::string digits = name.substr(d);
        return std::make_tuple(name.substr(0, d), digits.size(), digits);
    };
    std::stable_sort(rest.begin(), rest.end(),
                     [&](const SplitInfo* a, const SplitInfo* b) { return key(a->name) < key(b->name); });
    order.insert(order.end(), rest.begin(), rest.end());
    return order;
}

nlohmann::ordered_json done_fields(const PrepareResult& r) {
    nlohmann::ordered_json splits = nlohmann::ordered_json::object();
    for (const SplitInfo* s : ordered_splits(r.manifest)) splits[s->name] = s->count;
    return {{"dataset", r.dir.string()},
            {"cache_hit", r.cache_hit},
            {"name", r.manifest.name},
            {"kind", r.manifest.kind},
            {"splits", splits}};
}

std::string done_summary(const PrepareResult& r) {
    std::string s = (r.cache_hit ? "ready (cached): " : "ready: ") + r.manifest.name + " (";
    const char* unit = r.manifest.kind == "image" ? " images" : r.manifest.kind == "qa" ? " examples" : " tokens";
    bool first = true;
    const nlohmann::ordered_json fields = done_fields(r);
    for (const auto& [n, count] : fields["splits"].items()) {
        if (!first) s += ", ";
        first = false;
        s += n + " " + std::to_string(count.get<uint64_t>()) + unit;
    }
    return s + ")";
}

std::vector<fs::path> list_files_recursive(const fs::path& root, const std::vector<std::string>& exts) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw InputError(root.string() + ": cannot list (" + ec.message() + "); check the folder");
    for (; it != end; it.increment(ec)) {
        if (ec) throw InputError(root.string() + ": cannot list (" + ec.message() + "); check the folder");
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec)) continue;
        std::string ext = it->path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (std::find(exts.begin(), exts.end(), ext) == exts.end()) continue;
        out.push_back(it->path().lexically_relative(root));
    }
    std::sort(out.begin(), out.end(),
              [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
    return out;
}

int thread_count() {
    const unsigned hc = std::thread::hardware_concurrency();
    return hc == 0 ? 1 : static_cast<int>(std::min(hc, 64u));
}

void test_stall(std::string_view stage) {
    const char* env = std::getenv("SEQPE_DATA_TEST_STALL");
    if (!env || !*env) return;
    const std::string v(env);
    const bool hard = v == std::string(stage) + ":hard";
    if (v != stage && !hard) return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
        if (!hard) throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

CacheEntry::CacheEntry(const fs::path& cache, const std::string& name, const std::string& hash)
    : name_(name), hash_(hash), dir_(dataset_dir(cache, name, hash)) {
    cleanup_stale_temps(dir_.parent_path());
    std::error_code ec;
    existed_ = fs::exists(dir_, ec);
}

std::optional<PrepareResult> CacheEntry::lookup(bool force, Reporter& rep) const {
    if (force) return std::nullopt;
    if (auto m = try_read_manifest(dir_)) {
        rep.log("info", "cache hit: " + dir_.string());
        return PrepareResult{dir_, true, std::move(*m)};
    }
    if (existed_) rep.log("warning", dir_.string() + " is incomplete or corrupt; preparing it again");
    return std::nullopt;
}

void CacheEntry::stamp(DatasetManifest& m, const std::string& kind) const {
    m.kind = kind;
    m.name = name_;
    m.recipe_hash = hash_;
    m.created = utc_now_iso();
    m.tool_version = kToolVersion;
    m.git_commit = kGitCommit;
}

PrepareResult CacheEntry::publish(TempDir& tmp, bool force) {
    test_stall("publish");
    throw_if_cancelled();
    if (!tmp.publish(force || existed_)) {
        // Another run published the same recipe first; use it when it is sound.
        if (auto other = try_read_manifest(dir_)) return {dir_, true, std::move(*other)};
        tmp.publish(true);
    }
    // The manifest as the engine will read it (validates sizes once more).
    return {dir_, false, read_manifest(dir_)};
}

} // namespace seqpe::data
