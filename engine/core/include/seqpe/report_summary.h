#pragma once
// Evaluation reports of runs that differ only by seed, summarised per group (torch-free): for each
// evaluated (mode, length, depth) the mean, sample standard deviation and min-max over the seeds,
// beside the per-seed values. `seqpe compare` and the workbench's bands read the same numbers.
#include "seqpe/evaluate.h"
#include "seqpe/stats.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

// Mean, sample standard deviation (n - 1; 0 for one value) and min-max of a set of values, the one
// definition behind `seqpe compare`'s summary and the workbench's seed bands. All NaN when empty.
struct Spread {
    double mean = 0, sd = 0, min = 0, max = 0;
};
Spread spread_of(const std::vector<double>& values);

// An interval of `metric`'s values cut at what the metric can be: accuracy and exact match in
// [0, 1], perplexity (and word perplexity) at least 1, loss and bits per byte at least 0. A t interval over a few seeds
// can pass them (three seeds at 0%, 100%, 100%: 66.7 ± 143); the tables and the bands show the cut interval. NaN bounds
// stay NaN.
Interval within_metric_range(Interval i, const std::string& metric);

struct SummaryCell {
    std::string mode;
    int64_t length = 0;
    int64_t depth = -1;
    std::vector<double> values;    // one per run of the group, in the order given (ppl, or accuracy in [0, 1])
    std::vector<std::string> runs; // the run each value comes from
    std::vector<Interval> run_ci;  // each run's own evaluation interval (bootstrap over windows)
    double mean = 0, sd = 0, min = 0, max = 0; // sd: sample standard deviation (n - 1); 0 for one value
    // The t-based 95% interval of the mean over the seeds and its standard error (NaN for one seed);
    // NaN values (a diverged run) are left out of every statistic and counted in `dropped`.
    Interval ci95{std::nan(""), std::nan("")};
    double se = std::nan("");
    int dropped = 0;
    size_t n() const { return values.size(); }
};

struct GroupSummary {
    std::string group; // "seqpe", "seqpe/lr=0.001"
    std::string encoding;
    std::string metric;             // "ppl" (lower is better) | "accuracy" | "em"
    std::vector<SummaryCell> cells; // in the order the first report lists its rows
    const SummaryCell* cell(const std::string& mode, int64_t length, int64_t depth = -1) const;
};

// `reports`: (group, report) pairs, several per group when a project has seeds.
std::vector<GroupSummary> summarise_by_group(const std::vector<std::pair<std::string, EvalReport>>& reports);

// The group whose mean is best in this column when its lead over the runner-up is larger than the
// spread (max - min) of both; -1 when no group leads by more than the seeds vary (or fewer than 2).
// The rule of earlier sessions, kept for comparison; `seqpe compare` decides by clear_best_tested
// (seqpe/comparisons.h).
int clear_best(const std::vector<GroupSummary>& groups, const std::string& mode, int64_t length, int64_t depth = -1);

} // namespace seqpe
