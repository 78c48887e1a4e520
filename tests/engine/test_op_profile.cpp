// The operator profile's folding (bench/op_profile.h): self and total time from nested ranges,
// checked against hand-computed values.
#include "bench/op_profile.h"

#include <gtest/gtest.h>
#include <map>

using namespace seqpe::bench;

TEST(OpProfile, NestedRangesFoldIntoSelfAndTotalTimePerName) {
    // One run: step [0, 100] holds mm [10, 40] (itself holding copy [20, 25]) and mm [50, 70];
    // a recursive "f" [80, 95] holds "f" [85, 90]. Microseconds in, milliseconds out (/ 2 runs).
    const std::vector<std::tuple<std::string, double, double>> ranges = {
        {"mm", 50, 70}, {"step", 0, 100}, {"copy", 20, 25}, {"mm", 10, 40}, {"f", 80, 95}, {"f", 85, 90}};
    const auto ops = fold_ranges(ranges, 2);
    std::map<std::string, OpTime> by;
    for (const auto& o : ops) by[o.name] = o;
    ASSERT_EQ(by.size(), 4u);
    EXPECT_DOUBLE_EQ(by["mm"].self_ms, (30 - 5 + 20) * 1e-3 / 2);
    EXPECT_DOUBLE_EQ(by["mm"].total_ms, (30 + 20) * 1e-3 / 2);
    EXPECT_EQ(by["mm"].calls, 1); // 2 calls over 2 runs
    EXPECT_DOUBLE_EQ(by["copy"].self_ms, 5e-3 / 2);
    EXPECT_DOUBLE_EQ(by["step"].self_ms, (100 - 30 - 20 - 15) * 1e-3 / 2);
    EXPECT_DOUBLE_EQ(by["step"].total_ms, 100e-3 / 2);
    EXPECT_DOUBLE_EQ(by["f"].self_ms, 15e-3 / 2);  // inner and outer self times: 10 + 5
    EXPECT_DOUBLE_EQ(by["f"].total_ms, 15e-3 / 2); // counted once, not 15 + 5
    EXPECT_EQ(ops.front().name, "mm");             // largest self time first
    double self = 0;
    for (const auto& o : ops) self += o.self_ms;
    EXPECT_DOUBLE_EQ(self, 100e-3 / 2); // self times partition the outermost range
}
