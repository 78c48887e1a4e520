#pragma once
// Helpers of the seqpe-data tests: private temporary folders, fixtures, running the built tool.
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seqpe::test {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR, removed with everything in it at the end of the test.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& p) const { return path_ / p; }

private:
    fs::path path_;
};

fs::path fixtures_dir(); // tests/fixtures
fs::path sotu_excerpt(); // tests/fixtures/sotu-excerpt
void write_bytes(const fs::path& p, const std::string& bytes);
std::string read_bytes(const fs::path& p);
// Copies the .txt files of a fixture folder (so a test may modify them).
void copy_txt(const fs::path& from, const fs::path& to);
// Entries of a folder (names), sorted; empty when it does not exist.
std::vector<std::string> list_dir(const fs::path& dir);

// The message of the InputError `f` throws; a test failure and "" when it throws anything else or
// nothing.
std::string expect_input_error(const std::function<void()>& f);

struct ToolRun {
    int exit_code = -1;
    std::string out;
    std::string err;
    std::vector<nlohmann::json> events; // stdout lines parsed as JSON (non-JSON lines make the run fail a check)
    bool all_lines_json = true;
};

// Runs the built seqpe-data with `args`; `env` adds or replaces environment variables.
// stdout and stderr are pipes (not terminals).
ToolRun run_tool(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

// Starts the tool, reads its stdout until a JSON line satisfies `when`, sends `sig`, and collects
// the rest. `signal_sent` says whether the line was seen.
ToolRun run_tool_and_signal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                            const std::function<bool(const nlohmann::json&)>& when, int sig, bool& signal_sent,
                            double* seconds_after_signal = nullptr);

} // namespace seqpe::test
