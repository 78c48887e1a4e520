// The workbench under a user's hands: remove and re-add a trained run, close with unsaved edits
// while a run trains, undo order across fields. Driven through the real widgets (actions, dialogs,
// keys) offscreen, with the real engine.
#include "../support/tiny_project.h"
#include "add_run_dialog.h"
#include "config_panel.h"
#include "engine_hooks_real.h"
#include "log_panel.h"
#include "main_window.h"
#include "project_history.h"
#include "views/attention_pane.h"
#include "views/attention_view.h"
#include "views/geometry_pane.h"
#include "views/geometry_view.h"

#include "seqpe/widgets/config_form.h"
#include "seqpe/widgets/diagnostics_list.h"
#include "wait_for.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

namespace {

// Answers the next Add Run dialog with a task entry ("lm", "algorithmic:copy") and an encoding.
void answerNextAddRun(const QString& task, const QString& encoding) {
    QTimer::singleShot(0, [task, encoding] {
        auto* d = qobject_cast<AddRunDialog*>(QApplication::activeModalWidget());
        if (!d) return;
        d->choose(task, encoding);
        d->accept();
    });
}

// Answers the next modal QMessageBox with `button`; `seen` counts the questions asked.
void answerNextMessageBox(QMessageBox::StandardButton button, int* seen) {
    QTimer::singleShot(50, [button, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        ++*seen;
        box->button(button)->click();
    });
}

void activate(QWidget& w) {
    w.show();
    w.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
}

// Types `text` into a spin box of the config form as a user would (the field has the focus) and
// leaves the field reported (Enter).
void typeInto(QWidget* editor, const QString& text) {
    auto* spin = qobject_cast<QSpinBox*>(editor);
    ASSERT_NE(spin, nullptr);
    spin->setFocus(Qt::OtherFocusReason);
    spin->selectAll();
    QTest::keyClicks(spin, text);
    QTest::keyClick(spin, Qt::Key_Return);
}

QString tinyFile(const fs::path& dir) {
    return QString::fromStdString((dir / "projects/tiny.json").string());
}

void trainWithCli(const fs::path& dir, const std::string& run) {
    const std::string cli = (fs::path(SEQPE_BINARY_DIR) / "cli/seqpe").string();
    ASSERT_EQ(std::system(
                  (cli + " train " + (dir / "projects/tiny.json").string() + " --run " + run + " > /dev/null").c_str()),
              0);
}

} // namespace

TEST(Editing, RemovingATrainedRunAndAddingItAgainKeepsTheWindowAlive) {
    const fs::path dir = test::make_tiny_project("app-readd");
    trainWithCli(dir, "learned");
    MainWindow w(realEngineHooks());
    w.show();
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    ASSERT_EQ(w.selectedRun(), "learned");
    QCoreApplication::processEvents();
    w.action("removeRun")->trigger();
    QCoreApplication::processEvents();
    EXPECT_FALSE(w.workbench().document().runNames().contains("learned"));
    answerNextAddRun("lm", "learned");
    w.action("addRun")->trigger();
    for (int i = 0; i < 20; ++i) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    EXPECT_TRUE(w.workbench().document().runNames().contains("learned"));
    EXPECT_EQ(w.selectedRun(), "learned");
    const RunView* v = w.workbench().store().run("learned");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->status.state, RunState::Completed); // its directory is still there: the run's records come back
    fs::remove_all(dir);
}

TEST(Editing, CloseDuringTrainingAsksAboutUnsavedEditsFirstThenStopsTheRunCleanly) {
    const fs::path dir = test::make_tiny_project("app-close", 100000);
    MainWindow w(realEngineHooks());
    w.setPrompts(true);
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    typeInto(w.configPanel()->form()->editorFor("model.n_layer"), "2");
    ASSERT_TRUE(w.workbench().document().isModified());
    ASSERT_TRUE(w.windowTitle().contains("tiny.json*"));
    w.action("start")->trigger();
    wait_for(
        [&] {
            const RunView* v = w.workbench().store().run("learned");
            return v && v->lastOf("train");
        },
        120000);
    ASSERT_TRUE(w.workbench().isActive("learned")) << w.logPanel()->text().toStdString();

    // Ctrl+Q, Cancel: the window and the run go on.
    int asked = 0;
    answerNextMessageBox(QMessageBox::Cancel, &asked);
    QTest::keyClick(&w, Qt::Key_Q, Qt::ControlModifier);
    QCoreApplication::processEvents();
    EXPECT_EQ(asked, 1) << "no question about the unsaved edits";
    EXPECT_TRUE(w.isVisible());
    EXPECT_TRUE(w.workbench().isActive("learned"));
    EXPECT_TRUE(w.workbench().document().isModified());

    // Ctrl+Q, Discard: the run stops at a step boundary with a checkpoint, then the window closes.
    activate(w); // the question box had the focus
    answerNextMessageBox(QMessageBox::Discard, &asked);
    QTest::keyClick(&w, Qt::Key_Q, Qt::ControlModifier);
    wait_for([&] { return !w.isVisible(); }, 120000);
    EXPECT_EQ(asked, 2);
    EXPECT_FALSE(w.isVisible());
    EXPECT_FALSE(w.workbench().anyActive());
    const auto st = read_status(RunPaths{dir / "runs/tiny/learned"});
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(st->state, RunState::Cancelled);
    EXPECT_TRUE(latest_checkpoint(RunPaths{dir / "runs/tiny/learned"}).has_value());
    fs::remove_all(dir);
}

