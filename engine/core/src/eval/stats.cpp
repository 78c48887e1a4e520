// Statistics for comparisons: t distribution, seed summaries, paired and Welch tests, Holm, bootstrap.
#include "seqpe/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace seqpe {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_cf(double a, double b, double x) {
    constexpr double kTiny = 1e-300, kEps = 1e-16;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::abs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + aa * d;
        if (std::abs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::abs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + aa * d;
        if (std::abs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::abs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::abs(del - 1.0) < kEps) break;
    }
    return h;
}

// I_x(a, b).
double incomplete_beta(double a, double b, double x) {
    if (x <= 0) return 0.0;
    if (x >= 1) return 1.0;
    const double front =
        std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x) / a;
    return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

std::vector<double> finite(const std::vector<double>& v) {
    std::vector<double> out;
    for (const double x : v)
        if (std::isfinite(x)) out.push_back(x);
    return out;
}

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sample_var(const std::vector<double>& v, double mean) {
    if (v.size() < 2) return 0.0;
    double s = 0;
    for (const double x : v) s += (x - mean) * (x - mean);
    return s / static_cast<double>(v.size() - 1);
}

// A t statistic's test and interval from a difference, its standard error and degrees of freedom.
void finish(Comparison& c, double se) {
    if (se > 0) {
        c.t = c.diff / se;
        c.p = student_t_p_two_sided(c.t, c.df);
        const double q = student_t_quantile(0.975, c.df);
        c.ci95 = {c.diff - q * se, c.diff + q * se};
    } else { // every seed gives the same difference: no spread to test against
        c.t = c.diff == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), c.diff);
        c.p = c.diff == 0 ? 1.0 : 0.0;
        c.ci95 = {c.diff, c.diff};
        c.why = "no spread: the difference is the same in every seed";
    }
    c.p_adjusted = c.p;
}

Comparison none(const std::string& why) {
    Comparison c;
    c.test = "none";
    c.why = why;
    c.diff = c.df = c.t = c.p = c.p_adjusted = kNaN;
    c.ci95 = {kNaN, kNaN};
    return c;
}

// splitmix64: a small generator whose sequence is the same on every platform and library.
struct SplitMix {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { // uniform in [0, n) by rejection
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x;
        do x = next();
        while (x >= limit);
        return x % n;
    }
};

} // namespace

double student_t_cdf(double t, double df) {
    if (std::isnan(t) || !(df > 0)) return kNaN;
    if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
    const double tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t)); // P(T > |t|)
    return t >= 0 ? 1.0 - tail : tail;
}

double student_t_p_two_sided(double t, double df) {
    if (std::isnan(t) || !(df > 0)) return kNaN;
    if (std::isinf(t)) return 0.0;
    return std::min(1.0, incomplete_beta(df / 2.0, 0.5, df / (df + t * t)));
}

double student_t_quantile(double p, double df) {
    if (!(p > 0 && p < 1) || !(df > 0)) return kNaN;
    // Bisection on the CDF: monotone, and 200 halvings of [-1e8, 1e8] reach double precision.
    double lo = -1e8, hi = 1e8;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * std::max(1.0, std::abs(lo)); ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, df) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

SeedSummary summarize_seeds(const std::vector<double>& values) {
    SeedSummary s;
    const std::vector<double> v = finite(values);
    s.n = static_cast<int>(v.size());
    s.dropped = static_cast<int>(values.size() - v.size());
    if (v.empty()) {
        s.mean = s.sd = s.se = s.min = s.max = kNaN;
        s.ci95 = {kNaN, kNaN};
        return s;
    }
    s.mean = mean_of(v);
    s.sd = std::sqrt(sample_var(v, s.mean));
    s.min = *std::min_element(v.begin(), v.end());
    s.max = *std::max_element(v.begin(), v.end());
    if (s.n < 2) {
        s.se = kNaN;
        s.ci95 = {kNaN, kNaN};
        return s;
    }
    s.se = s.sd / std::sqrt(static_cast<double>(s.n));
    const double q = student_t_quantile(0.975, s.n - 1);
    s.ci95 = {s.mean - q * s.se, s.mean + q * s.se};
    return s;
}

Comparison paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> d;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (std::isfinite(a[i]) && std::isfinite(b[i])) d.push_back(a[i] - b[i]);
    if (d.size() < 2) return none("fewer than 2 seeds shared by both");
    Comparison c;
    c.test = "paired";
    c.n_a = c.n_b = c.pairs = static_cast<int>(d.size());
    c.diff = mean_of(d);
    c.df = static_cast<double>(d.size() - 1);
    finish(c, std::sqrt(sample_var(d, c.diff) / static_cast<double>(d.size())));
    return c;
}

Comparison welch_t_test(const std::vector<double>& a, const std::vector<double>& b) {
    const std::vector<double> x = finite(a), y = finite(b);
    if (x.size() < 2 || y.size() < 2) return none("fewer than 2 seeds on a side: no spread to test against");
    Comparison c;
    c.test = "welch";
    c.n_a = static_cast<int>(x.size());
    c.n_b = static_cast<int>(y.size());
    const double mx = mean_of(x), my = mean_of(y);
    const double va = sample_var(x, mx) / c.n_a, vb = sample_var(y, my) / c.n_b;
    c.diff = mx - my;
    const double denom = va * va / (c.n_a - 1) + vb * vb / (c.n_b - 1);
    c.df = denom > 0 ? (va + vb) * (va + vb) / denom : static_cast<double>(c.n_a + c.n_b - 2);
    finish(c, std::sqrt(va + vb));
    return c;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < p.size(); ++i)
        if (std::isfinite(p[i])) idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    std::vector<double> out(p.size(), kNaN);
    const double m = static_cast<double>(idx.size());
    double running = 0;
    for (size_t k = 0; k < idx.size(); ++k) {
        running = std::max(running, std::min(1.0, (m - static_cast<double>(k)) * p[idx[k]]));
        out[idx[k]] = running;
    }
    return out;
}

Interval bootstrap_ratio(const std::vector<double>& num, const std::vector<double>& den, int resamples, uint64_t seed,
                         double level, Transform transform) {
    const size_t n = std::min(num.size(), den.size());
    if (n < 2 || resamples < 2) return {kNaN, kNaN};
    SplitMix rng{seed};
    std::vector<double> stats;
    stats.reserve(static_cast<size_t>(resamples));
    for (int r = 0; r < resamples; ++r) {
        double sn = 0, sd = 0;
        for (size_t i = 0; i < n; ++i) {
            const size_t k = static_cast<size_t>(rng.below(n));
            sn += num[k];
            sd += den[k];
        }
        const double v = sd != 0 ? sn / sd : kNaN;
        stats.push_back(transform == Transform::Exp ? std::exp(v) : v);
    }
    std::sort(stats.begin(), stats.end());
    const double tail = (1.0 - level) / 2.0;
    const size_t lo = static_cast<size_t>(std::floor(tail * resamples));
    const size_t hi = std::min(stats.size() - 1, static_cast<size_t>(std::ceil((1.0 - tail) * resamples)) - 1);
    return {stats[lo], stats[hi]};
}

} // namespace seqpe
