// The bridge's checkpoint export/import (WeightsTransfer), attached run directories and pinned
// probe checkpoints, with fake engine hooks: what runs where, what is refused, what is never
// overwritten. The real engine's round trip is in tests/app/test_weights.cpp.
#include "workbench.h"

#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/run_dir.h"
#include "wait_for.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <gtest/gtest.h>
#include <thread>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

namespace {

// A run directory with a config, a completed status and checkpoints of the given steps, each
// complete (its DONE records sizes and hashes).
void write_run(const fs::path& dir, const std::vector<int64_t>& steps) {
    const RunPaths p{dir};
    make_dirs(dir);
    write_run_config(p, resolve_config(RunConfig{}));
    for (int64_t s : steps) {
        const fs::path ck =
            p.checkpoints() / ("step-" + std::string(8 - std::to_string(s).size(), '0') + std::to_string(s));
        make_dirs(ck);
        std::map<std::string, std::pair<uint64_t, std::string>> files;
        for (const std::string name : {"model.pt", "trainer.json"}) {
            const std::string bytes = name + " of step " + std::to_string(s);
            write_file_atomic(ck / name, bytes);
            files[name] = {bytes.size(), sha256_hex(bytes)};
        }
        write_file_atomic(ck / "DONE", checkpoint_done_json(files, s));
    }
    RunStatus st;
    st.state = RunState::Completed;
    st.step = steps.empty() ? 0 : steps.back();
    write_status(p, st);
}

struct Calls {
    std::atomic<std::thread::id> exported{}, imported{};
    std::mutex mu;
    std::vector<fs::path> inspected; // checkpoint argument of each inspect
};

EngineHooks weight_hooks(Calls& calls) {
    EngineHooks h;
    h.exportWeights = [&calls](const fs::path& ck, const fs::path& file, const TransferProgress& progress) {
        calls.exported = std::this_thread::get_id();
        require_usable_checkpoint(ck); // as the engine does: every byte against DONE
        progress("writing 2 tensors", 0.7);
        std::this_thread::sleep_for(std::chrono::milliseconds(150)); // long enough to be busy
        write_file_atomic(file, "weights of " + ck.filename().string());
        write_file_atomic(safetensors_config_path(file), read_file(RunPaths{ck.parent_path().parent_path()}.config()));
    };
    h.importWeights = [&calls](const fs::path& file, const fs::path& config, const fs::path& dir,
                               const TransferProgress& progress) {
        calls.imported = std::this_thread::get_id();
        progress("reading tensors", 0.5);
        if (read_file(config).find("\"d_model\": 999") != std::string::npos)
            throw InputError(file.string() + ": \"wte.weight\" has shape [256, 32] but the model of " +
                             config.string() + " needs [vocabulary, 999]");
        if (fs::exists(dir)) throw InputError(dir.string() + ": exists");
        write_run(dir, {read_file(file) == "weights of step-00000010" ? 10 : 20});
        return dir;
    };
    h.inspect = [&calls](const fs::path&, const fs::path& ck) -> std::unique_ptr<Inspector> {
        std::lock_guard lk(calls.mu);
        calls.inspected.push_back(ck);
        throw InputError("fake: no model"); // what was asked is all this test needs
    };
    return h;
}

} // namespace

