#pragma once
// Progress and result output of seqpe-data. Two forms:
//   JSON lines (--json, or stdout is not a terminal): one object per event on stdout, flushed:
//     {"event":"stage","stage":"split","message":"..."}
//     {"event":"progress","stage":"encode","done":10,"total":233}
//     {"event":"log","level":"info","message":"..."}
//     {"event":"done","dataset":"/abs/path","cache_hit":true,"name":"...","kind":"text","splits":{...}}
//     {"event":"error","message":"...","exit":2}
//   human: progress on stderr, the dataset path alone on stdout.
// The engine (engine/core/src/config/dataset.cpp) follows the JSON form. Thread-safe.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace seqpe::data {

enum class OutputMode { Json, Human, Quiet };

class Reporter {
public:
    // `out` receives JSON lines (Json) or the result path (Human); `err` the human progress.
    Reporter(OutputMode mode, std::ostream& out, std::ostream& err, bool err_is_tty = false);
    // Quiet reporter (tests): nothing is written; events are still counted.
    Reporter();

    OutputMode mode() const { return mode_; }

    void stage(std::string_view stage, std::string_view message);
    // Throttled: the first and last (done == total) events always go out, the others at most
    // every 100 ms per stage (human mode: every 250 ms on a terminal, 5 s otherwise).
    void progress(std::string_view stage, uint64_t done, uint64_t total);
    void log(std::string_view level, std::string_view message);
    // `fields` is an object; "event":"done" is added. Human mode prints `human_path` on stdout and
    // `human_summary` on stderr.
    void done(nlohmann::ordered_json fields, const std::string& human_path, const std::string& human_summary);
    void error(std::string_view message, int exit_code);
    // As error(), but gives up after `wait` when another thread holds the output (signal path).
    bool try_error(std::string_view message, int exit_code, std::chrono::milliseconds wait);
    // Raw JSON object on one line (info --json), or text on stdout (human).
    void print_json(const nlohmann::ordered_json& j);
    void print_text(const std::string& text);

    // Counters for tests.
    uint64_t events() const { return events_; }
    std::string last_stage() const;

private:
    void emit(const nlohmann::ordered_json& j);
    void end_progress_line();
    void write_error(std::string_view message, int exit_code); // mu_ held

    OutputMode mode_;
    std::ostream* out_;
    std::ostream* err_;
    bool err_is_tty_;
    mutable std::timed_mutex mu_;
    uint64_t events_ = 0;
    std::string last_stage_;
    std::string progress_stage_;
    uint64_t progress_done_ = 0;
    std::chrono::steady_clock::time_point last_progress_{};
    bool progress_line_open_ = false;
};

} // namespace seqpe::data
