#pragma once
// File-system helpers with the project's safety rules: every file another program may read is
// written to a temporary name and renamed into place, so readers never see half a file.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace seqpe {

namespace fs = std::filesystem;

// Writes `data` to `path` atomically: temp file in the same directory, fsync, rename.
// Throws RunError naming the path on failure; an existing file is left untouched then.
void write_file_atomic(const fs::path& path, std::string_view data);

// fsyncs a file or directory that another writer produced (torch archives), so a later rename
// publishes durable content. Throws RunError.
void fsync_path(const fs::path& path);

// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_file(const fs::path& path);

// Creates a directory and its parents; throws RunError naming it when that fails (e.g. read-only).
void make_dirs(const fs::path& dir);

// Throws InputError (the user chose the place) unless a file can be created in `dir`.
void check_writable_dir(const fs::path& dir);

// The cache root: $SEQPE_CACHE, else $XDG_CACHE_HOME/seqpe-workbench, else ~/.cache/seqpe-workbench.
fs::path cache_root();

// A unique sibling name for temporary output next to `path` (same file system, so rename works).
fs::path temp_sibling(const fs::path& path);

// The directory of the running executable (/proc/self/exe), for finding sibling programs.
fs::path executable_dir();

// Human-readable sizes and durations for progress output.
std::string human_bytes(double bytes);
std::string human_duration(double seconds);

} // namespace seqpe
