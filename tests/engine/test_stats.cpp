// The statistics behind every comparison (docs/METHOD.md §14), against values computed by hand or
// by an independent numerical integration of Student's t density (tests/tools: the numbers below).
#include "seqpe/paper_tables.h"
#include "seqpe/stats.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;

TEST(Stats, StudentTQuantilesAndCdf) {
    EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736171703, 1e-9);
    EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749811, 1e-9);
    EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445105197932, 1e-9);
    EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0422724563012338, 1e-9);
    EXPECT_NEAR(student_t_quantile(0.975, 1e7), 1.959964, 1e-5); // the normal's
    EXPECT_NEAR(student_t_quantile(0.025, 4), -2.776445105197932, 1e-9);
    EXPECT_DOUBLE_EQ(student_t_cdf(0.0, 5), 0.5);
    // Two degrees of freedom have a closed form: F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
    for (const double t : {-3.0, -0.4, 0.7, 4.703})
        EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-13) << t;
    EXPECT_TRUE(std::isnan(student_t_quantile(1.0, 3)));
    EXPECT_TRUE(std::isnan(student_t_cdf(1.0, 0)));
}

TEST(Stats, ASeedGroupHasItsMeanAndATInterval) {
    const SeedSummary s = summarize_seeds({52.4, 53.0, 53.5});
    EXPECT_EQ(s.n, 3);
    EXPECT_NEAR(s.mean, 52.96666666666667, 1e-12);
    EXPECT_NEAR(s.sd, 0.5507570547286109, 1e-12);
    EXPECT_NEAR(s.se, 0.317979733805649, 1e-12);
    EXPECT_NEAR(s.ci95.lo, 51.598510297002676, 1e-8);
    EXPECT_NEAR(s.ci95.hi, 54.33482303633066, 1e-8);
    EXPECT_DOUBLE_EQ(s.min, 52.4);
    EXPECT_DOUBLE_EQ(s.max, 53.5);
    // One seed: a mean, no interval from seeds. A NaN (a diverged run, a missing length) is left out.
    const SeedSummary one = summarize_seeds({52.4});
    EXPECT_EQ(one.n, 1);
    EXPECT_TRUE(std::isnan(one.ci95.lo) && std::isnan(one.se));
    const SeedSummary nan = summarize_seeds({52.4, std::nan(""), 53.5});
    EXPECT_EQ(nan.n, 2);
    EXPECT_EQ(nan.dropped, 1);
    EXPECT_NEAR(nan.mean, 52.95, 1e-12);
    EXPECT_TRUE(std::isnan(summarize_seeds({}).mean));
}

TEST(Stats, PairedTestOverSharedSeeds) {
    // Seeds paired: differences 0.9, 1.3, 1.9.
    const Comparison c = paired_t_test({52.4, 53.0, 53.5}, {51.5, 51.7, 51.6});
    EXPECT_EQ(c.test, "paired");
    EXPECT_EQ(c.pairs, 3);
    EXPECT_NEAR(c.diff, 1.3666666666666647, 1e-12);
    EXPECT_NEAR(c.t, 4.703022544346508, 1e-9);
    EXPECT_DOUBLE_EQ(c.df, 2.0);
    EXPECT_NEAR(c.p, 0.04235923647254414, 1e-9);
    EXPECT_NEAR(c.ci95.lo, 0.11634477079140804, 1e-8);
    EXPECT_NEAR(c.ci95.hi, 2.6169885625419216, 1e-8);
    // The same numbers unpaired overlap in range but the pairing shows a consistent difference.
    // Identical runs: difference 0 in every seed, p = 1.
    const Comparison same = paired_t_test({1.0, 2.0, 3.0}, {1.0, 2.0, 3.0});
    EXPECT_DOUBLE_EQ(same.diff, 0.0);
    EXPECT_DOUBLE_EQ(same.p, 1.0);
    EXPECT_DOUBLE_EQ(same.ci95.lo, 0.0);
    // A missing value on one side drops that pair; one pair left is no test.
    const Comparison gap = paired_t_test({1.0, std::nan(""), 3.0}, {0.5, 2.0, 2.0});
    EXPECT_EQ(gap.pairs, 2);
    EXPECT_EQ(paired_t_test({1.0}, {2.0}).test, "none");
    EXPECT_TRUE(std::isnan(paired_t_test({1.0}, {2.0}).p));
}

