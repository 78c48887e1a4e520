// Records, metrics files written by a killed run, status files, checkpoint discovery.
#include "seqpe/common/files.h"
#include "seqpe/records.h"
#include "seqpe/run_dir.h"
#include "test_util.h"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>

using namespace seqpe;

TEST(Records, RoundTripKeepsNumbersLabelsAndOrder) {
    Record r;
    r.kind = "eval";
    r.step = 200;
    r.time = 12.3456;
    r.label("split", "valid").set("loss", 3.25).set("ppl", 25.79).set("bad", std::nan(""));
    const std::string line = record_to_json(r);
    EXPECT_EQ(line.rfind("{\"kind\":\"eval\",\"step\":200,\"time\":12.346", 0), 0u) << line;
    const auto back = record_from_json(line);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->kind, "eval");
    EXPECT_EQ(back->step, 200);
    EXPECT_EQ(back->get_label("split"), "valid");
    EXPECT_DOUBLE_EQ(*back->get("loss"), 3.25);
    EXPECT_TRUE(std::isnan(*back->get("bad")));
    EXPECT_FALSE(record_from_json("{\"kind\":\"train\",\"step\":"));
    EXPECT_FALSE(record_from_json("[]"));
}

TEST(Records, MetricsReaderFollowsAGrowingFileAndSkipsAPartialLine) {
    test::TempDir tmp("metrics");
    const auto f = tmp / "metrics.jsonl";
    {
        std::ofstream o(f);
        o << R"({"kind":"train","step":1,"time":0.1,"loss":5})"
          << "\n"
          << R"({"kind":"train","ste)";
    }
    MetricsReader reader(f);
    auto a = reader.read_new();
    ASSERT_EQ(a.size(), 1u);
    {
        std::ofstream o(f, std::ios::app);
        o << R"(p":2,"time":0.2,"loss":4})"
          << "\n"
          << "garbage\n";
    }
    auto b = reader.read_new();
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].step, 2);
    EXPECT_TRUE(reader.read_new().empty());
    write_file_atomic(f, R"({"kind":"train","step":1,"time":0,"loss":1})"
                         "\n"); // truncated by a resume
    EXPECT_EQ(reader.read_new().size(), 1u);
}

TEST(Records, StatusAndCheckpointDiscovery) {
    test::TempDir tmp("status");
    RunPaths p{tmp.path()};
    RunStatus s;
    s.state = RunState::Paused;
    s.step = 42;
    s.total_steps = 100;
    s.message = "paused";
    write_status(p, s);
    const auto back = read_status(p);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->state, RunState::Paused);
    EXPECT_EQ(back->step, 42);
    EXPECT_FALSE(latest_checkpoint(p));
    std::filesystem::create_directories(p.checkpoint(10));
    write_file_atomic(p.checkpoint(10) / "DONE", ""); // DONE without model.pt: damaged, never chosen
    EXPECT_FALSE(latest_checkpoint(p));
    write_file_atomic(p.checkpoint(10) / "model.pt", "weights");
    std::filesystem::create_directories(p.checkpoint(20)); // incomplete: no DONE
    EXPECT_EQ(checkpoint_step(*latest_checkpoint(p)), 10);
    write_file_atomic(p.checkpoints() / "latest", "step-00000020\n"); // names an incomplete one
    EXPECT_EQ(checkpoint_step(*latest_checkpoint(p)), 10);
    EXPECT_EQ(checkpoint_step("step-00001200"), 1200);
    EXPECT_EQ(checkpoint_step("step-12x"), -1);
    EXPECT_EQ(p.checkpoint(1200).filename(), "step-00001200");
}
