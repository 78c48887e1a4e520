// Values the workbench must refuse, through the real window offscreen: a number that fails its
// field's check typed in the Configuration panel, a project file that holds one, Start for a run
// that cannot train. Nothing invalid may reach the project file, and nothing is lost.
#include "../support/tiny_project.h"
#include "config_panel.h"
#include "engine_hooks_real.h"
#include "log_panel.h"
#include "main_window.h"

#include "seqpe/common/files.h"
#include "seqpe/widgets/config_form.h"
#include "wait_for.h"

#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableView>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::ui;
namespace fs = std::filesystem;

namespace {

void activate(QWidget& w) {
    w.show();
    w.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
}

// Types into a field as a user does: focus, select all, type, Enter.
void typeInto(QWidget* editor, const QString& text) {
    ASSERT_NE(editor, nullptr);
    editor->setFocus(Qt::OtherFocusReason);
    if (auto* le = qobject_cast<QLineEdit*>(editor)) {
        le->selectAll();
        QTest::keyClick(le, Qt::Key_Backspace);
    } else if (auto* sb = qobject_cast<QSpinBox*>(editor)) {
        sb->selectAll();
    }
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
}

QString tinyFile(const fs::path& dir) {
    return QString::fromStdString((dir / "projects/tiny.json").string());
}

} // namespace

TEST(EditingRules, ATypedValueThatFailsItsCheckStaysInTheFieldAndNeverReachesTheProject) {
    const fs::path dir = test::make_tiny_project("app-refuse");
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir)));
    w.selectRun("learned");
    ConfigForm* form = w.configPanel()->form();
    auto& doc = w.workbench().document();
    const QString before = doc.differences("learned");
    ASSERT_TRUE(w.action("start")->isEnabled());

    typeInto(form->editorFor("optim.lr"), "1e999");
    EXPECT_EQ(qobject_cast<QLineEdit*>(form->editorFor("optim.lr"))->text(), "1e999"); // what was typed stays
    EXPECT_EQ(form->fieldState("optim.lr"), FieldState::Error);
    EXPECT_TRUE(form->fieldMessage("optim.lr").contains("1e999")) << form->fieldMessage("optim.lr").toStdString();
    EXPECT_EQ(doc.differences("learned"), before); // the document never saw it
    EXPECT_FALSE(doc.isModified());
    EXPECT_FALSE(w.action("start")->isEnabled());
    EXPECT_TRUE(w.action("start")->toolTip().contains("optim.lr")) << w.action("start")->toolTip().toStdString();
    // Start through the space bar is refused too, saying why.
    QTest::keyClick(w.runsView(), Qt::Key_Space);
    QCoreApplication::processEvents();
    EXPECT_FALSE(w.workbench().isActive("learned"));
    EXPECT_TRUE(w.logPanel()->text().contains("not started")) << w.logPanel()->text().toStdString();

    // A negative step budget stays negative and refused (it used to become 5).
    typeInto(form->editorFor("train.steps"), "-5");
    EXPECT_EQ(qobject_cast<QSpinBox*>(form->editorFor("train.steps"))->value(), -5);
    EXPECT_EQ(form->fieldState("train.steps"), FieldState::Error);
    EXPECT_EQ(doc.config("learned").train.steps, 20);

    // Esc in each field puts back the project's value; Start is enabled again.
    for (const char* f : {"optim.lr", "train.steps"}) {
        form->editorFor(f)->setFocus();
        QTest::keyClick(form->editorFor(f), Qt::Key_Escape);
    }
    EXPECT_TRUE(form->refusedPaths().isEmpty());
    EXPECT_EQ(form->value("train.steps"), "20");
    EXPECT_TRUE(w.action("start")->isEnabled()) << w.action("start")->toolTip().toStdString();

    // A good value goes in; the file saved has no trace of the refused ones.
    typeInto(form->editorFor("optim.lr"), "0.004");
    EXPECT_EQ(doc.config("learned").optim.lr, 0.004);
    w.action("save")->trigger();
    const std::string saved = read_file(dir / "projects/tiny.json");
    EXPECT_EQ(saved.find("1e999"), std::string::npos);
    EXPECT_NE(saved.find("0.004"), std::string::npos);
    fs::remove_all(dir);
}

TEST(EditingRules, AProjectFileWithABadValueOpensWithTheValueMarkedInPlace) {
    const fs::path dir = test::make_tiny_project("app-badvalue");
    std::string text = read_file(dir / "projects/tiny.json");
    const std::string key = "\"position_encoding.type\": \"learned\"";
    ASSERT_NE(text.find(key), std::string::npos) << text;
    text.replace(text.find(key), key.size(), key + ", \"optim.lr\": \"1e999\"");
    write_file_atomic(dir / "projects/tiny.json", text);
    MainWindow w(realEngineHooks());
    activate(w);
    ASSERT_TRUE(w.openProject(tinyFile(dir))) << w.logPanel()->text().toStdString();
    EXPECT_TRUE(w.windowTitle().startsWith("tiny.json")); // that file, not an empty untitled window
    EXPECT_EQ(w.selectedRun(), "learned");                // the run with the problem, in the editor
    EXPECT_EQ(w.configPanel()->target(), "learned");
    ConfigForm* form = w.configPanel()->form();
    EXPECT_EQ(qobject_cast<QLineEdit*>(form->editorFor("optim.lr"))->text(), "1e999");
    EXPECT_EQ(form->fieldState("optim.lr"), FieldState::Error);
    EXPECT_FALSE(w.action("start")->isEnabled());
    w.selectRun("seqpe"); // the other run is fine
    EXPECT_TRUE(w.action("start")->isEnabled()) << w.action("start")->toolTip().toStdString();
    // Fixed in the form: the learned run can start.
    w.selectRun("learned");
    typeInto(form->editorFor("optim.lr"), "0.001");
    EXPECT_TRUE(w.action("start")->isEnabled()) << w.action("start")->toolTip().toStdString();
    fs::remove_all(dir);
}