TEST(Stats, WelchTestWhenSeedsAreNotShared) {
    const Comparison c = welch_t_test({1, 2, 3, 4}, {2, 4, 6});
    EXPECT_EQ(c.test, "welch");
    EXPECT_DOUBLE_EQ(c.diff, -1.5);
    EXPECT_NEAR(c.df, 3.234718826405868, 1e-12);
    EXPECT_NEAR(c.t, -1.1338934190276817, 1e-12);
    EXPECT_NEAR(c.p, 0.3338237000774934, 1e-8);
    EXPECT_NEAR(c.ci95.lo, -5.542327954922731, 1e-7);
    EXPECT_NEAR(c.ci95.hi, 2.5423279549227313, 1e-7);
    EXPECT_EQ(welch_t_test({1, 2}, {3}).test, "none"); // one seed on a side: nothing to test against
}

TEST(Stats, HolmAdjustsForTheNumberOfComparisons) {
    const std::vector<double> adj = holm_adjust({0.01, 0.04, 0.03, std::nan(""), 0.005});
    // Sorted 0.005, 0.01, 0.03, 0.04 (m = 4): 4 x 0.005 = 0.02, 3 x 0.01 = 0.03, 2 x 0.03 = 0.06,
    // 1 x 0.04 = 0.04 -> 0.06 (the running maximum keeps the order).
    EXPECT_NEAR(adj[0], 0.03, 1e-15);
    EXPECT_NEAR(adj[1], 0.06, 1e-15);
    EXPECT_NEAR(adj[2], 0.06, 1e-15);
    EXPECT_TRUE(std::isnan(adj[3]));
    EXPECT_NEAR(adj[4], 0.02, 1e-15);
    EXPECT_DOUBLE_EQ(holm_adjust({0.6, 0.7})[1], 1.0); // capped at 1
}

TEST(Stats, BootstrapOverWindowsIsAReproduciblePercentileInterval) {
    // Two windows of one token with NLL 1 and 3: the resampled mean is 1, 2 or 3 (1/4, 1/2, 1/4):
    // the 95% interval spans [1, 3], in perplexity [e, e^3].
    const Interval i = bootstrap_ratio({1.0, 3.0}, {1.0, 1.0}, 4000, 7);
    EXPECT_DOUBLE_EQ(i.lo, 1.0);
    EXPECT_DOUBLE_EQ(i.hi, 3.0);
    const Interval e = bootstrap_ratio({1.0, 3.0}, {1.0, 1.0}, 4000, 7, 0.95, Transform::Exp);
    EXPECT_DOUBLE_EQ(e.lo, std::exp(1.0));
    EXPECT_DOUBLE_EQ(e.hi, std::exp(3.0));
    // Equal windows: no uncertainty. The same seed gives the same interval; another seed moves it.
    std::vector<double> nll, tokens;
    for (int w = 0; w < 50; ++w) {
        nll.push_back(100.0 + 7.0 * std::sin(w * 1.7));
        tokens.push_back(32.0);
    }
    const Interval a = bootstrap_ratio(nll, tokens, 1000, 1), b = bootstrap_ratio(nll, tokens, 1000, 1),
                   c = bootstrap_ratio(nll, tokens, 1000, 2);
    EXPECT_EQ(a.lo, b.lo);
    EXPECT_EQ(a.hi, b.hi);
    EXPECT_NE(a.lo, c.lo);
    double sn = 0;
    for (double x : nll) sn += x;
    EXPECT_LT(a.lo, sn / (50 * 32.0));
    EXPECT_GT(a.hi, sn / (50 * 32.0));
    const Interval flat = bootstrap_ratio({5, 5, 5}, {1, 1, 1}, 500, 3);
    EXPECT_DOUBLE_EQ(flat.lo, 5.0);
    EXPECT_DOUBLE_EQ(flat.hi, 5.0);
    EXPECT_TRUE(std::isnan(bootstrap_ratio({1.0}, {1.0}, 100, 1).lo)); // one window: no interval
}

