// Terminal progress bar and JSON-lines output of the CLI.
#include "console.h"

#include "seqpe/common/files.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace seqpe::cli {

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

static double seconds(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

static void print_json(const nlohmann::ordered_json& j) {
    // Invalid UTF-8 anywhere in a message is replaced, never an encoder exception (exit 1).
    std::fputs((j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n").c_str(), stdout);
    std::fflush(stdout);
}

void Console::finish_bar() {
    if (bar_open_) {
        std::fputs("\n", stderr);
        bar_open_ = false;
    }
}

void Console::begin_run(const std::string& name, const std::string& dir, int64_t start_step, int64_t total_steps) {
    std::lock_guard lk(mu_);
    run_ = name;
    total_ = total_steps;
    start_step_ = start_step;
    t0_ = std::chrono::steady_clock::now();
    ema_n_ = 0;
    last_draw_ = -1;
    last_eval_.clear();
    if (json_) {
        print_json({{"kind", "run"}, {"run", name}, {"dir", dir}, {"step", start_step}, {"total_steps", total_steps}});
    } else {
        std::fprintf(stderr, "run %s -> %s%s\n", name.c_str(), dir.c_str(),
                     start_step > 0 ? (" (resuming at step " + std::to_string(start_step) + ")").c_str() : "");
    }
}

void Console::end_run(const std::string& name, const RunResult& r) {
    std::lock_guard lk(mu_);
    if (json_) {
        print_json({{"kind", "done"},
                    {"run", name},
                    {"outcome", run_outcome_name(r.outcome)},
                    {"step", r.step},
                    {"message", r.message}});
        return;
    }
    finish_bar();
    std::fprintf(stderr, "run %s: %s at step %lld%s%s\n", name.c_str(), run_outcome_name(r.outcome),
                 static_cast<long long>(r.step), r.message.empty() ? "" : ": ", r.message.c_str());
}

void Console::draw_bar(const Record& r) {
    const double loss = r.get("loss").value_or(NAN);
    const double rate = r.get("tokens_per_s").value_or(0);
    // Smoothed numbers keep the line readable at high step rates (bias-corrected EMA).
    const double a = 0.9;
    ++ema_n_;
    ema_loss_ = a * ema_loss_ + (1 - a) * loss;
    ema_rate_ = a * ema_rate_ + (1 - a) * rate;
    const double corr = 1.0 - std::pow(a, static_cast<double>(ema_n_));
    const double t = seconds(t0_);
    if (r.step < total_ && t - last_draw_ < 0.1) return; // at most 10 redraws per second
    last_draw_ = t;
    const double done_frac = total_ > 0 ? static_cast<double>(r.step) / static_cast<double>(total_) : 0;
    const int width = 24;
    std::string bar(static_cast<size_t>(width), ' ');
    for (int i = 0; i < static_cast<int>(done_frac * width + 0.5) && i < width; ++i) bar[static_cast<size_t>(i)] = '#';
    const int64_t steps_done = r.step - start_step_;
    const double eta = steps_done > 0 ? t / static_cast<double>(steps_done) * static_cast<double>(total_ - r.step) : -1;
    std::fprintf(stderr, "\r%s [%s] %lld/%lld loss %.4f %s tok/s ETA %s%s\033[K", run_.c_str(), bar.c_str(),
                 static_cast<long long>(r.step), static_cast<long long>(total_), ema_loss_ / corr,
                 std::to_string(static_cast<long long>(ema_rate_ / corr)).c_str(), human_duration(eta).c_str(),
                 last_eval_.c_str());
    std::fflush(stderr);
    bar_open_ = true;
}

void Console::on_record(const Record& r) {
    std::lock_guard lk(mu_);
    if (json_) {
        auto j = nlohmann::ordered_json::parse(record_to_json(r));
        nlohmann::ordered_json out;
        out["kind"] = j["kind"];
        out["run"] = run_;
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key() != "kind") out[it.key()] = it.value();
        print_json(out);
        return;
    }
    if (r.kind == "train") {
        draw_bar(r);
    } else if (r.kind == "eval") {
        char buf[128];
        if (auto ppl = r.get("ppl"))
            std::snprintf(buf, sizeof buf, " | valid ppl %.2f", *ppl);
        else if (auto acc = r.get("accuracy"))
            std::snprintf(buf, sizeof buf, " | valid acc %.2f%%", 100 * *acc);
        else
            std::snprintf(buf, sizeof buf, " | valid loss %.4f", r.get("loss").value_or(NAN));
        last_eval_ = buf;
    }
}

void Console::on_log(LogLevel level, const std::string& text) {
    std::lock_guard lk(mu_);
    if (json_) {
        print_json({{"kind", "log"}, {"run", run_}, {"level", log_level_name(level)}, {"message", text}});
        return;
    }
    if (level == LogLevel::Debug) return;
    finish_bar();
    std::fprintf(stderr, "%s%s\n",
                 level == LogLevel::Error     ? "error: "
                 : level == LogLevel::Warning ? "warning: "
                                              : "",
                 text.c_str());
}

void Console::on_status(const RunStatus& s) {
    std::lock_guard lk(mu_);
    if (json_)
        print_json({{"kind", "status"},
                    {"run", run_},
                    {"state", run_state_name(s.state)},
                    {"step", s.step},
                    {"message", s.message}});
}

void Console::event(const std::string& kind, const std::string& message) {
    std::lock_guard lk(mu_);
    if (json_) {
        print_json({{"kind", kind}, {"message", message}});
        return;
    }
    finish_bar();
    std::fprintf(stderr, "%s\n", message.c_str());
}

void Console::error(const std::string& message) {
    std::lock_guard lk(mu_);
    if (json_) {
        print_json({{"kind", "error"}, {"message", message}});
        return;
    }
    finish_bar();
    std::string m = message;
    while (!m.empty() && m.back() == '\n') m.pop_back();
    std::fprintf(stderr, "seqpe: error: %s\n", m.c_str());
}

} // namespace seqpe::cli
