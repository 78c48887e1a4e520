// Markdown and LaTeX tables of seed groups: mean +- interval, tested bold, setup caption.
#include "seqpe/paper_tables.h"

#include "seqpe/algorithmic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace seqpe {

namespace {

struct Column {
    std::string mode;
    int64_t length = 0;
};

std::vector<std::string> modes_of(const std::vector<GroupSummary>& groups) {
    std::vector<std::string> out;
    for (const auto& g : groups)
        for (const auto& c : g.cells)
            if (c.depth < 0 && std::find(out.begin(), out.end(), c.mode) == out.end()) out.push_back(c.mode);
    return out;
}

std::vector<int64_t> lengths_of(const std::vector<GroupSummary>& groups, const std::string& mode) {
    std::vector<int64_t> out;
    for (const auto& g : groups)
        for (const auto& c : g.cells)
            if (c.depth < 0 && c.mode == mode && std::find(out.begin(), out.end(), c.length) == out.end())
                out.push_back(c.length);
    std::sort(out.begin(), out.end());
    return out;
}

double shown(double v, const std::string& metric) {
    return metric == "ppl" ? v : 100.0 * v; // accuracy and exact match in percent
}

std::string fixed(double v, int decimals) {
    char b[48];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return b;
}

// "52.97 ± 1.37" (markdown) or "$52.97 \pm 1.37$" (latex); one seed: the evaluation's interval,
// marked with a dagger; no interval at all: the mean alone.
struct Cell {
    std::string mean, half;
    std::string lo, hi;  // instead of the half-width: a seed interval cut at the metric's range
    bool single = false; // the half-width is the evaluation's bootstrap, not the seeds'
};

Cell cell_of(const SummaryCell& c, const std::string& metric) {
    Cell out;
    const int dec = 1;
    out.mean = fixed(shown(c.mean, metric), dec);
    if (std::isfinite(c.ci95.lo)) {
        // A t interval over a few bimodal seeds can pass 0% or 100% (or a perplexity of 1): then the
        // cell shows the interval cut at the metric's range, [lo, hi], not a symmetric ± that
        // claims impossible values.
        const Interval cut = within_metric_range(c.ci95, metric);
        if (cut.lo != c.ci95.lo || cut.hi != c.ci95.hi) {
            out.lo = fixed(shown(cut.lo, metric), dec);
            out.hi = fixed(shown(cut.hi, metric), dec);
        } else {
            out.half = fixed(shown((c.ci95.hi - c.ci95.lo) / 2.0, metric), dec);
        }
    } else if (c.n() == 1 && !c.run_ci.empty() && std::isfinite(c.run_ci.front().lo)) {
        out.half = fixed(shown((c.run_ci.front().hi - c.run_ci.front().lo) / 2.0, metric), dec);
        out.single = true;
    }
    return out;
}

// Whether group `g` has a value at any of `lengths` in `mode` (a row of only dashes is left out).
bool evaluated_in(const GroupSummary& g, const std::string& mode, const std::vector<int64_t>& lengths) {
    return std::any_of(lengths.begin(), lengths.end(), [&](int64_t l) { return g.cell(mode, l) != nullptr; });
}

std::string latex_escape(const std::string& s) {
    std::string out;
    for (const char ch : s) {
        if (ch == '_' || ch == '%' || ch == '&' || ch == '#' || ch == '$') out += '\\';
        out += ch;
    }
    return out;
}

std::string seeds_text(const std::vector<int64_t>& seeds) {
    if (seeds.empty()) return "one seed";
    std::string s = std::to_string(seeds.size()) + " seed" + (seeds.size() > 1 ? "s" : "") + " (";
    for (size_t i = 0; i < seeds.size(); ++i) s += (i ? ", " : "") + std::to_string(seeds[i]);
    return s + ")";
}

std::string metric_words(const std::string& metric) {
    return metric == "ppl"  ? "test perplexity (lower is better)"
           : metric == "em" ? "exact match, % (higher is better)"
                            : "top-1 accuracy, % (higher is better)";
}

std::string caption(const TableSetup& s, const std::string& metric, const std::string& mode, bool latex) {
    std::ostringstream o;
    o << (latex ? latex_escape(s.project) : s.project) << ": " << metric_words(metric) << ", " << mode
      << " mode, at each evaluated " << (s.task == "image" ? "resolution" : "length") << " (" << s.trained
      << "). Each cell: ";
    const std::string dagger = latex ? "$^\\dagger$" : "†";
    if (s.seeds.size() > 1)
        o << "mean " << (latex ? "$\\pm$" : "±") << " half-width of the 95% t interval over " << seeds_text(s.seeds)
          << " (where that interval passes the metric's range, the interval cut at it, in brackets); a cell marked "
          << dagger << " has one seed and shows its evaluation's bootstrap interval over windows. ";
    else
        o << "the value of " << seeds_text(s.seeds) << " " << (latex ? "$\\pm$" : "±")
          << " half-width of its evaluation's 95% bootstrap interval over windows (" << dagger
          << "); no interval over seeds. ";
    o << "Bold: better than every other "
         "row of its column (paired t-test over shared seeds, else Welch; Holm over the column; p < 0.05). Data: "
      << s.data << "; model: " << s.model << "; training: " << s.training << "; precision " << s.precision
      << "; commit " << s.commit << ".";
    std::string text = o.str();
    if (latex) { // % is a comment in LaTeX
        std::string esc;
        for (const char ch : text) esc += ch == '%' ? std::string("\\%") : std::string(1, ch);
        text = esc;
    }
    return text;
}

} // namespace

