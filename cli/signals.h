#pragma once
// Ctrl-C handling: the first SIGINT/SIGTERM requests a cooperative stop (the trainer finishes its
// step and writes a checkpoint); a second one exits at once with code 130.
#include <stop_token>

namespace seqpe::cli {

// Installs the handlers; returns the token that a signal stops.
std::stop_token install_stop_signals();
bool stop_signalled();

} // namespace seqpe::cli
