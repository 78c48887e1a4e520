// Paired (or Welch) comparisons of seed groups per column, Holm within each column.
#include "seqpe/comparisons.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace seqpe {

namespace {

// "runs/lm/seqpe/seed-1234" or "seed-1234" -> "seed-1234": what pairs two groups' seeds.
std::string seed_key(const std::string& run) {
    const size_t slash = run.find_last_of('/');
    return slash == std::string::npos ? run : run.substr(slash + 1);
}

bool lower_is_better(const std::string& metric) {
    return metric == "ppl";
}

std::string number(double v) {
    char b[32];
    std::snprintf(b, sizeof b, std::fabs(v) >= 100 ? "%.1f" : std::fabs(v) >= 1 ? "%.2f" : "%.3g", v);
    return b;
}

} // namespace

Comparison compare_cells(const SummaryCell& a, const SummaryCell& b) {
    std::map<std::string, double> bv;
    for (size_t i = 0; i < b.values.size() && i < b.runs.size(); ++i) bv[seed_key(b.runs[i])] = b.values[i];
    std::vector<double> pa, pb;
    for (size_t i = 0; i < a.values.size() && i < a.runs.size(); ++i)
        if (const auto it = bv.find(seed_key(a.runs[i])); it != bv.end()) {
            pa.push_back(a.values[i]);
            pb.push_back(it->second);
        }
    Comparison c = pa.size() >= 2 ? paired_t_test(pa, pb) : welch_t_test(a.values, b.values);
    if (c.test == "paired") { // the whole groups' sizes, for the record
        c.n_a = static_cast<int>(a.values.size());
        c.n_b = static_cast<int>(b.values.size());
    }
    return c;
}

std::vector<PairComparison> compare_against(const std::vector<GroupSummary>& groups, const std::string& reference) {
    std::vector<PairComparison> out;
    if (groups.empty()) return out;
    // The columns, in the order the groups list them.
    std::vector<std::tuple<std::string, int64_t, int64_t>> columns;
    for (const auto& g : groups)
        for (const auto& c : g.cells) {
            const auto key = std::make_tuple(c.mode, c.length, c.depth);
            if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
        }
    for (const auto& [mode, length, depth] : columns) {
        int ref = -1;
        for (int i = 0; i < static_cast<int>(groups.size()); ++i) {
            const SummaryCell* c = groups[static_cast<size_t>(i)].cell(mode, length, depth);
            if (!c || !std::isfinite(c->mean)) continue;
            if (!reference.empty()) {
                if (groups[static_cast<size_t>(i)].group == reference) ref = i;
                continue;
            }
            const SummaryCell* r = ref >= 0 ? groups[static_cast<size_t>(ref)].cell(mode, length, depth) : nullptr;
            const bool lower = lower_is_better(groups[static_cast<size_t>(i)].metric);
            if (!r || (lower ? c->mean < r->mean : c->mean > r->mean)) ref = i;
        }
        if (ref < 0) continue;
        const SummaryCell& rc = *groups[static_cast<size_t>(ref)].cell(mode, length, depth);
        const size_t first = out.size();
        for (int i = 0; i < static_cast<int>(groups.size()); ++i) {
            const SummaryCell* c = groups[static_cast<size_t>(i)].cell(mode, length, depth);
            if (i == ref || !c) continue;
            out.push_back({groups[static_cast<size_t>(ref)].group, groups[static_cast<size_t>(i)].group, mode, length,
                           depth, compare_cells(rc, *c)});
        }
        std::vector<double> p;
        for (size_t k = first; k < out.size(); ++k) p.push_back(out[k].stats.p);
        const std::vector<double> adj = holm_adjust(p);
        for (size_t k = first; k < out.size(); ++k) out[k].stats.p_adjusted = adj[k - first];
    }
    return out;
}

std::string comparison_line(const PairComparison& c, int64_t train_length) {
    const Comparison& s = c.stats;
    std::string at = std::to_string(c.length);
    if (train_length > 0 && c.length % train_length == 0 && c.depth < 0)
        at += " (" + std::to_string(c.length / train_length) + "x, " + c.mode + ")";
    else
        at += " (" + c.mode + (c.depth >= 0 ? ", depth " + std::to_string(c.depth) + "%" : "") + ")";
    if (s.test == "none") return c.a + " vs " + c.b + " at " + at + ": no test (" + s.why + ")";
    char p[64];
    std::snprintf(p, sizeof p, "p = %.3g, Holm %.3g", s.p, s.p_adjusted);
    return c.a +
           (s.diff < 0   ? " < "
            : s.diff > 0 ? " > "
                         : " = ") +
           c.b + " at " + at + ": " + number(s.diff) + " [" + number(s.ci95.lo) + ", " + number(s.ci95.hi) + "], " + p +
           " (" + s.test + ", " +
           (s.test == "paired" ? std::to_string(s.pairs) + " shared seeds"
                               : std::to_string(s.n_a) + " and " + std::to_string(s.n_b) + " seeds") +
           ")";
}

int clear_best_tested(const std::vector<GroupSummary>& groups, const std::string& mode, int64_t length, int64_t depth,
                      double alpha) {
    std::vector<GroupSummary> one_column = groups;
    for (auto& g : one_column)
        std::erase_if(g.cells,
                      [&](const SummaryCell& c) { return c.mode != mode || c.length != length || c.depth != depth; });
    const std::vector<PairComparison> cmp = compare_against(one_column);
    if (cmp.empty()) return -1;
    const bool lower = lower_is_better(groups.front().metric);
    for (const auto& c : cmp)
        if (!(c.stats.p_adjusted < alpha) || (lower ? c.stats.diff >= 0 : c.stats.diff <= 0)) return -1;
    for (int i = 0; i < static_cast<int>(groups.size()); ++i)
        if (groups[static_cast<size_t>(i)].group == cmp.front().a) return i;
    return -1;
}

} // namespace seqpe
