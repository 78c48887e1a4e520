// Names of log levels and outcomes, and the one mapping from exceptions to a run's outcome.
#include "seqpe/trainer.h"

#include "seqpe/common/error.h"

#include <exception>

namespace seqpe {

const char* log_level_name(LogLevel l) {
    switch (l) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warning:
        return "warning";
    case LogLevel::Error:
        return "error";
    }
    return "info";
}

const char* run_outcome_name(RunOutcome o) {
    switch (o) {
    case RunOutcome::Completed:
        return "completed";
    case RunOutcome::Cancelled:
        return "cancelled";
    case RunOutcome::Failed:
        return "failed";
    }
    return "failed";
}

bool evaluates_after_training(const RunConfig& c, RunOutcome o, bool distributed) {
    return o == RunOutcome::Completed && c.eval.after_training && !distributed;
}

RunResult run_result_of_current_exception(const std::string& cancelled_message) {
    RunResult r;
    r.outcome = RunOutcome::Failed;
    try {
        throw;
    } catch (const Cancelled&) {
        r.outcome = RunOutcome::Cancelled;
        r.message = cancelled_message;
    } catch (const InputError& e) {
        r.bad_input = true;
        r.message = e.what();
    } catch (const std::exception& e) {
        r.message = e.what();
    } catch (...) {
        r.message = "unknown error";
    }
    return r;
}

int exit_code_of(const RunResult& r) {
    switch (r.outcome) {
    case RunOutcome::Completed:
        return kExitOk;
    case RunOutcome::Cancelled:
        return kExitCancelled;
    case RunOutcome::Failed:
        return r.bad_input ? kExitBadInput : kExitFailed;
    }
    return kExitFailed;
}

} // namespace seqpe
