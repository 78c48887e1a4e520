// JSON-lines / human progress output.
#include "seqpe/data/report.h"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace seqpe::data {

namespace {
std::ostream& null_stream() {
    static std::ostringstream sink; // never written: Quiet mode writes nothing
    return sink;
}
} // namespace

Reporter::Reporter(OutputMode mode, std::ostream& out, std::ostream& err, bool err_is_tty)
    : mode_(mode), out_(&out), err_(&err), err_is_tty_(err_is_tty) {}

Reporter::Reporter() : mode_(OutputMode::Quiet), out_(&null_stream()), err_(&null_stream()), err_is_tty_(false) {}

std::string Reporter::last_stage() const {
    std::lock_guard lock(mu_);
    return last_stage_;
}

void Reporter::emit(const nlohmann::ordered_json& j) {
    // error_handler::replace: a stray invalid byte in a message must not throw here.
    *out_ << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    out_->flush();
}

void Reporter::end_progress_line() {
    if (progress_line_open_) {
        *err_ << '\n';
        progress_line_open_ = false;
    }
}

void Reporter::stage(std::string_view stage, std::string_view message) {
    std::lock_guard lock(mu_);
    ++events_;
    last_stage_ = std::string(stage);
    progress_stage_.clear();
    if (mode_ == OutputMode::Json) {
        emit({{"event", "stage"}, {"stage", stage}, {"message", message}});
    } else if (mode_ == OutputMode::Human) {
        end_progress_line();
        *err_ << "seqpe-data: " << message << std::endl;
    }
}

void Reporter::progress(std::string_view stage, uint64_t done, uint64_t total) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    const bool new_stage = progress_stage_ != stage;
    if (!new_stage && done < progress_done_) return; // workers may report out of order
    const bool edge = done == 0 || done >= total || new_stage;
    std::chrono::milliseconds every(100);
    if (mode_ == OutputMode::Human) every = std::chrono::milliseconds(err_is_tty_ ? 250 : 5000);
    if (!edge && now - last_progress_ < every) return;
    last_progress_ = now;
    progress_stage_ = std::string(stage);
    progress_done_ = done;
    ++events_;
    if (mode_ == OutputMode::Json) {
        emit({{"event", "progress"}, {"stage", stage}, {"done", done}, {"total", total}});
    } else if (mode_ == OutputMode::Human) {
        char pct[16] = "";
        if (total > 0) std::snprintf(pct, sizeof pct, " (%.0f%%)", 100.0 * double(done) / double(total));
        if (err_is_tty_) {
            *err_ << "\r  " << stage << ' ' << done << '/' << total << pct << "   " << std::flush;
            progress_line_open_ = true;
            if (done >= total) end_progress_line();
        } else {
            *err_ << "  " << stage << ' ' << done << '/' << total << pct << std::endl;
        }
    }
}

void Reporter::log(std::string_view level, std::string_view message) {
    std::lock_guard lock(mu_);
    ++events_;
    if (mode_ == OutputMode::Json) {
        emit({{"event", "log"}, {"level", level}, {"message", message}});
    } else if (mode_ == OutputMode::Human) {
        end_progress_line();
        *err_ << "seqpe-data: " << (level == "info" ? "" : std::string(level) + ": ") << message << std::endl;
    }
}

void Reporter::done(nlohmann::ordered_json fields, const std::string& human_path, const std::string& human_summary) {
    std::lock_guard lock(mu_);
    ++events_;
    if (mode_ == OutputMode::Json) {
        nlohmann::ordered_json j = {{"event", "done"}};
        for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
        emit(j);
    } else if (mode_ == OutputMode::Human) {
        end_progress_line();
        if (!human_summary.empty()) *err_ << "seqpe-data: " << human_summary << std::endl;
        *out_ << human_path << std::endl;
    }
}

void Reporter::error(std::string_view message, int exit_code) {
    std::lock_guard lock(mu_);
    write_error(message, exit_code);
}

bool Reporter::try_error(std::string_view message, int exit_code, std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_, std::defer_lock);
    if (!lock.try_lock_for(wait)) return false;
    write_error(message, exit_code);
    return true;
}

void Reporter::write_error(std::string_view message, int exit_code) {
    ++events_;
    if (mode_ == OutputMode::Json) {
        emit({{"event", "error"}, {"message", message}, {"exit", exit_code}});
    } else if (mode_ == OutputMode::Human) {
        end_progress_line();
        *err_ << "seqpe-data: error: " << message << std::endl;
    }
}

void Reporter::print_json(const nlohmann::ordered_json& j) {
    std::lock_guard lock(mu_);
    ++events_;
    if (mode_ != OutputMode::Quiet) emit(j);
}

void Reporter::print_text(const std::string& text) {
    std::lock_guard lock(mu_);
    ++events_;
    if (mode_ != OutputMode::Quiet) {
        *out_ << text;
        out_->flush();
    }
}

} // namespace seqpe::data
