// The document and the workbench refuse what would lose work: a value that fails its option's
// checks never enters the project; a project file with such a value opens with it marked and
// saves back unchanged; a run with an error, or a step budget below the step it reached, does not
// start; run colours stay put when runs come and go. A fake trainer stands behind the bridge.
#include "fake_trainer.h"
#include "workbench.h"

#include "seqpe/common/files.h"
#include "wait_for.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

namespace {

struct Made {
    std::atomic<int> count{0};
};

EngineHooks counting_hooks(Made& m) {
    EngineHooks h;
    h.prepare = [](const RunConfig&, const std::function<void(const PrepareEvent&)>&, std::stop_token) {
        return fs::path("/nonexistent-dataset");
    };
    h.make = [&m](const RunConfig& c, const TrainerOptions& o) {
        ++m.count;
        return std::make_unique<test::FakeTrainer>(c.train.steps, 1, o.start_paused);
    };
    return h;
}

fs::path scratch(const std::string& tag) {
    const fs::path d = fs::temp_directory_path() / ("seqpe-rules-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

bool marks(const std::vector<Diagnostic>& d, const std::string& path) {
    for (const auto& x : d)
        if (x.path == path && x.severity == Diagnostic::Severity::Error) return true;
    return false;
}

} // namespace

TEST(BridgeRules, AValueThatFailsItsChecksNeverEntersTheDocument) {
    Made m;
    Workbench wb(counting_hooks(m));
    auto& doc = wb.document();
    const QString run = doc.runNames().front();
    QSignalSpy changed(&doc, &ProjectDocument::changed);
    for (const auto& [path, text] : std::vector<std::pair<QString, QString>>{
             {"optim.lr", "1e999"},           // not a finite number
             {"train.steps", "-5"},           // below the minimum: refused, never clamped to 5
             {"model.n_layer", "abc"},        // not an integer
             {"position_encoding.type", "x"}, // not a choice
             {"train.seed", "99999999999999999999999"}}) {
        const QString why = doc.setOption(run, path, text);
        EXPECT_FALSE(why.isEmpty()) << path.toStdString() << " = " << text.toStdString();
        EXPECT_FALSE(doc.setOption(QString(), path, text).isEmpty()) << "base " << path.toStdString();
    }
    EXPECT_EQ(changed.count(), 0);
    EXPECT_FALSE(doc.isModified());
    EXPECT_TRUE(doc.differences(run).isEmpty());
    EXPECT_EQ(doc.optionText(run, "optim.lr"), QString::number(RunConfig{}.optim.lr));
    // A value in range goes in.
    EXPECT_TRUE(doc.setOption(run, "train.steps", "7").isEmpty());
    EXPECT_EQ(doc.config(run).train.steps, 7);
}

TEST(BridgeRules, AProjectWithABadValueOpensMarkedCannotStartAndSavesBackUnchanged) {
    const fs::path dir = scratch("open");
    const fs::path file = dir / "p.json";
    write_file_atomic(file, R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
      "base": {"train": {"steps": 30}},
      "runs": [{"name": "good", "set": {}}, {"name": "bad", "set": {"optim.lr": "1e999", "model.n_layer": 2}}],
      "seeds": [1, 2]})");
    Made m;
    Workbench wb(counting_hooks(m));
    auto& doc = wb.document();
    bool opened = false;
    const auto diags = doc.open(QString::fromStdString(file.string()), &opened);
    ASSERT_TRUE(opened) << format_diagnostics(diags);
    EXPECT_TRUE(marks(diags, "runs[1].set.optim.lr"));
    EXPECT_EQ(doc.fileName(), QString::fromStdString(file.string()));
    // Marked at its field, shown as written.
    EXPECT_TRUE(marks(doc.diagnostics("bad"), "optim.lr"));
    EXPECT_EQ(doc.optionText("bad", "optim.lr"), "1e999");
    EXPECT_FALSE(has_errors(doc.diagnostics("good")));
    // The runs that use it cannot start (each seed); the others can.
    ASSERT_EQ(doc.plannedNames(), (QStringList{"good/seed-1", "good/seed-2", "bad/seed-1", "bad/seed-2"}));
    EXPECT_TRUE(wb.startProblem("good/seed-1").isEmpty()) << wb.startProblem("good/seed-1").toStdString();
    const QString why = wb.startProblem("bad/seed-2");
    EXPECT_TRUE(why.contains("optim.lr")) << why.toStdString();
    QSignalSpy log(&wb, &Workbench::logLine);
    wb.start("bad/seed-2");
    QCoreApplication::processEvents();
    EXPECT_FALSE(wb.isActive("bad/seed-2"));
    EXPECT_EQ(m.count.load(), 0);
    ASSERT_FALSE(log.isEmpty());
    EXPECT_TRUE(log.last().at(2).toString().contains("not started"));
    // Saved as it came (nothing dropped: seeds, the other override, the bad value to fix later).
    QString error;
    ASSERT_TRUE(doc.save(QString::fromStdString((dir / "q.json").string()), &error)) << error.toStdString();
    const ProjectLoad again = load_project(dir / "q.json");
    EXPECT_TRUE(opens_for_editing(again));
    EXPECT_EQ(again.project.seeds, (std::vector<int64_t>{1, 2}));
    ASSERT_EQ(again.project.runs.size(), 2u);
    EXPECT_EQ(again.project.runs[1].set, load_project(file).project.runs[1].set);
    // Fixed in place: it may start.
    EXPECT_TRUE(doc.setOption("bad", "optim.lr", "0.001").isEmpty());
    EXPECT_TRUE(wb.startProblem("bad/seed-2").isEmpty()) << wb.startProblem("bad/seed-2").toStdString();
    fs::remove_all(dir);
}

TEST(BridgeRules, AStepBudgetBelowTheStepReachedDoesNotStartTheRun) {
    const fs::path dir = scratch("budget");
    const fs::path file = dir / "p.json";
    write_file_atomic(file, R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
      "base": {"train": {"steps": 150}}, "runs": [{"name": "seqpe", "set": {}}]})");
    // The run stopped at step 106: its checkpoint (written before checksums: weights and an empty DONE).
    const fs::path ck = dir / "runs/seqpe/checkpoints/step-00000106";
    fs::create_directories(ck);
    write_file_atomic(ck / "model.pt", "weights");
    write_file_atomic(ck / "DONE", "");
    write_file_atomic(dir / "runs/seqpe/config.json", "{}");
    RunStatus st;
    st.state = RunState::Cancelled;
    st.step = 106;
    st.total_steps = 150;
    write_status(RunPaths{dir / "runs/seqpe"}, st);
    Made m;
    Workbench wb(counting_hooks(m));
    ASSERT_FALSE(has_errors(wb.document().open(QString::fromStdString(file.string()))));
    EXPECT_TRUE(wb.startProblem("seqpe").isEmpty()) << wb.startProblem("seqpe").toStdString();
    ASSERT_TRUE(wb.document().setOption("seqpe", "train.steps", "5").isEmpty()); // in range: accepted...
    const QString why = wb.startProblem("seqpe");                                // ...but it cannot run
    EXPECT_TRUE(why.contains("train.steps = 5")) << why.toStdString();
    EXPECT_TRUE(why.contains("106")) << why.toStdString();
    wb.start("seqpe");
    wb.step("seqpe");
    QCoreApplication::processEvents();
    EXPECT_EQ(m.count.load(), 0);
    EXPECT_EQ(wb.store().run("seqpe")->status.state, RunState::Cancelled); // never "completed"
    ASSERT_TRUE(wb.document().setOption("seqpe", "train.steps", "106").isEmpty());
    EXPECT_TRUE(wb.startProblem("seqpe").isEmpty());
    fs::remove_all(dir);
}

