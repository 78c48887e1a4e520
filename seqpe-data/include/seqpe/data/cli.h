#pragma once
// The command line of seqpe-data (CLI11):
//   seqpe-data text  [--source sotu|<folder>] [--tokenizer bpe|byte] [--vocab-size 4096] [--cache DIR] [--force]
//   [--json] seqpe-data qa    [--from <text dataset> | --source ... --tokenizer ... --vocab-size N] [--task
//   niah|passkey]
//                    [--train-length 256] [--lengths 256,512,...] [--train-examples 2000] [--valid-examples 100]
//                    [--test-examples 50] [--depths 0,25,50,75,100] [--distractors 3] [--seed 1] [--cache DIR]
//                    [--force] [--json]
//   seqpe-data image [--source fashion-mnist|<folder>] [--image-size N] [--cache DIR] [--force] [--json]
//   seqpe-data fetch sotu [--cache DIR] [--json]
//   seqpe-data info <dataset-dir> [--json]
#include "seqpe/data/report.h"

#include <functional>
#include <memory>
#include <string>

namespace seqpe::data {

// A parsed command, ready to run on any thread.
struct Command {
    bool json = false;                 // JSON lines on stdout
    std::function<int(Reporter&)> run; // returns the exit code; may throw (see run_command)
};

// Parses argv. On --help prints the help and sets `exit_code` 0 with an empty result; on a parse
// error prints one line (an error event in JSON mode) and sets `exit_code` 2.
std::unique_ptr<Command> parse_command_line(int argc, const char* const* argv, int& exit_code);

// Runs a command, mapping exceptions to exit codes and error events: InputError 2, Cancelled 130,
// everything else 1. Never throws.
int run_command(const Command& cmd, Reporter& rep);

} // namespace seqpe::data