TEST(Editing, EveryShortcutBelongsToOneAction) {
    // Qt fires neither action of a shortcut that two share (Export Figure and Evaluate once did).
    MainWindow w(realEngineHooks());
    QMap<QString, QString> owner;
    for (QAction* a : w.findChildren<QAction*>()) {
        if (a->text().isEmpty()) continue;
        for (const QKeySequence& k : a->shortcuts()) {
            const QString key = k.toString();
            EXPECT_FALSE(owner.contains(key))
                << key.toStdString() << ": " << owner.value(key).toStdString() << " and " << a->text().toStdString();
            owner.insert(key, a->text());
        }
    }
    EXPECT_TRUE(owner.contains("Ctrl+E") && owner.contains("Ctrl+Alt+E"));
}

TEST(Editing, CtrlZFollowsTheProjectHistoryNotTheFocusedField) {
    const fs::path dir = test::make_tiny_project("app-undo");
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    ConfigForm* form = w.configPanel()->form();
    auto& doc = w.workbench().document();
    typeInto(form->editorFor("model.n_head"), "4");
    typeInto(form->editorFor("model.d_model"), "64");
    EXPECT_EQ(doc.differences("learned"), "position_encoding.type=\"learned\", model.n_head=4, model.d_model=64");
    EXPECT_EQ(w.action("undo")->text().remove('&'), "Undo Edit model.d_model of learned");

    // The focus is still in d_model's field; Ctrl+Z there undoes the project's last edit, then the one before.
    QWidget* focus = QApplication::focusWidget();
    ASSERT_NE(focus, nullptr);
    ASSERT_TRUE(form->isAncestorOf(focus));
    QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(doc.differences("learned"), "position_encoding.type=\"learned\", model.n_head=4");
    EXPECT_EQ(form->value("model.d_model"), "32");
    EXPECT_EQ(w.action("undo")->text().remove('&'), "Undo Edit model.n_head of learned");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(doc.differences("learned"), "position_encoding.type=\"learned\"");
    EXPECT_EQ(form->value("model.n_head"), "2");
    EXPECT_FALSE(doc.isModified());              // back at the saved state
    EXPECT_EQ(w.history()->stack()->count(), 2); // the undos added no edits of their own
    // Ctrl+Shift+Z redoes, in order.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_EQ(doc.differences("learned"), "position_encoding.type=\"learned\", model.n_head=4");
    EXPECT_TRUE(doc.isModified());
    fs::remove_all(dir);
}

TEST(Editing, RemoveRunIsUndoableAndKeepsTheRunDirectory) {
    const fs::path dir = test::make_tiny_project("app-remove");
    trainWithCli(dir, "learned");
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    w.action("removeRun")->trigger();
    EXPECT_EQ(w.workbench().document().runNames(), QStringList{"seqpe"});
    EXPECT_TRUE(fs::exists(dir / "runs/tiny/learned/config.json")); // never deleted from the window
    EXPECT_TRUE(w.logPanel()->text().contains("stays on disk"));
    EXPECT_EQ(w.action("undo")->text().remove('&'), "Undo Remove run learned");
    QTest::keyClick(&w, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(w.workbench().document().runNames(), (QStringList{"seqpe", "learned"}));
    EXPECT_FALSE(w.workbench().document().isModified());
    EXPECT_EQ(w.selectedRun(), "learned");
    const RunView* v = w.workbench().store().run("learned");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->status.state, RunState::Completed);
    EXPECT_EQ(v->series("train", "loss").size(), 20);
    fs::remove_all(dir);
}

namespace {
// The widgets whose minimum size hint is wider or taller than `limit` (for the failure message).
std::string offenders(QWidget* root, QSize limit) {
    std::string out;
    for (QWidget* c : root->findChildren<QWidget*>()) {
        if (!c->isVisible()) continue;
        const QSize m = c->minimumSizeHint().expandedTo(c->minimumSize());
        if (m.width() > limit.width() || m.height() > limit.height())
            out += std::string(c->metaObject()->className()) + " '" + c->objectName().toStdString() + "' " +
                   std::to_string(m.width()) + "x" + std::to_string(m.height()) + "\n";
    }
    return out;
}
} // namespace