TEST(BridgeRules, AChangeAResumeWouldRefuseIsRefusedBeforeStartingNamingTheField) {
    const fs::path dir = scratch("resume-change");
    const fs::path file = dir / "p.json";
    write_file_atomic(file, R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
      "base": {"train": {"steps": 150}}, "runs": [{"name": "seqpe", "set": {}}]})");
    Made m;
    Workbench wb(counting_hooks(m));
    ASSERT_FALSE(has_errors(wb.document().open(QString::fromStdString(file.string()))));
    // The run started with the project's config as it is now, and stopped at step 50.
    const RunPaths run{dir / "runs/seqpe"};
    fs::create_directories(run.root);
    write_run_config(run, resolve_config(wb.document().config("seqpe")));
    RunStatus st;
    st.state = RunState::Cancelled;
    st.step = 50;
    st.total_steps = 150;
    write_status(run, st);
    wb.store().pollDisk();
    EXPECT_TRUE(wb.startProblem("seqpe").isEmpty()) << wb.startProblem("seqpe").toStdString();
    ASSERT_TRUE(wb.document().setOption("seqpe", "train.steps", "300").isEmpty()); // resumable
    EXPECT_TRUE(wb.startProblem("seqpe").isEmpty()) << wb.startProblem("seqpe").toStdString();
    ASSERT_TRUE(wb.document().setOption("seqpe", "model.n_layer", "3").isEmpty()); // not resumable
    const QString why = wb.startProblem("seqpe");
    EXPECT_TRUE(why.contains("model.n_layer = 2") && why.contains("now says 3")) << why.toStdString();
    wb.start("seqpe");
    QCoreApplication::processEvents();
    EXPECT_EQ(m.count.load(), 0); // refused before any trainer was made
    fs::remove_all(dir);
}

TEST(BridgeRules, ARunKeepsItsColourWhenOtherRunsAreRemovedOrAdded) {
    Made m;
    Workbench wb(counting_hooks(m));
    auto& doc = wb.document();
    for (const char* e : {"learned", "rope", "alibi", "sinusoidal"}) doc.addRun(e, e);
    const QStringList names = wb.store().names();
    ASSERT_EQ(names, (QStringList{"seqpe", "learned", "rope", "alibi", "sinusoidal"}));
    QHash<QString, int> before;
    for (const QString& n : names) before[n] = wb.store().colourOf(n);
    EXPECT_EQ(QSet<int>(before.begin(), before.end()).size(), 5); // all different
    doc.removeRun("learned");
    for (const QString& n : wb.store().names()) EXPECT_EQ(wb.store().colourOf(n), before[n]) << n.toStdString();
    doc.addRun("none", "none"); // takes the free colour, not one of the others'
    EXPECT_EQ(wb.store().colourOf("none"), before["learned"]);
    doc.removeRun("none");
    doc.addRun("learned", "learned"); // back: its own colour again
    EXPECT_EQ(wb.store().colourOf("learned"), before["learned"]);
    for (const QString& n : names) EXPECT_EQ(wb.store().colourOf(n), before[n]) << n.toStdString();
}