// A small known case through the tables a paper gets: three seeds of two groups at one length.
TEST(Stats, PaperTablesStateTheIntervalAndBoldOnlyWhatTheTestsSupport) {
    auto report = [](const std::string& run, double ppl128, double ppl256) {
        EvalReport r;
        r.run = run;
        r.metric = "ppl";
        r.encoding = "x";
        for (auto [L, v] : {std::pair{int64_t{128}, ppl128}, {int64_t{256}, ppl256}}) {
            EvalRow row;
            row.mode = "extend";
            row.length = L;
            row.ppl = v;
            r.rows.push_back(row);
        }
        return r;
    };
    // At 128 the paired differences are 0.9, 1.3, 1.9 (p = 0.042 < 0.05: one comparison, Holm = p);
    // at 256 the groups cross over seeds (no difference holds).
    const std::vector<std::pair<std::string, EvalReport>> reports = {
        {"a", report("a/seed-1", 52.4, 60.0)}, {"a", report("a/seed-2", 53.0, 61.0)},
        {"a", report("a/seed-3", 53.5, 59.0)}, {"b", report("b/seed-1", 51.5, 61.0)},
        {"b", report("b/seed-2", 51.7, 59.0)}, {"b", report("b/seed-3", 51.6, 60.5)}};
    const auto groups = summarise_by_group(reports);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_NEAR(groups[0].cell("extend", 128)->ci95.lo, 51.598510297002676, 1e-8);
    const auto cmp = compare_against(groups);
    ASSERT_EQ(cmp.size(), 2u);
    EXPECT_EQ(cmp[0].a, "b"); // the best mean at 128
    EXPECT_EQ(cmp[0].stats.test, "paired");
    EXPECT_NEAR(cmp[0].stats.diff, -1.3666666666666647, 1e-12);
    EXPECT_NEAR(cmp[0].stats.p, 0.04235923647254414, 1e-9);
    EXPECT_EQ(clear_best_tested(groups, "extend", 128), 1);
    EXPECT_EQ(clear_best_tested(groups, "extend", 256), -1);
    EXPECT_NE(comparison_line(cmp[0], 128).find("b < a at 128 (1x, extend): -1.37 [-2.62, -0.116], p = 0.0424"),
              std::string::npos)
        << comparison_line(cmp[0], 128);
    TableSetup setup;
    setup.project = "known_case";
    setup.train_length = 128;
    setup.seeds = {1, 2, 3};
    const std::string md = results_markdown(groups, setup), tex = results_latex(groups, setup);
    // a at 128: 52.97 +- 1.37 (t interval of 3 seeds); b bold at 128 only.
    EXPECT_NE(md.find("| a | 53.0 ± 1.4 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| b | **51.6 ± 0.2** |"), std::string::npos) << md;
    EXPECT_EQ(md.find("**60"), std::string::npos) << md;
    EXPECT_NE(tex.find("\\toprule"), std::string::npos);
    EXPECT_NE(tex.find("$\\mathbf{51.6 \\pm 0.2}$"), std::string::npos) << tex;
    EXPECT_NE(tex.find("known\\_case"), std::string::npos) << tex;
    EXPECT_NE(tex.find("3 seeds (1, 2, 3)"), std::string::npos) << tex;
}