TEST(Editing, TheWindowWorksAt1000x700WithoutGrowingItself) {
    const fs::path dir = test::make_tiny_project("app-small");
    trainWithCli(dir, "seqpe");
    MainWindow w(realEngineHooks());
    w.resize(1000, 700);
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("seqpe");
    for (const char* tab : {"training", "diagnostics", "geometry", "extrapolation", "attention"}) {
        ASSERT_TRUE(w.showTab(tab));
        for (int i = 0; i < 30; ++i) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        EXPECT_EQ(w.size(), QSize(1000, 700)) << tab;
        const QSize hint = w.minimumSizeHint();
        EXPECT_LE(hint.width(), 1000) << tab << "\n" << offenders(&w, QSize(600, 500));
        EXPECT_LE(hint.height(), 700) << tab << "\n" << offenders(&w, QSize(600, 500));
    }
    fs::remove_all(dir);
}

TEST(Editing, AttentionShowsAUsersOwnText) {
    const fs::path dir = test::make_tiny_project("app-text");
    trainWithCli(dir, "learned");
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    ASSERT_TRUE(w.showTab("attention"));
    AttentionView* view = w.attentionView();
    view->setCustomText(QStringLiteral("Hello, Union"));
    AttentionPane* pane = view->pane(0);
    wait_for([&] { return pane->hasMap() && pane->map().tokens == 12; }, 60000);
    ASSERT_TRUE(pane->hasMap()) << pane->infoLabel()->text().toStdString();
    EXPECT_EQ(pane->map().tokens, 12); // the tiny project's byte tokenizer: one token per byte
    EXPECT_EQ(pane->map().labels.value(0), "H");
    // Cleared: the test split's window again.
    view->setCustomText(QString());
    wait_for([&] { return pane->hasMap() && pane->map().tokens != 12; }, 60000);
    EXPECT_NE(pane->map().tokens, 12);
    fs::remove_all(dir);
}

TEST(Editing, GeometryControlsSayWhatTheScrubbedSnapshotShows) {
    const fs::path dir = test::make_tiny_project("app-scrub");
    const std::string cli = (fs::path(SEQPE_BINARY_DIR) / "cli/seqpe").string();
    ASSERT_EQ(std::system((cli + " train " + (dir / "projects/tiny.json").string() +
                           " --run seqpe --set train.snapshot_every=5 > /dev/null")
                              .c_str()),
              0);
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("seqpe");
    ASSERT_TRUE(w.showTab("geometry"));
    GeometryView* view = w.geometryView();
    wait_for([&] { return view->snapshotCount() >= 2; }, 20000);
    ASSERT_GE(view->snapshotCount(), 2);
    EXPECT_EQ(view->currentRequest().metric, "centred"); // learned embeddings open centred
    view->setLayer(0);                                   // the layer-0 query-PE x key-PE score, over 5 positions
    view->setPositions(0, 5);
    ASSERT_EQ(view->currentRequest().layer, 0);
    view->scrubber()->setValue(0); // the first snapshot: position embeddings, default positions
    wait_for([&] { return view->pane(0)->hasResult() && view->pane(0)->source().startsWith("snapshot"); }, 20000);
    const GeometryRequest shown = view->currentRequest();
    EXPECT_EQ(shown.layer, -1);
    EXPECT_EQ(shown.metric, view->pane(0)->result().metric);
    EXPECT_EQ(shown.count, static_cast<int64_t>(view->pane(0)->result().positions.size()));
    // A control changed while scrubbing asks the model: the scrubber goes back to the newest.
    view->setMetric("l2");
    EXPECT_EQ(view->scrubber()->value(), view->snapshotCount());
    fs::remove_all(dir);
}

TEST(Editing, AProjectThatCannotBeOpenedSaysWhyWhereTheUserLooks) {
    const fs::path dir = test::make_tiny_project("app-badopen");
    {
        std::ofstream(dir / "projects/bad.json") << "{\"format\": \"seqpe-project/1\", \"runs\": [{\"name\": \"a\"}],\n"
                                                    " \"base\": {\"model\": {\"n_layer\": 2, \"n_layer\": 3}}}";
    }
    MainWindow w(realEngineHooks());
    activate(w);
    EXPECT_FALSE(w.openProject(QString::fromStdString((dir / "projects/bad.json").string())));
    const DiagnosticsList* list = w.configPanel()->diagnosticsList();
    ASSERT_EQ(list->errorCount(), 1);
    const QString msg = list->diagnostics().front().message;
    EXPECT_TRUE(msg.contains("bad.json: base.model.n_layer: written twice")) << msg.toStdString();
    EXPECT_FALSE(w.windowTitle().contains("bad.json")); // the open document is not that file
    fs::remove_all(dir);
}
