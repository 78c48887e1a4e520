#pragma once
// The tiny project (projects/tiny.json on the committed corpus excerpt) copied into a scratch
// folder, so that tests write their runs and dataset cache there, never into the source tree or
// the user's cache. Standard library only: engine, CLI, reliability and app tests share it.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace seqpe::test {

// `steps` > 0 replaces the project's train.steps (20). Sets SEQPE_CACHE and SEQPE_DATA_TOOL (the
// seqpe-data of this build tree) unless the caller's environment has them.
inline std::filesystem::path make_tiny_project(const std::string& tag, long steps = 0) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("seqpe-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "projects");
    fs::create_directories(dir / "tests/fixtures");
    fs::copy(fs::path(SEQPE_SOURCE_DIR) / "tests/fixtures/sotu-excerpt", dir / "tests/fixtures/sotu-excerpt");
    std::ifstream in(fs::path(SEQPE_SOURCE_DIR) / "projects/tiny.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (steps > 0) {
        const std::string key = "\"steps\": 20";
        text.replace(text.find(key), key.size(), "\"steps\": " + std::to_string(steps));
    }
    std::ofstream(dir / "projects/tiny.json") << text;
    const char* cache = std::getenv("SEQPE_CACHE");
    if (!cache || !*cache) ::setenv("SEQPE_CACHE", (dir / "cache").c_str(), 1);
    // A build without the data tool (the tsan preset) is handed one by scripts/sanitize.sh.
    const char* tool = std::getenv("SEQPE_DATA_TOOL");
    if (!tool || !*tool) ::setenv("SEQPE_DATA_TOOL", (fs::path(SEQPE_BINARY_DIR) / "seqpe-data/seqpe-data").c_str(), 1);
    return dir;
}

} // namespace seqpe::test
