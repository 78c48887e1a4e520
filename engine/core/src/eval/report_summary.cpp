// Seed groups: mean, sd and min-max per evaluated column; the clear best of a column.
#include "seqpe/report_summary.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace seqpe {

Spread spread_of(const std::vector<double>& values) {
    if (values.empty()) return {std::nan(""), std::nan(""), std::nan(""), std::nan("")};
    const double n = static_cast<double>(values.size());
    Spread s;
    for (double v : values) s.mean += v;
    s.mean /= n;
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.sd = values.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    s.min = *lo;
    s.max = *hi;
    return s;
}

const SummaryCell* GroupSummary::cell(const std::string& mode, int64_t length, int64_t depth) const {
    for (const auto& c : cells)
        if (c.mode == mode && c.length == length && c.depth == depth) return &c;
    return nullptr;
}

Interval within_metric_range(Interval i, const std::string& metric) {
    const bool ppl = metric == "ppl" || metric == "word_ppl";
    const bool fraction = metric == "em" || metric == "accuracy";
    const double lo = ppl ? 1.0 : 0.0, hi = fraction ? 1.0 : INFINITY; // loss, bits per byte: >= 0
    if (std::isfinite(i.lo) && i.lo < lo) i.lo = lo;
    if (std::isfinite(i.hi) && i.hi > hi) i.hi = hi;
    return i;
}

std::vector<GroupSummary> summarise_by_group(const std::vector<std::pair<std::string, EvalReport>>& reports) {
    std::vector<GroupSummary> out;
    std::map<std::string, size_t> index;
    for (const auto& [group, rep] : reports) {
        auto [it, fresh] = index.emplace(group, out.size());
        if (fresh) out.push_back({group, rep.encoding, rep.metric, {}});
        GroupSummary& g = out[it->second];
        for (const auto& row : rep.rows) {
            SummaryCell* c = nullptr;
            for (auto& x : g.cells)
                if (x.mode == row.mode && x.length == row.length && x.depth == row.depth) c = &x;
            if (!c) {
                g.cells.push_back({row.mode, row.length, row.depth, {}, {}, {}});
                c = &g.cells.back();
            }
            c->values.push_back(rep.metric == "ppl" ? row.ppl : row.accuracy);
            c->runs.push_back(rep.run);
            c->run_ci.push_back({row.lo, row.hi});
        }
    }
    for (auto& g : out)
        for (auto& c : g.cells) {
            const SeedSummary s = summarize_seeds(c.values); // NaN values left out and counted
            c.mean = s.mean;
            c.sd = s.n > 1 ? s.sd : (s.n == 1 ? 0.0 : std::nan(""));
            c.min = s.min;
            c.max = s.max;
            c.ci95 = s.ci95;
            c.se = s.se;
            c.dropped = s.dropped;
        }
    return out;
}

int clear_best(const std::vector<GroupSummary>& groups, const std::string& mode, int64_t length, int64_t depth) {
    int best = -1, second = -1;
    auto better = [&](const SummaryCell& a, const SummaryCell& b, const std::string& metric) {
        return metric == "ppl" ? a.mean < b.mean : a.mean > b.mean;
    };
    for (int i = 0; i < static_cast<int>(groups.size()); ++i) {
        const SummaryCell* c = groups[static_cast<size_t>(i)].cell(mode, length, depth);
        if (!c) continue;
        const std::string& metric = groups[static_cast<size_t>(i)].metric;
        if (best < 0 || better(*c, *groups[static_cast<size_t>(best)].cell(mode, length, depth), metric)) {
            second = best;
            best = i;
        } else if (second < 0 || better(*c, *groups[static_cast<size_t>(second)].cell(mode, length, depth), metric)) {
            second = i;
        }
    }
    if (best < 0 || second < 0) return -1;
    const SummaryCell& b = *groups[static_cast<size_t>(best)].cell(mode, length, depth);
    const SummaryCell& s = *groups[static_cast<size_t>(second)].cell(mode, length, depth);
    const double lead = std::fabs(b.mean - s.mean);
    return lead > b.max - b.min && lead > s.max - s.min ? best : -1;
}

} // namespace seqpe
