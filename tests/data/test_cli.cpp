// The seqpe-data program: exit codes, JSON lines, signals, fetch errors, what it links.
#include "helpers.h"

#include "seqpe/data/fetch.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>

using namespace seqpe::test;

namespace {

size_t count_lines(const std::string& s) {
    return size_t(std::count(s.begin(), s.end(), '\n'));
}

// Every non-hidden entry of <cache>/datasets (finished datasets and temporary folders).
std::vector<std::string> datasets_in(const fs::path& cache) {
    return list_dir(cache / "datasets");
}

} // namespace

TEST(DataCli, BadArgumentsExit2WithOneLine) {
    ScratchDir tmp;
    const std::map<std::string, std::string> env = {{"SEQPE_CACHE", (tmp / "cache").string()}};
    ToolRun r = run_tool({"text", "--vocab-size", "10"}, env);
    EXPECT_EQ(r.exit_code, 2);
    // stdout is a pipe, so the error is a JSON line.
    ASSERT_EQ(r.events.size(), 1u) << r.out;
    EXPECT_EQ(r.events[0]["event"], "error");
    EXPECT_EQ(r.events[0]["exit"], 2);
    const std::string msg = r.events[0]["message"];
    EXPECT_NE(msg.find("--vocab-size"), std::string::npos) << msg;
    EXPECT_NE(msg.find("260"), std::string::npos) << msg;

    r = run_tool({"text", "--tokenizer", "wordpiece", "--json"}, env);
    EXPECT_EQ(r.exit_code, 2);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_NE(r.events[0]["message"].get<std::string>().find("--tokenizer"), std::string::npos);

    r = run_tool({"frobnicate"}, env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(count_lines(r.out), 1u);

    r = run_tool({}, env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(count_lines(r.out), 1u);

    r = run_tool({"image", "--image-size", "-3"}, env);
    EXPECT_EQ(r.exit_code, 2);
    r = run_tool({"fetch", "wikipedia"}, env);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(datasets_in(tmp / "cache").empty());

    r = run_tool({"--help"}, env);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("text"), std::string::npos);
}

TEST(DataCli, NonUtf8CorpusExits2NamingTheFile) {
    ScratchDir tmp;
    copy_txt(sotu_excerpt(), tmp / "corpus");
    write_bytes(tmp / "corpus" / "broken.txt", "ok text \xFF\xFE more");
    const ToolRun r =
        run_tool({"text", "--source", (tmp / "corpus").string(), "--cache", (tmp / "cache").string(), "--json"});
    EXPECT_EQ(r.exit_code, 2);
    ASSERT_FALSE(r.events.empty());
    EXPECT_TRUE(r.all_lines_json);
    const auto& last = r.events.back();
    EXPECT_EQ(last["event"], "error");
    EXPECT_EQ(last["exit"], 2);
    const std::string msg = last["message"];
    EXPECT_NE(msg.find("broken.txt: invalid UTF-8 at byte 8"), std::string::npos) << msg;
    EXPECT_TRUE(datasets_in(tmp / "cache").empty());
}

TEST(DataCli, GoodCorpusPrintsDoneLine) {
    ScratchDir tmp;
    const std::vector<std::string> args = {"text", "--source", sotu_excerpt().string(),  "--tokenizer",
                                           "byte", "--cache",  (tmp / "cache").string(), "--json"};
    ToolRun r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(r.all_lines_json) << r.out;
    ASSERT_FALSE(r.events.empty());
    for (const auto& e : r.events) EXPECT_TRUE(e.contains("event")) << e.dump();
    const auto& done = r.events.back();
    EXPECT_EQ(done["event"], "done");
    EXPECT_EQ(done["cache_hit"], false);
    EXPECT_EQ(done["kind"], "text");
    EXPECT_EQ(done["name"], "sotu-excerpt-byte");
    const fs::path dir = done["dataset"].get<std::string>();
    EXPECT_TRUE(dir.is_absolute());
    EXPECT_TRUE(fs::exists(dir / "manifest.json"));
    EXPECT_GT(done["splits"]["train"].get<uint64_t>(), 0u);
    EXPECT_EQ(done["splits"].size(), 3u);
    bool saw_encode_progress = false;
    for (const auto& e : r.events)
        if (e["event"] == "progress" && e["stage"] == "encode" && e["total"] == 12) saw_encode_progress = true;
    EXPECT_TRUE(saw_encode_progress);

    // Again: a cache hit, same folder.
    r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.events.back()["cache_hit"], true);
    EXPECT_EQ(r.events.back()["dataset"], dir.string());

    // info reads it back (one JSON line: the manifest).
    r = run_tool({"info", dir.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0]["format"], "seqpe-dataset/1");
    EXPECT_EQ(r.events[0]["tokenizer"]["vocab_size"], 257);
    r = run_tool({"info", (tmp / "nothing").string()});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(DataCli, SigtermDuringEncodingLeavesNothing) {
    ScratchDir tmp;
    bool sent = false;
    const ToolRun r = run_tool_and_signal(
        {"text", "--source", sotu_excerpt().string(), "--tokenizer", "byte", "--cache", (tmp / "cache").string(),
         "--json"},
        {{"SEQPE_DATA_TEST_STALL", "encode"}},
        [](const nlohmann::json& e) { return e["event"] == "stage" && e["stage"] == "encode"; }, SIGTERM, sent);
    ASSERT_TRUE(sent) << r.out << r.err;
    EXPECT_EQ(r.exit_code, 130);
    EXPECT_EQ(r.events.back()["event"], "error");
    EXPECT_EQ(r.events.back()["exit"], 130);
    EXPECT_TRUE(datasets_in(tmp / "cache").empty()) << "left: " << ::testing::PrintToString(datasets_in(tmp / "cache"));
}

TEST(DataCli, SigintDuringAStepThatIgnoresItStillExits130AndCleansUp) {
    ScratchDir tmp;
    bool sent = false;
    double secs = 0;
    const ToolRun r = run_tool_and_signal(
        {"text", "--source", sotu_excerpt().string(), "--tokenizer", "byte", "--cache", (tmp / "cache").string(),
         "--json"},
        {{"SEQPE_DATA_TEST_STALL", "encode:hard"}},
        [](const nlohmann::json& e) { return e["event"] == "stage" && e["stage"] == "encode"; }, SIGINT, sent, &secs);
    ASSERT_TRUE(sent);
    EXPECT_EQ(r.exit_code, 130);
    EXPECT_LT(secs, 10.0);
    EXPECT_TRUE(datasets_in(tmp / "cache").empty()) << "left: " << ::testing::PrintToString(datasets_in(tmp / "cache"));
}

TEST(DataCli, FetchNetworkFailureIsOneLineExit1) {
    ScratchDir tmp;
    const ToolRun r = run_tool({"fetch", "sotu", "--cache", (tmp / "cache").string(), "--json"},
                               {{"SEQPE_SOTU_URL", "file://" + (tmp / "no-such.tgz").string()}});
    EXPECT_EQ(r.exit_code, 1);
    const auto& last = r.events.back();
    EXPECT_EQ(last["event"], "error");
    EXPECT_EQ(last["exit"], 1);
    const std::string msg = last["message"];
    EXPECT_NE(msg.find("cannot download file://"), std::string::npos) << msg;
    EXPECT_NE(msg.find("set SEQPE_SOTU_URL to a mirror"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--source <folder of .txt files>"), std::string::npos) << msg;
    EXPECT_TRUE(list_dir(tmp / "cache" / "sources").empty());

    // The text command reports the same when it needs the corpus; nothing is left behind.
    const ToolRun t = run_tool({"text", "--cache", (tmp / "cache").string()},
                               {{"SEQPE_SOTU_URL", "http://127.0.0.1:9/datasets-sotu-0.2.3.tgz"}});
    EXPECT_EQ(t.exit_code, 1);
    EXPECT_NE(t.events.back()["message"].get<std::string>().find("cannot download http://127.0.0.1:9/"),
              std::string::npos);
    EXPECT_TRUE(list_dir(tmp / "cache" / "sources").empty());
}

TEST(DataCli, FetchIntegrityMismatchDeletesTheDownload) {
    ScratchDir tmp;
    write_bytes(tmp / "fake.tgz", "this is not the SOTU tarball");
    const ToolRun r = run_tool({"fetch", "sotu", "--cache", (tmp / "cache").string()},
                               {{"SEQPE_SOTU_URL", "file://" + (tmp / "fake.tgz").string()}});
    EXPECT_EQ(r.exit_code, 1);
    const std::string msg = r.events.back()["message"];
    EXPECT_NE(msg.find("integrity mismatch"), std::string::npos) << msg;
    EXPECT_NE(msg.find(seqpe::data::kSotuIntegrity), std::string::npos) << msg;
    EXPECT_TRUE(list_dir(tmp / "cache" / "sources").empty());
}

TEST(DataCli, ExtractsOnlyPackageDataTxt) {
    ScratchDir tmp;
    write_bytes(tmp / "pkg" / "package" / "data" / "1790_a.txt", "first");
    write_bytes(tmp / "pkg" / "package" / "data" / "1791_b.txt", "second");
    write_bytes(tmp / "pkg" / "package" / "data" / "1790_a.json", "{}");
    write_bytes(tmp / "pkg" / "package" / "data" / "sub" / "c.txt", "nested");
    write_bytes(tmp / "pkg" / "package" / "README.txt", "readme");
    const std::string cmd = "tar -czf '" + (tmp / "p.tgz").string() + "' -C '" + (tmp / "pkg").string() + "' package";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    fs::create_directories(tmp / "out");
    EXPECT_EQ(seqpe::data::extract_txt_from_tgz(tmp / "p.tgz", tmp / "out"), 2u);
    EXPECT_EQ(list_dir(tmp / "out"), (std::vector<std::string>{"1790_a.txt", "1791_b.txt"}));
    EXPECT_EQ(read_bytes(tmp / "out" / "1791_b.txt"), "second");
}

TEST(DataCli, LinksNeitherLibTorchNorQt) {
    FILE* p = ::popen(("ldd '" + std::string(SEQPE_DATA_TOOL) + "' 2>&1").c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    EXPECT_NE(out.find("libsentencepiece"), std::string::npos) << out;
    EXPECT_EQ(out.find("libtorch"), std::string::npos) << out;
    EXPECT_EQ(out.find("libc10"), std::string::npos) << out;
    EXPECT_EQ(out.find("libQt"), std::string::npos) << out;
}
