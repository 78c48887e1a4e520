#pragma once
// Output of the CLI. On a terminal: a progress bar with rate and ETA on stderr and readable log
// lines. Otherwise (or with --json): one JSON object per line on stdout, the same records that go
// to metrics.jsonl plus {"kind":"log"}, {"kind":"status"}, {"kind":"run"} and {"kind":"done"}.
#include "seqpe/trainer.h"

#include <chrono>
#include <mutex>
#include <string>

namespace seqpe::cli {

bool stdout_is_terminal();

class Console : public Observer {
public:
    explicit Console(bool json) : json_(json) {}
    bool json() const { return json_; }

    void on_record(const Record& r) override;
    void on_log(LogLevel level, const std::string& text) override;
    void on_status(const RunStatus& s) override;

    void begin_run(const std::string& name, const std::string& dir, int64_t start_step, int64_t total_steps);
    void end_run(const std::string& name, const RunResult& r);
    // A JSON line (json mode) or a plain line on stderr.
    void event(const std::string& kind, const std::string& message);
    void error(const std::string& message); // "seqpe: error: ..." (or a JSON error line)
    void finish_bar();                      // ends the progress line before other output

private:
    void draw_bar(const Record& r);
    bool json_;
    std::mutex mu_;
    std::string run_;
    int64_t total_ = 0, start_step_ = 0;
    std::chrono::steady_clock::time_point t0_{};
    bool bar_open_ = false;
    double ema_loss_ = 0, ema_rate_ = 0;
    int64_t ema_n_ = 0;
    double last_draw_ = -1;
    std::string last_eval_;
};

} // namespace seqpe::cli
