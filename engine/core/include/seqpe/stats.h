#pragma once
// Statistics for comparisons a reviewer accepts (docs/METHOD.md §14), torch-free: Student's t
// distribution, mean with a t interval over seeds, the paired t-test (seeds that share train.seed:
// same data order and initial draws), Welch's t-test when seeds are not shared, Holm's correction
// for the number of comparisons shown, and a percentile bootstrap over evaluation windows (one
// run's measurement error). NaN values are left out and counted; too little data gives NaN
// intervals and p-values with a reason, never a made-up number.
#include <cstdint>
#include <string>
#include <vector>

namespace seqpe {

// Student's t with `df` degrees of freedom: P(T <= t), and the quantile q with P(T <= q) = p.
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);
// Two-sided p-value of an observed t.
double student_t_p_two_sided(double t, double df);

struct Interval {
    double lo = 0, hi = 0; // NaN when it cannot be computed
};

// A set of seeds' values: n (NaN left out; `dropped` counts them), mean, sample sd (n - 1),
// standard error, min-max and the t-based 95% interval of the mean (NaN for n < 2: one seed says
// nothing about the spread between seeds).
struct SeedSummary {
    int n = 0, dropped = 0;
    double mean = 0, sd = 0, se = 0, min = 0, max = 0;
    Interval ci95;
};
SeedSummary summarize_seeds(const std::vector<double>& values);

// A comparison of A and B: diff = mean(A) - mean(B) with its 95% interval and two-sided p-value.
struct Comparison {
    std::string test; // "paired" (same seeds), "welch" (independent), or "none"
    std::string why;  // when "none": what is missing ("one seed each", ...)
    int n_a = 0, n_b = 0, pairs = 0;
    double diff = 0, df = 0, t = 0, p = 0; // NaN for "none"
    Interval ci95;
    double p_adjusted = 0; // after holm_adjust over the family it belongs to (p until then)
};
// Paired: a[i] and b[i] come from the same seed; pairs with a NaN on either side are left out.
Comparison paired_t_test(const std::vector<double>& a, const std::vector<double>& b);
// Welch's unequal-variance test (Welch-Satterthwaite degrees of freedom).
Comparison welch_t_test(const std::vector<double>& a, const std::vector<double>& b);
// Holm's step-down adjustment of a family of p-values (NaN ones are skipped and stay NaN):
// adjusted p_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)) over the sorted p-values, m = the number
// of finite ones. Rejecting where adjusted < alpha controls the family-wise error at alpha.
std::vector<double> holm_adjust(const std::vector<double>& p);

// Percentile bootstrap of a ratio of sums, sum(num[i]) / sum(den[i]), resampling the items (the
// evaluation windows of a length, or images) with replacement `resamples` times from `seed`, then
// mapped by `transform` (exp for perplexity from NLL per token). The interval holds `level` of the
// resampled statistics (0.95: the 2.5th and 97.5th percentiles). NaN with fewer than 2 items.
enum class Transform { Identity, Exp };
Interval bootstrap_ratio(const std::vector<double>& num, const std::vector<double>& den, int resamples, uint64_t seed,
                         double level = 0.95, Transform transform = Transform::Identity);

} // namespace seqpe
