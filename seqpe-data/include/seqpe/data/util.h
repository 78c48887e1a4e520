#pragma once
// Shared pieces of the data tool: cancellation, temporary output folders that become datasets
// only when complete, cache keys, names.
#include "seqpe/common/manifest.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace seqpe::data {

namespace fs = std::filesystem;

// ---- cancellation (SIGINT/SIGTERM set it; long loops poll it) ----
bool cancel_requested();
void request_cancel();
void reset_cancel(); // tests
// Throws seqpe::Cancelled when a stop was requested.
void throw_if_cancelled();

// ---- temporary output ----
// A temporary sibling folder of `final_dir` (seqpe::temp_sibling: "<final>.tmp.<pid>.<n>"). It is
// registered so the signal path can remove it, and removed by the destructor unless published.
class TempDir {
public:
    explicit TempDir(const fs::path& final_dir);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    const fs::path& final_path() const { return final_; }
    // Renames the folder to final_dir (fsyncs it first). With `replace`, an existing final_dir is
    // swapped out and deleted; without, an existing final_dir is kept and false is returned (another
    // process finished first); our folder then stays unpublished (the destructor deletes it).
    bool publish(bool replace);

private:
    fs::path final_;
    fs::path path_;
    bool published_ = false;
};

// Removes every registered TempDir folder (called from the signal path before _exit).
void remove_registered_temp_dirs() noexcept;

// Removes "<x>.tmp.<pid>.<n>" entries in `dir` whose process no longer runs (left by a killed run).
void cleanup_stale_temps(const fs::path& dir) noexcept;

// ---- names and keys ----
// A file-name-safe name: [A-Za-z0-9._-], other runs of characters become '-'; never empty.
std::string sanitize_name(std::string_view name);
// The base name of a folder as the user wrote it ("data/", "." and "/a/b/" included).
std::string folder_base_name(const fs::path& folder);

// Cache key over a canonical recipe: the lines of `recipe` (key=value), then one line per source
// "source\t<path>\t<sha256>" in path order. Returns the full sha256 hex.
std::string recipe_hash(const std::vector<std::pair<std::string, std::string>>& recipe,
                        std::vector<SourceInfo> sources);

// Absolute path of the cache root: `cache` when non-empty, else seqpe::cache_root().
fs::path resolve_cache(const fs::path& cache);

// <cache>/datasets/<name>-<hash12>
fs::path dataset_dir(const fs::path& cache, const std::string& name, const std::string& hash);

// Reads the manifest of an existing dataset folder; nullopt (and no throw) when the folder is
// missing or does not pass seqpe::read_manifest.
std::optional<DatasetManifest> try_read_manifest(const fs::path& dir);

struct PrepareResult {
    fs::path dir;
    bool cache_hit = false;
    DatasetManifest manifest;
};

class Reporter;

// One dataset of the cache, dataset_dir(cache, name, hash): every prepare function looks it up
// first and publishes its temporary folder into it last, so a recipe is prepared once and a
// dataset is either complete or absent.
class CacheEntry {
public:
    CacheEntry(const fs::path& cache, const std::string& name, const std::string& hash);
    const fs::path& dir() const { return dir_; }
    // The complete dataset (a cache hit, logged) unless `force`; nullopt: prepare it (an existing
    // folder that is incomplete or corrupt is logged as prepared again).
    std::optional<PrepareResult> lookup(bool force, Reporter& rep) const;
    // Moves `tmp` into place, replacing the folder when `force` or when it existed broken. When
    // another process published the same recipe first, its dataset is used if it is sound. A stop
    // requested before this point cancels (nothing is published).
    PrepareResult publish(TempDir& tmp, bool force);
    // The manifest's identity and provenance: kind, name, recipe hash, creation time, tool version
    // and commit.
    void stamp(DatasetManifest& m, const std::string& kind) const;

private:
    std::string name_, hash_;
    fs::path dir_;
    bool existed_ = false;
};

// The splits of a manifest in display order: train, valid, test, then the others by name with
// numeric suffixes compared as numbers (test-256 before test-1024).
std::vector<const SplitInfo*> ordered_splits(const DatasetManifest& m);

// The done-event fields of a prepared dataset (dataset, cache_hit, name, kind, splits{name: count}).
nlohmann::ordered_json done_fields(const PrepareResult& r);
std::string done_summary(const PrepareResult& r);

// Files under `root` (recursively) whose extension, lower-cased, is in `exts` (".txt"), as paths
// relative to root, sorted by their generic string. Hidden files and folders are skipped.
std::vector<fs::path> list_files_recursive(const fs::path& root, const std::vector<std::string>& exts);

// Worker threads for parallel loops: the hardware concurrency, 1..64.
int thread_count();

// Runs fn(i) for i in [0, n) on all cores; the first exception stops the others and is rethrown.
template <class Fn> void parallel_for(size_t n, Fn fn) {
    const size_t workers = std::min<size_t>(static_cast<size_t>(thread_count()), n);
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mu;
    auto body = [&] {
        while (!failed.load()) {
            const size_t i = next.fetch_add(1);
            if (i >= n) break;
            try {
                fn(i);
            } catch (...) {
                std::lock_guard lock(error_mu);
                if (!error) error = std::current_exception();
                failed.store(true);
            }
        }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) pool.emplace_back(body);
    body();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

// A testing hook: when the environment variable SEQPE_DATA_TEST_STALL equals `stage` (or
// "<stage>:hard"), waits here up to 60 s: polling the cancel flag, or (":hard") ignoring it, to
// model a step that cannot be interrupted. Does nothing otherwise.
void test_stall(std::string_view stage);

} // namespace seqpe::data
