// The seqpe-data test helpers (helpers.h): scratch folders, fixtures, and running the built tool
// with pipes read through poll (optionally signalling it on a chosen output line).
#include "helpers.h"

#include "seqpe/common/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace seqpe::test {

ScratchDir::ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "seqpe-data-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path fixtures_dir() {
    if (const char* e = std::getenv("SEQPE_TEST_DATA"); e && *e) return e;
    return fs::path(SEQPE_SOURCE_DIR) / "tests" / "fixtures";
}

fs::path sotu_excerpt() {
    return fixtures_dir() / "sotu-excerpt";
}

void write_bytes(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::string read_bytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void copy_txt(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(from))
        if (e.path().extension() == ".txt") fs::copy_file(e.path(), to / e.path().filename());
}

std::vector<std::string> list_dir(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

struct Spawned {
    pid_t pid = -1;
    int out = -1;
    int err = -1;
};

Spawned spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv_s = {SEQPE_DATA_TOOL};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> env_s;
    for (const auto& [k, v] : merged) env_s.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    Spawned s;
    const int rc = posix_spawn(&s.pid, argv_s[0].c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + argv_s[0] + ": " + std::strerror(rc));
    s.out = out[0];
    s.err = err[0];
    return s;
}

void parse_lines(ToolRun& r) {
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        try {
            r.events.push_back(nlohmann::json::parse(line));
        } catch (...) {
            r.all_lines_json = false;
        }
    }
}

// Reads both pipes until EOF; `on_out_line` sees each complete stdout line.
void pump(Spawned& s, ToolRun& r, const std::function<void(const std::string&)>& on_out_line) {
    std::string partial;
    bool out_open = true, err_open = true;
    char buf[65536];
    while (out_open || err_open) {
        pollfd p[2] = {{out_open ? s.out : -1, POLLIN, 0}, {err_open ? s.err : -1, POLLIN, 0}};
        if (::poll(p, 2, 1000) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int k = 0; k < 2; ++k) {
            if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(k == 0 ? s.out : s.err, buf, sizeof buf);
            if (n <= 0) {
                (k == 0 ? out_open : err_open) = false;
                continue;
            }
            if (k == 0) {
                r.out.append(buf, size_t(n));
                partial.append(buf, size_t(n));
                size_t nl;
                while ((nl = partial.find('\n')) != std::string::npos) {
                    if (on_out_line) on_out_line(partial.substr(0, nl));
                    partial.erase(0, nl + 1);
                }
            } else {
                r.err.append(buf, size_t(n));
            }
        }
    }
    ::close(s.out);
    ::close(s.err);
    int status = 0;
    while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    parse_lines(r);
}

} // namespace

ToolRun run_tool(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    Spawned s = spawn(args, env);
    ToolRun r;
    pump(s, r, nullptr);
    return r;
}

ToolRun run_tool_and_signal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                            const std::function<bool(const nlohmann::json&)>& when, int sig, bool& signal_sent,
                            double* seconds_after_signal) {
    Spawned s = spawn(args, env);
    ToolRun r;
    signal_sent = false;
    std::chrono::steady_clock::time_point t0;
    pump(s, r, [&](const std::string& line) {
        if (signal_sent) return;
        try {
            if (when(nlohmann::json::parse(line))) {
                t0 = std::chrono::steady_clock::now();
                ::kill(s.pid, sig);
                signal_sent = true;
            }
        } catch (...) {
        }
    });
    if (seconds_after_signal && signal_sent)
        *seconds_after_signal = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

std::string expect_input_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected InputError, got: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected InputError, got success";
    return {};
}

} // namespace seqpe::test
