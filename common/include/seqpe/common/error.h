#pragma once
// Error types shared by every program. The rule: an error the user can fix (a bad config field, a
// corrupt data file, a wrong argument) is an InputError whose message is one line naming the file or
// field and what to do; programs map it to exit code 2 and the GUI to an inline mark.
#include <stdexcept>
#include <string>

namespace seqpe {

class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Failures that are not the input's fault: I/O errors, numerical faults, internal errors.
class RunError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A stop request ended the work (Ctrl-C, the GUI's Stop); not an error.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

// Exit codes of every program (documented in `seqpe --help`).
enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitBadInput = 2, kExitCancelled = 130 };

// "what: strerror(errno)" for the current errno.
std::string errno_message(const std::string& what);

} // namespace seqpe