TEST(BridgeWeights, ExportAndImportRunOffTheGuiThreadRefuseDamageAndNeverOverwrite) {
    const fs::path tmp = fs::temp_directory_path() / ("seqpe-bridge-weights-" + std::to_string(::getpid()));
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    const QString project = QString::fromStdString((tmp / "p.json").string());
    {
        Workbench w0(EngineHooks{});
        ASSERT_TRUE(w0.document().save(project, nullptr));
    }
    write_run(tmp / "runs/seqpe", {10, 20});
    fs::resize_file(tmp / "runs/seqpe/checkpoints/step-00000020/model.pt", 3); // the newest is damaged

    Calls calls;
    Workbench wb(weight_hooks(calls));
    ASSERT_TRUE(wb.document().open(project).empty());
    const RunView* v = wb.store().run("seqpe");
    ASSERT_NE(v, nullptr);
    ASSERT_EQ(v->checkpoints.size(), 2u);
    const fs::path damaged = v->checkpoints[0].dir, good = v->checkpoints[1].dir;

    // A damaged checkpoint is refused before anything starts, naming its step.
    QString why;
    EXPECT_FALSE(wb.exportWeights("seqpe", damaged, tmp / "out/x.safetensors", &why));
    EXPECT_TRUE(why.contains("step 20")) << why.toStdString();
    EXPECT_TRUE(why.contains("damaged")) << why.toStdString();
    EXPECT_FALSE(wb.weights().isBusy());

    // A complete one is written on the weights worker, with progress; a second job waits its turn.
    QSignalSpy progress(&wb.weights(), &WeightsTransfer::progress);
    QSignalSpy finished(&wb.weights(), &WeightsTransfer::finished);
    make_dirs(tmp / "out");
    ASSERT_TRUE(wb.exportWeights("seqpe", good, tmp / "out/w.safetensors", &why)) << why.toStdString();
    EXPECT_TRUE(wb.weights().isBusy());
    EXPECT_FALSE(wb.exportWeights("seqpe", good, tmp / "out/w2.safetensors", &why));
    EXPECT_TRUE(why.contains("in progress")) << why.toStdString();
    ASSERT_TRUE(wait_for([&] { return finished.count() == 1; }));
    EXPECT_TRUE(finished.at(0).at(0).toBool()) << finished.at(0).at(1).toString().toStdString();
    EXPECT_EQ(finished.at(0).at(2).toString().toStdString(), (tmp / "out/w.safetensors").string());
    EXPECT_NE(calls.exported.load(), std::this_thread::get_id());
    ASSERT_GE(progress.count(), 1);
    EXPECT_EQ(progress.at(0).at(0).toString(), "writing 2 tensors");
    EXPECT_EQ(read_file(tmp / "out/w.safetensors"), "weights of step-00000010");

    // Import: a new run imported/<name>, attached and announced; the same name again never
    // overwrites it (imported/w-2).
    QSignalSpy imported(&wb, &Workbench::runImported);
    ASSERT_TRUE(wb.importWeights(tmp / "out/w.safetensors", tmp / "out/w.config.json", "", &why)) << why.toStdString();
    ASSERT_TRUE(wait_for([&] { return imported.count() == 1; }));
    EXPECT_NE(calls.imported.load(), std::this_thread::get_id());
    EXPECT_EQ(imported.at(0).at(0).toString(), "imported/w");
    const RunView* iv = wb.store().run("imported/w");
    ASSERT_NE(iv, nullptr);
    EXPECT_EQ(iv->dir, tmp / "runs/imported/w");
    ASSERT_TRUE(iv->config.has_value());
    EXPECT_TRUE(iv->hasUsableCheckpoint());
    const std::string first_status = read_file(RunPaths{iv->dir}.status());
    ASSERT_TRUE(wb.importWeights(tmp / "out/w.safetensors", tmp / "out/w.config.json", "w", &why));
    ASSERT_TRUE(wait_for([&] { return imported.count() == 2; }));
    EXPECT_EQ(imported.at(1).at(0).toString(), "imported/w-2");
    EXPECT_EQ(read_file(RunPaths{tmp / "runs/imported/w"}.status()), first_status);
    EXPECT_FALSE(wb.importWeights(tmp / "out/w.safetensors", tmp / "out/w.config.json", "../escape", &why));
    EXPECT_TRUE(why.contains("not a folder name")) << why.toStdString();

    // A config of another model shape: refused naming the tensor, no run added.
    write_file_atomic(tmp / "out/bad.json", "{\"model\": {\"d_model\": 999}}");
    const int runs_before = static_cast<int>(wb.store().names().size());
    finished.clear();
    ASSERT_TRUE(wb.importWeights(tmp / "out/w.safetensors", tmp / "out/bad.json", "bad", &why));
    ASSERT_TRUE(wait_for([&] { return finished.count() == 1; }));
    EXPECT_FALSE(finished.at(0).at(0).toBool());
    EXPECT_TRUE(finished.at(0).at(1).toString().contains("\"wte.weight\" has shape"))
        << finished.at(0).at(1).toString().toStdString();
    EXPECT_EQ(static_cast<int>(wb.store().names().size()), runs_before);
    EXPECT_EQ(imported.count(), 2);

    // Attached runs survive project edits and come back when the project is opened again.
    wb.document().addRun("b", "rope");
    EXPECT_NE(wb.store().run("imported/w"), nullptr);
    EXPECT_NE(wb.store().run("imported/w-2"), nullptr);
    Workbench again(weight_hooks(calls));
    ASSERT_TRUE(again.document().open(project).empty());
    EXPECT_EQ(again.store().names(), (QStringList{"seqpe", "imported/w", "imported/w-2"}));
    const auto target = again.runTarget("imported/w");
    ASSERT_TRUE(target.has_value());
    EXPECT_EQ(target->first, tmp / "runs/imported/w");

    // A pinned checkpoint is what the probes open; unpinned, the newest (empty argument).
    QObject context;
    int answers = 0;
    auto probe = [&] {
        again.probes().submit(
            "seqpe", [](Inspector&) {}, &context, [&](bool, const QString&) { ++answers; });
    };
    again.probes().setCheckpoint("seqpe", good);
    probe();
    ASSERT_TRUE(wait_for([&] { return answers == 1; }));
    again.probes().setCheckpoint("seqpe", {});
    probe();
    ASSERT_TRUE(wait_for([&] { return answers == 2; }));
    {
        std::lock_guard lk(calls.mu);
        ASSERT_EQ(calls.inspected.size(), 2u);
        EXPECT_EQ(calls.inspected[0], good);
        EXPECT_EQ(calls.inspected[1], fs::path());
    }
    fs::remove_all(tmp);
}