TableSetup table_setup(const std::string& project, const RunConfig& c, const std::vector<int64_t>& seeds,
                       const std::string& precision, const std::string& commit) {
    TableSetup s;
    s.project = project;
    s.task = c.task;
    s.seeds = seeds;
    s.precision = precision;
    s.commit = commit;
    const bool image = c.task == "image", algorithmic = c.task == "algorithmic";
    s.train_length = image ? c.data.image_size : algorithmic ? c.algo.train_max_len : c.train.seq_len;
    s.train_min_length = algorithmic ? c.algo.train_min_len : s.train_length;
    s.unit = image ? "px" : algorithmic ? algo_length_unit(c.algo) : "tokens";
    s.trained = "trained at " + std::to_string(s.train_length) + " " + s.unit;
    if (algorithmic) {
        s.trained = "trained on lengths " + std::to_string(c.algo.train_min_len) + "-" +
                    std::to_string(c.algo.train_max_len) + " " + s.unit;
        s.data = c.algo.task + " instances generated from algo.seed " + std::to_string(c.algo.seed) + ", " +
                 std::to_string(c.algo.test_examples) + " per length";
    } else {
        s.data =
            image ? c.data.source + ", " + std::to_string(c.data.image_size) + " px"
                  : c.data.source + ", " +
                        (c.data.tokenizer == "bpe" ? "BPE " + std::to_string(c.data.vocab_size) : std::string("bytes"));
    }
    s.model = std::to_string(c.model.n_layer) + (c.model.n_layer == 1 ? " layer" : " layers") + ", width " +
              std::to_string(c.model.d_model) + ", " + std::to_string(c.model.n_head) + " heads" +
              (image ? ", patch " + std::to_string(c.model.patch_size) : std::string());
    std::ostringstream t;
    t << c.train.steps << " steps, batch " << c.train.batch_size
      << (image         ? std::string()
          : algorithmic ? " instances"
                        : " x " + std::to_string(c.train.seq_len) + " tokens")
      << ", lr " << c.optim.lr;
    s.training = t.str();
    return s;
}