TEST(Stats, IntervalsAreCutAtWhatTheMetricCanBe) {
    EXPECT_DOUBLE_EQ(within_metric_range({-0.76, 2.1}, "em").lo, 0.0);
    EXPECT_DOUBLE_EQ(within_metric_range({-0.76, 2.1}, "em").hi, 1.0);
    EXPECT_DOUBLE_EQ(within_metric_range({0.2, 0.9}, "accuracy").lo, 0.2); // inside: unchanged
    EXPECT_DOUBLE_EQ(within_metric_range({0.4, 90.0}, "ppl").lo, 1.0);
    EXPECT_DOUBLE_EQ(within_metric_range({0.4, 90.0}, "ppl").hi, 90.0);
    EXPECT_DOUBLE_EQ(within_metric_range({-0.1, 3.0}, "bits_per_byte").lo, 0.0);
    EXPECT_TRUE(std::isnan(within_metric_range({std::nan(""), std::nan("")}, "em").lo));

    // Three bimodal seeds (0%, 100%, 100%): mean 66.7, t interval 66.7 +- 143.4, shown cut.
    auto report = [](const std::string& run, double acc) {
        EvalReport r;
        r.run = run;
        r.metric = "em";
        r.encoding = "x";
        EvalRow row;
        row.mode = "extend";
        row.length = 20;
        row.accuracy = acc;
        r.rows.push_back(row);
        return r;
    };
    const auto groups = summarise_by_group({{"kerple", report("kerple/seed-1", 0.0)},
                                            {"kerple", report("kerple/seed-2", 1.0)},
                                            {"kerple", report("kerple/seed-3", 1.0)},
                                            {"rope", report("rope/seed-1", 0.90)},
                                            {"rope", report("rope/seed-2", 0.94)},
                                            {"rope", report("rope/seed-3", 0.92)}});
    TableSetup setup;
    setup.project = "bimodal";
    setup.task = "algorithmic";
    setup.seeds = {1, 2, 3};
    const std::string md = results_markdown(groups, setup), tex = results_latex(groups, setup);
    EXPECT_NE(md.find("| kerple | 66.7 [0.0, 100.0] |"), std::string::npos) << md;
    EXPECT_NE(md.find("| rope | 92.0 ± 5.0 |"), std::string::npos) << md; // inside [0, 100]: symmetric
    EXPECT_NE(tex.find("66.7\\,[0.0, 100.0]"), std::string::npos) << tex;
}

TEST(Stats, ATableLeavesOutRowsWithoutValuesInItsModeAndSaysWhenThereIsOneSeed) {
    auto report = [](const std::string& run, const std::vector<std::string>& modes) {
        EvalReport r;
        r.run = run;
        r.metric = "ppl";
        r.encoding = "x";
        for (const auto& m : modes) {
            EvalRow row;
            row.mode = m;
            row.length = 256;
            row.ppl = 50.0;
            row.lo = 49.0;
            row.hi = 51.5;
            r.rows.push_back(row);
        }
        return r;
    };
    const auto groups = summarise_by_group(
        {{"rope", report("rope/seed-1234", {"extend", "yarn"})}, {"alibi", report("alibi/seed-1234", {"extend"})}});
    TableSetup setup;
    setup.project = "one_seed";
    setup.seeds = {1234};
    const std::string md = results_markdown(groups, setup);
    const size_t yarn = md.find("## yarn");
    ASSERT_NE(yarn, std::string::npos) << md;
    EXPECT_NE(md.find("| alibi | 50.0 ± 1.2 † |"), std::string::npos) << md; // the bootstrap interval
    EXPECT_EQ(md.find("| alibi |", yarn), std::string::npos) << md;          // no row of dashes
    EXPECT_NE(md.find("| rope |", yarn), std::string::npos) << md;
    EXPECT_NE(md.find("the value of 1 seed (1234)"), std::string::npos) << md;
}
