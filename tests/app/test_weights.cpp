// Checkpoints from the workbench with the real engine, offscreen: export a run's checkpoint from
// the Checkpoints dialog, import it as a new run, and get bit-identical weights and the same
// evaluation; a damaged checkpoint is refused naming its step; a config of another model shape is
// refused naming the tensor; the Geometry view shows a chosen (older) checkpoint.
#include "../support/tiny_project.h"
#include "checkpoints_dialog.h"
#include "engine_hooks_real.h"
#include "log_panel.h"
#include "main_window.h"
#include "views/geometry_pane.h"
#include "views/geometry_view.h"

#include "seqpe/checkpoints.h"
#include "seqpe/common/files.h"
#include "seqpe/export.h"
#include "wait_for.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTableWidget>
#include <filesystem>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

TEST(Weights, ExportThenImportRoundTripsBitIdenticalWeightsAndTheSameEvaluation) {
    const fs::path dir = test::make_tiny_project("weights");
    const std::string cli = (fs::path(SEQPE_BINARY_DIR) / "cli/seqpe").string();
    ASSERT_EQ(
        std::system((cli + " train " + (dir / "projects/tiny.json").string() + " --run learned > /dev/null").c_str()),
        0);
    MainWindow w(realEngineHooks());
    w.setPrompts(false);
    w.show(); // the views probe only what is seen
    ASSERT_TRUE(w.openProject(QString::fromStdString((dir / "projects/tiny.json").string())));
    const RunView* v = w.workbench().store().run("learned");
    ASSERT_NE(v, nullptr);
    ASSERT_EQ(v->checkpoints.size(), 2u); // steps 20 and 10 (checkpoint_every 10)
    EXPECT_EQ(v->checkpoints[0].step, 20);

    // The dialog lists the checkpoints, newest first, and exports the chosen one.
    CheckpointsDialog* d = w.openCheckpoints("learned");
    ASSERT_NE(d, nullptr);
    ASSERT_EQ(d->table()->rowCount(), 2);
    EXPECT_EQ(d->table()->item(0, 0)->text(), "step 20");
    EXPECT_EQ(d->table()->item(1, 3)->text(), "complete");
    EXPECT_EQ(d->selectedRow(), 0);
    QSignalSpy exported(d, &CheckpointsDialog::exported);
    const fs::path out = dir / "exports/learned.safetensors";
    make_dirs(out.parent_path());
    ASSERT_TRUE(d->exportTo(0, QString::fromStdString(out.string()))) << d->message().toStdString();
    ASSERT_TRUE(wait_for([&] { return exported.count() == 1; }));
    ASSERT_TRUE(exported.at(0).at(0).toBool()) << exported.at(0).at(1).toString().toStdString();
    ASSERT_TRUE(fs::exists(safetensors_config_path(out)));

    // Imported as a new run of the project; probes and evaluation work on it at once.
    QSignalSpy imported(&w.workbench(), &Workbench::runImported);
    ASSERT_TRUE(w.importWeights(QString::fromStdString(out.string()),
                                QString::fromStdString(safetensors_config_path(out).string()), "colleague"));
    ASSERT_TRUE(wait_for([&] { return imported.count() == 1; })) << w.logPanel()->text().toStdString();
    const QString copy = imported.at(0).at(0).toString();
    EXPECT_EQ(copy, "imported/colleague");
    const RunView* c = w.workbench().store().run(copy);
    ASSERT_NE(c, nullptr);
    ASSERT_EQ(c->checkpoints.size(), 1u);
    EXPECT_EQ(c->checkpoints[0].step, 20);

    // Bit-identical weights: the imported run exports to the same bytes (same tensors, same
    // metadata: step, config hash).
    const fs::path again = dir / "exports/again.safetensors";
    export_safetensors(c->dir, again);
    EXPECT_EQ(read_file(again), read_file(out));

    // The same evaluation of both runs.
    QSignalSpy evaluated(&w.workbench(), &Workbench::evaluationFinished);
    w.workbench().evaluate("learned");
    w.workbench().evaluate(copy);
    ASSERT_TRUE(wait_for([&] { return evaluated.count() == 2; }, 240000)) << w.logPanel()->text().toStdString();
    const RunView* a = w.workbench().store().run("learned");
    c = w.workbench().store().run(copy);
    ASSERT_TRUE(a->report && c->report);
    ASSERT_EQ(a->report->rows.size(), 3u);
    ASSERT_EQ(c->report->rows.size(), a->report->rows.size());
    for (size_t i = 0; i < a->report->rows.size(); ++i) {
        EXPECT_EQ(c->report->rows[i].length, a->report->rows[i].length);
        EXPECT_DOUBLE_EQ(c->report->rows[i].ppl, a->report->rows[i].ppl) << "length " << a->report->rows[i].length;
    }

    // The Geometry view pointed at the older checkpoint probes that one.
    const fs::path older = a->checkpoints[1].dir;
    w.showTab("geometry");
    w.geometryView()->setRun("learned");
    w.workbench().probes().setCheckpoint("learned", older);
    GeometryPane* pane = w.geometryView()->pane(0);
    ASSERT_TRUE(wait_for([&] { return pane->hasResult() && pane->source() == "checkpoint step 10"; }, 30000))
        << pane->source().toStdString();
    w.workbench().probes().setCheckpoint("learned", {});
    ASSERT_TRUE(wait_for([&] { return pane->source() == "checkpoint step 20"; }, 30000))
        << pane->source().toStdString();

    // A damaged checkpoint is refused, naming its step; nothing is written.
    fs::resize_file(older / "model.pt", 100);
    const fs::path refused = dir / "exports/refused.safetensors";
    EXPECT_FALSE(d->exportTo(1, QString::fromStdString(refused.string())));
    EXPECT_TRUE(d->message().contains("step 10")) << d->message().toStdString();
    EXPECT_TRUE(d->message().contains("damaged")) << d->message().toStdString();
    EXPECT_FALSE(fs::exists(refused));

    // A config of another model shape is refused naming the tensor; no run is added.
    std::string cfg = read_file(safetensors_config_path(out));
    const std::string key = "\"d_model\": 32";
    ASSERT_NE(cfg.find(key), std::string::npos) << cfg;
    cfg.replace(cfg.find(key), key.size(), "\"d_model\": 48");
    write_file_atomic(dir / "exports/other.config.json", cfg);
    QSignalSpy done(&w.workbench().weights(), &WeightsTransfer::finished);
    const int runs = static_cast<int>(w.workbench().store().names().size());
    ASSERT_TRUE(w.importWeights(QString::fromStdString(out.string()),
                                QString::fromStdString((dir / "exports/other.config.json").string()), "other"));
    ASSERT_TRUE(wait_for([&] { return done.count() == 1; }));
    EXPECT_FALSE(done.at(0).at(0).toBool());
    EXPECT_TRUE(done.at(0).at(1).toString().contains("'wte.weight' has shape ["))
        << done.at(0).at(1).toString().toStdString();
    EXPECT_EQ(static_cast<int>(w.workbench().store().names().size()), runs);
    EXPECT_FALSE(fs::exists(w.workbench().importFolder() / "other"));
    d->close();
    fs::remove_all(dir);
}
