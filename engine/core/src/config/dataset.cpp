// Resolves a run's dataset by running seqpe-data as a child process and following its JSON lines.
#include "seqpe/dataset.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace seqpe {

fs::path find_data_tool() {
    if (const char* env = std::getenv("SEQPE_DATA_TOOL"); env && *env) return env;
    std::error_code ec;
    const fs::path sibling = executable_dir() / "seqpe-data";
    if (fs::exists(sibling, ec)) return sibling;
    // Build trees keep the tool in seqpe-data/ beside the other programs' folders.
    const fs::path build_sibling = executable_dir().parent_path() / "seqpe-data" / "seqpe-data";
    if (fs::exists(build_sibling, ec)) return build_sibling;
    if (const char* path = std::getenv("PATH")) {
        std::string p(path);
        size_t start = 0;
        while (start <= p.size()) {
            const size_t colon = p.find(':', start);
            const std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!dir.empty() && fs::exists(fs::path(dir) / "seqpe-data", ec)) return fs::path(dir) / "seqpe-data";
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    throw RunError("seqpe-data not found next to " + executable_dir().string() +
                   " or on PATH; build it (cmake --build build) or set SEQPE_DATA_TOOL");
}

std::vector<std::string> data_tool_args(const ResolvedConfig& c) {
    std::vector<std::string> args;
    auto join = [](const std::vector<int64_t>& v) {
        std::string out;
        for (auto x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
        return out;
    };
    if (c.task == "image") {
        args = {"image", "--source", c.data.source};
    } else if (c.task == "qa") {
        // Prompts leave room for the answer: train.seq_len is the whole sequence.
        std::vector<int64_t> lengths;
        for (const int64_t L : text_eval_lengths(c)) lengths.push_back(L - c.qa.max_new_tokens);
        args = {"qa",
                "--source",
                c.data.source,
                "--tokenizer",
                c.data.tokenizer,
                "--task",
                c.qa.task,
                "--train-length",
                std::to_string(c.train.seq_len - c.qa.max_new_tokens),
                "--lengths",
                join(lengths),
                "--train-examples",
                std::to_string(c.qa.train_examples),
                "--valid-examples",
                std::to_string(c.qa.valid_examples),
                "--test-examples",
                std::to_string(c.qa.test_examples),
                "--depths",
                join(c.qa.depths),
                "--distractors",
                std::to_string(c.qa.distractors),
                "--seed",
                std::to_string(c.qa.seed)};
        if (c.data.tokenizer == "bpe") {
            args.push_back("--vocab-size");
            args.push_back(std::to_string(c.data.vocab_size));
        }
    } else {
        args = {"text", "--source", c.data.source, "--tokenizer", c.data.tokenizer};
        if (c.data.tokenizer == "bpe") {
            args.push_back("--vocab-size");
            args.push_back(std::to_string(c.data.vocab_size));
        }
    }
    args.push_back("--json");
    return args;
}

namespace {

// Runs seqpe-data with `args` (after the tool's path), hands every JSON line of its stdout to
// `on_line`, and returns its exit code; a stop request terminates it (Cancelled). The last "error"
// event's message and whether it was bad input (exit 2) come back in `error` and `bad_input`.
int run_data_tool(const std::vector<std::string>& tool_args, const std::function<void(const nlohmann::json&)>& on_line,
                  std::stop_token stop, std::string& error, bool& bad_input) {
    const fs::path tool = find_data_tool();
    std::vector<std::string> args = tool_args;
    args.insert(args.begin(), tool.string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw RunError(errno_message("pipe"));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, tool.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        errno = rc;
        throw RunError(errno_message("cannot start " + tool.string()));
    }

    std::string buffer;
    bool cancelled = false;
    auto handle_line = [&](const std::string& line) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (...) {
            return;
        }
        if (!j.is_object()) return;
        if (j.value("event", "") == "error") {
            error = j.value("message", "");
            bad_input = j.value("exit", 1) == 2;
        }
        on_line(j);
    };
    char chunk[4096];
    while (true) {
        if (stop.stop_requested() && !cancelled) {
            ::kill(pid, SIGTERM);
            cancelled = true;
        }
        pollfd p{out[0], POLLIN, 0};
        const int pr = ::poll(&p, 1, 200);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) continue;
        const ssize_t n = ::read(out[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            handle_line(buffer.substr(0, nl));
            buffer.erase(0, nl + 1);
        }
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (cancelled) throw Cancelled();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

[[noreturn]] void throw_tool_failure(int code, const std::string& error, bool bad_input) {
    const std::string msg = error.empty() ? "seqpe-data exited with code " + std::to_string(code) : error;
    if (bad_input || code == 2) throw InputError(msg);
    throw RunError(msg);
}

} // namespace

fs::path prepare_dataset(const ResolvedConfig& c, const std::function<void(const PrepareEvent&)>& on_event,
                         std::stop_token stop) {
    if (!task_needs_dataset(c)) return {}; // the algorithmic task generates its instances
    if (!c.data.dataset_dir.empty()) return c.data.dataset_dir;
    std::string dataset, error;
    bool bad_input = false;
    const int code = run_data_tool(
        data_tool_args(c),
        [&](const nlohmann::json& j) {
            PrepareEvent e;
            e.event = j.value("event", "");
            e.stage = j.value("stage", "");
            e.message = j.value("message", "");
            e.done = j.value("done", int64_t{0});
            e.total = j.value("total", int64_t{0});
            if (e.event == "done") dataset = j.value("dataset", "");
            if (on_event) on_event(e);
        },
        stop, error, bad_input);
    if (code != 0 || dataset.empty()) throw_tool_failure(code, error, bad_input);
    return dataset;
}

std::vector<int64_t> encode_text(const fs::path& dataset_dir, const std::string& text) {
    if (text.size() > kMaxEncodeBytes)
        throw InputError("the text is " + std::to_string(text.size()) + " bytes; at most " +
                         std::to_string(kMaxEncodeBytes) + " can be tokenised at once");
    std::vector<int64_t> ids;
    bool got = false;
    std::string error;
    bool bad_input = false;
    const int code = run_data_tool(
        {"encode", dataset_dir.string(), "--text", text, "--json"},
        [&](const nlohmann::json& j) {
            if (j.value("event", "") != "tokens" || !j.contains("ids")) return;
            ids = j["ids"].get<std::vector<int64_t>>();
            got = true;
        },
        {}, error, bad_input);
    if (code != 0 || !got) throw_tool_failure(code, error, bad_input);
    return ids;
}

} // namespace seqpe
