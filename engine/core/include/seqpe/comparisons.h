#pragma once
// Which differences between seed groups hold (docs/METHOD.md §14), torch-free: in one column
// (mode, length, depth), a group against another is a paired t-test over the seeds both have (the
// same run name "seed-N": the same train.seed, data order and initial draws), else Welch's test;
// one group against all the others of a column is one family, Holm-adjusted. `seqpe compare`,
// `seqpe report` and the workbench's tables read these.
#include "seqpe/report_summary.h"
#include "seqpe/stats.h"

#include <string>
#include <vector>

namespace seqpe {

struct PairComparison {
    std::string a, b; // groups; stats.diff = mean(a) - mean(b)
    std::string mode;
    int64_t length = 0, depth = -1;
    Comparison stats;
};

// A against B in one column.
Comparison compare_cells(const SummaryCell& a, const SummaryCell& b);

// Per column, `reference` against every other group that has the column (empty reference: the
// column's best mean, lowest perplexity or highest accuracy), Holm-adjusted within the column.
std::vector<PairComparison> compare_against(const std::vector<GroupSummary>& groups, const std::string& reference = "");

// "seqpe < alibi at 2048 (16x, extend): -10.4 [-14.1, -6.7], p = 0.003, Holm 0.009 (paired, 3 seeds)".
// `<` and `>` read as "lower" and "higher" in the metric's units; the sign says which is better.
std::string comparison_line(const PairComparison& c, int64_t train_length);

// A column's clear best: the best mean group whose difference from every other group of the column
// holds at `alpha` after Holm, in its favour; -1 when none does (or fewer than 2 groups).
int clear_best_tested(const std::vector<GroupSummary>& groups, const std::string& mode, int64_t length,
                      int64_t depth = -1, double alpha = 0.05);

} // namespace seqpe