std::vector<int64_t> reported_seeds(const std::vector<std::optional<int64_t>>& seeds) {
    std::vector<int64_t> out;
    for (const auto& s : seeds)
        if (s) out.push_back(*s);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string results_markdown(const std::vector<GroupSummary>& groups, const TableSetup& setup,
                             const std::vector<std::string>& figures) {
    std::ostringstream md;
    if (groups.empty()) return "";
    const std::string& metric = groups.front().metric;
    md << "# " << setup.project << "\n\n";
    for (const std::string& mode : modes_of(groups)) {
        const std::vector<int64_t> lengths = lengths_of(groups, mode);
        md << "## " << mode << "\n\n" << caption(setup, metric, mode, false) << "\n\n| group |";
        for (const int64_t l : lengths)
            md << " " << l << (l >= setup.train_min_length && l <= setup.train_length ? " (train)" : "") << " |";
        md << "\n| --- |";
        for (size_t i = 0; i < lengths.size(); ++i) md << " --- |";
        md << "\n";
        for (const auto& g : groups) {
            if (!evaluated_in(g, mode, lengths)) continue; // e.g. the RoPE extensions: rotary rows only
            md << "| " << g.group << " |";
            for (const int64_t l : lengths) {
                const SummaryCell* c = g.cell(mode, l);
                if (!c) {
                    md << " - |";
                    continue;
                }
                const Cell x = cell_of(*c, metric);
                const int best = clear_best_tested(groups, mode, l);
                const bool bold = best >= 0 && groups[static_cast<size_t>(best)].group == g.group;
                std::string text = x.mean +
                                   (!x.lo.empty()    ? " [" + x.lo + ", " + x.hi + "]"
                                    : x.half.empty() ? ""
                                                     : " ± " + x.half) +
                                   (x.single ? " †" : "");
                md << " " << (bold ? "**" + text + "**" : text) << " |";
            }
            md << "\n";
        }
        md << "\n";
    }
    if (!figures.empty()) {
        md << "Figures:";
        for (const auto& f : figures) md << " [" << f << "](" << f << ")";
        md << "\n";
    }
    return md.str();
}

std::string results_latex(const std::vector<GroupSummary>& groups, const TableSetup& setup,
                          const std::vector<std::string>& figures) {
    std::ostringstream tex;
    if (groups.empty()) return "";
    const std::string& metric = groups.front().metric;
    tex << "% Generated by seqpe (docs/METHOD.md §14). Needs \\usepackage{booktabs}.\n";
    for (const std::string& mode : modes_of(groups)) {
        const std::vector<int64_t> lengths = lengths_of(groups, mode);
        tex << "\\begin{table}[t]\n\\centering\n\\caption{" << caption(setup, metric, mode, true)
            << "}\n\\label{tab:" << latex_escape(setup.project) << "-" << mode << "}\n\\begin{tabular}{l"
            << std::string(lengths.size(), 'r') << "}\n\\toprule\n"
            << "Encoding / " << latex_escape(setup.unit);
        for (const int64_t l : lengths) tex << " & " << l;
        tex << " \\\\\n\\midrule\n";
        for (const auto& g : groups) {
            if (!evaluated_in(g, mode, lengths)) continue;
            tex << latex_escape(g.group);
            for (const int64_t l : lengths) {
                const SummaryCell* c = g.cell(mode, l);
                if (!c) {
                    tex << " & --";
                    continue;
                }
                const Cell x = cell_of(*c, metric);
                const int best = clear_best_tested(groups, mode, l);
                const bool bold = best >= 0 && groups[static_cast<size_t>(best)].group == g.group;
                std::string body = !x.lo.empty()    ? x.mean + "\\,[" + x.lo + ", " + x.hi + "]"
                                   : x.half.empty() ? x.mean
                                                    : x.mean + " \\pm " + x.half;
                if (bold) body = "\\mathbf{" + body + "}";
                tex << " & $" << body << (x.single ? "^\\dagger" : "") << "$";
            }
            tex << " \\\\\n";
        }
        tex << "\\bottomrule\n\\end{tabular}\n\\end{table}\n\n";
    }
    for (const auto& f : figures) tex << "% figure: " << f << "\n";
    return tex.str();
}

} // namespace seqpe
