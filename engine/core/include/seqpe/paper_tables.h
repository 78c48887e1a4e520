#pragma once
// Tables for a paper (docs/METHOD.md §14), torch-free, shared by `seqpe report` and the
// workbench's File > Export Report: one table per evaluation mode, a row per seed group, a column
// per length (or resolution), each cell the mean +- the half-width of its 95% interval (the t
// interval over the seeds; one seed: the evaluation's own bootstrap interval, marked), the best of a
// column in bold only where the tests say it is better than every other group (clear_best_tested),
// and a caption that names the setup. Markdown and LaTeX (booktabs).
#include "seqpe/comparisons.h"
#include "seqpe/config.h"

#include <optional>
#include <string>
#include <vector>

namespace seqpe {

struct TableSetup {
    std::string project;
    std::string data;      // "sotu, BPE 4096"
    std::string model;     // "2 layers, width 128, 4 heads"
    std::string training;  // "2000 steps, batch 16 x 128 tokens, lr 0.002"
    std::string precision; // what the evaluations computed in
    std::string commit;    // of the build that writes the tables
    std::vector<int64_t> seeds;
    int64_t train_length = 0;     // tokens, or pixels (image); algorithmic: the longest training instance
    int64_t train_min_length = 0; // the shortest (the others: train_length); columns in the range say (train)
    std::string task;
    std::string unit = "tokens"; // what a column's length counts: tokens, px, symbols, digits per operand, bits
    std::string trained;         // "trained at 128 tokens", "trained on lengths 1-20 symbols"
};

// The setup from a run's config (the project's runs differ only where they say so), the seeds of the
// plan and the reports' precision.
TableSetup table_setup(const std::string& project, const RunConfig& c, const std::vector<int64_t>& seeds,
                       const std::string& precision, const std::string& commit);

// The seeds a set of reported runs holds, distinct and sorted (runs without a seed add none): what
// the caption states, not what the project plans (a study still running has fewer).
std::vector<int64_t> reported_seeds(const std::vector<std::optional<int64_t>>& seeds);

// One table per mode. `figures`: files the report refers to (paths as they should appear).
std::string results_markdown(const std::vector<GroupSummary>& groups, const TableSetup& setup,
                             const std::vector<std::string>& figures = {});
std::string results_latex(const std::vector<GroupSummary>& groups, const TableSetup& setup,
                          const std::vector<std::string>& figures = {});

} // namespace seqpe
