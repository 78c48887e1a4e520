// ConfigForm and DiagnosticsList: problems shown on their field, typed edits reported, undo/redo,
// no echo of programmatic values, base differences, relevance, filter, focus from the list.
#include "seqpe/widgets/config_form.h"
#include "seqpe/widgets/diagnostics_list.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QUndoStack>

#include <gtest/gtest.h>

using namespace seqpe::ui;

namespace {

QVector<FieldSpec> sampleFields() {
    QVector<FieldSpec> f;
    f.append({QStringLiteral("model.n_layer"),
              QString(),
              FieldSpec::Int,
              {},
              1.0,
              64.0,
              QStringLiteral("transformer blocks"),
              false});
    f.append({QStringLiteral("model.encoding"),
              QString(),
              FieldSpec::Choice,
              {QStringLiteral("learned"), QStringLiteral("rope"), QStringLiteral("alibi")},
              std::nullopt,
              std::nullopt,
              QStringLiteral("position encoding"),
              false});
    f.append({QStringLiteral("optim.lr"),
              QString(),
              FieldSpec::Float,
              {},
              0.0,
              1.0,
              QStringLiteral("learning rate"),
              false});
    f.append({QStringLiteral("data.name"),
              QString(),
              FieldSpec::String,
              {},
              std::nullopt,
              std::nullopt,
              QStringLiteral("dataset"),
              false});
    f.append({QStringLiteral("eval.lengths"),
              QString(),
              FieldSpec::IntList,
              {},
              1.0,
              std::nullopt,
              QStringLiteral("evaluation lengths"),
              false});
    f.append({QStringLiteral("train.amp"),
              QString(),
              FieldSpec::Bool,
              {},
              std::nullopt,
              std::nullopt,
              QStringLiteral("mixed precision"),
              true});
    return f;
}

QMap<QString, QString> sampleValues() {
    return {{QStringLiteral("model.n_layer"), QStringLiteral("6")},
            {QStringLiteral("model.encoding"), QStringLiteral("\"rope\"")},
            {QStringLiteral("optim.lr"), QStringLiteral("0.01")},
            {QStringLiteral("data.name"), QStringLiteral("sotu")},
            {QStringLiteral("eval.lengths"), QStringLiteral("[128,256]")},
            {QStringLiteral("train.amp"), QStringLiteral("false")}};
}

QLabel* messageLabel(ConfigForm& form, const QString& path) {
    QWidget* editor = form.editorFor(path);
    return editor ? editor->parentWidget()->findChild<QLabel*>(QStringLiteral("fieldMessage")) : nullptr;
}

void typeAndCommit(QLineEdit* le, const QString& text) {
    le->selectAll();
    QTest::keyClick(le, Qt::Key_Backspace);
    QTest::keyClicks(le, text);
    QTest::keyClick(le, Qt::Key_Return); // editingFinished reports at once (no debounce wait)
}

} // namespace

TEST(WidgetsConfigForm, SetValuesShowsEngineTextWithoutEchoing) {
    ConfigForm form;
    form.setFields(sampleFields());
    QSignalSpy edited(&form, &ConfigForm::valueEdited);
    form.setValues(sampleValues());
    EXPECT_EQ(edited.count(), 0);
    EXPECT_EQ(form.value(QStringLiteral("model.n_layer")), QStringLiteral("6"));
    EXPECT_EQ(form.value(QStringLiteral("model.encoding")), QStringLiteral("rope"));
    EXPECT_EQ(form.value(QStringLiteral("optim.lr")), QStringLiteral("0.01"));
    EXPECT_EQ(form.value(QStringLiteral("eval.lengths")), QStringLiteral("[128,256]"));
    EXPECT_EQ(form.value(QStringLiteral("train.amp")), QStringLiteral("false"));
    EXPECT_EQ(qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("eval.lengths")))->text(),
              QStringLiteral("128, 256"));
    EXPECT_EQ(form.undoStack()->count(), 0);
}

TEST(WidgetsConfigForm, DiagnosticIsShownOnItsField) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    const QString msg = QStringLiteral("4 does not divide model.d_model = 130; choose a divisor of 130");
    form.setDiagnostics({{QStringLiteral("model.n_layer"), msg, true},
                         {QStringLiteral("optim.lr"), QStringLiteral("large learning rate"), false}});
    EXPECT_EQ(form.fieldState(QStringLiteral("model.n_layer")), FieldState::Error);
    EXPECT_EQ(form.fieldMessage(QStringLiteral("model.n_layer")), msg);
    QLabel* label = messageLabel(form, QStringLiteral("model.n_layer"));
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->text(), msg);
    EXPECT_FALSE(label->isHidden());
    EXPECT_EQ(form.fieldState(QStringLiteral("optim.lr")), FieldState::Warning);
    EXPECT_EQ(form.fieldState(QStringLiteral("data.name")), FieldState::Normal);
    EXPECT_TRUE(messageLabel(form, QStringLiteral("data.name"))->isHidden());

    form.setDiagnostics({});
    EXPECT_EQ(form.fieldState(QStringLiteral("model.n_layer")), FieldState::Normal);
    EXPECT_TRUE(label->isHidden());
}

TEST(WidgetsConfigForm, AdvancedFieldsHiddenUnlessShownOrInTrouble) {
    ConfigForm form;
    form.setFields(sampleFields());
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("train.amp")));
    form.setDiagnostics({{QStringLiteral("train.amp"), QStringLiteral("needs a GPU"), true}});
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("train.amp")));
    form.setDiagnostics({});
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("train.amp")));
    form.showAdvanced(true);
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("train.amp")));
}

TEST(WidgetsConfigForm, TypingEmitsValueEditedWithTheText) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    QSignalSpy edited(&form, &ConfigForm::valueEdited);
    auto* lr = qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("optim.lr")));
    ASSERT_NE(lr, nullptr);
    lr->selectAll();
    QTest::keyClick(lr, Qt::Key_Backspace);
    QTest::keyClicks(lr, QStringLiteral("0.001"));
    // Debounced: reported once typing pauses (QSignalSpy::wait returns as soon as it arrives).
    while (edited.isEmpty() || edited.last().at(1).toString() != QStringLiteral("0.001"))
        ASSERT_TRUE(edited.wait(2000));
    EXPECT_EQ(edited.last().at(0).toString(), QStringLiteral("optim.lr"));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("0.001"));
    EXPECT_EQ(form.value(QStringLiteral("optim.lr")), QStringLiteral("0.001"));

    auto* amp = qobject_cast<QCheckBox*>(form.editorFor(QStringLiteral("train.amp")));
    amp->click(); // immediate
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("true"));
    auto* enc = qobject_cast<QComboBox*>(form.editorFor(QStringLiteral("model.encoding")));
    enc->setCurrentIndex(enc->findText(QStringLiteral("alibi")));
    EXPECT_EQ(edited.last().at(0).toString(), QStringLiteral("model.encoding"));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("alibi"));
    typeAndCommit(qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("eval.lengths"))), QStringLiteral("1, 2,4"));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("[1,2,4]"));
    auto* layers = qobject_cast<QSpinBox*>(form.editorFor(QStringLiteral("model.n_layer")));
    layers->setValue(12);
    ASSERT_TRUE(edited.wait(2000));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("12"));
}

TEST(WidgetsConfigForm, UndoRestoresAndRedoReapplies) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    QSignalSpy edited(&form, &ConfigForm::valueEdited);
    auto* lr = qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("optim.lr")));
    typeAndCommit(lr, QStringLiteral("0.5"));
    ASSERT_EQ(edited.count(), 1);
    typeAndCommit(qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("data.name"))), QStringLiteral("wiki"));
    ASSERT_EQ(edited.count(), 2);
    ASSERT_EQ(form.undoStack()->count(), 2);

    form.undoStack()->undo();
    EXPECT_EQ(form.value(QStringLiteral("data.name")), QStringLiteral("sotu"));
    form.undoStack()->undo();
    EXPECT_EQ(form.value(QStringLiteral("optim.lr")), QStringLiteral("0.01"));
    EXPECT_EQ(lr->text(), QStringLiteral("0.01"));
    ASSERT_EQ(edited.count(), 4);
    EXPECT_EQ(edited.last().at(0).toString(), QStringLiteral("optim.lr"));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("0.01"));

    form.undoStack()->redo();
    EXPECT_EQ(form.value(QStringLiteral("optim.lr")), QStringLiteral("0.5"));
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("0.5"));
    EXPECT_EQ(edited.count(), 5);
}

TEST(WidgetsConfigForm, WithUndoOffEditsAreOnlyReported) {
    // An owner with its own history (the workbench's project undo) switches the form's off.
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    form.setUndoEnabled(false);
    QSignalSpy edited(&form, &ConfigForm::valueEdited);
    typeAndCommit(qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("optim.lr"))), QStringLiteral("0.5"));
    ASSERT_EQ(edited.count(), 1);
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("0.5"));
    EXPECT_EQ(form.undoStack()->count(), 0);
}

TEST(WidgetsConfigForm, LocalCheckMarksUnparsableNumbers) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    auto* lr = qobject_cast<QLineEdit*>(form.editorFor(QStringLiteral("optim.lr")));
    typeAndCommit(lr, QStringLiteral("2"));
    EXPECT_EQ(form.fieldState(QStringLiteral("optim.lr")), FieldState::Error); // above max 1
    EXPECT_FALSE(form.fieldMessage(QStringLiteral("optim.lr")).isEmpty());
    typeAndCommit(lr, QStringLiteral("1e-4"));
    EXPECT_EQ(form.fieldState(QStringLiteral("optim.lr")), FieldState::Normal);
}

TEST(WidgetsConfigForm, BaseDifferencesRelevanceAndFilter) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    QMap<QString, QString> base = sampleValues();
    base[QStringLiteral("model.n_layer")] = QStringLiteral("12");
    base[QStringLiteral("optim.lr")] = QStringLiteral("1e-2"); // same number, other spelling
    form.setBaseValues(base);
    EXPECT_TRUE(form.differsFromBase(QStringLiteral("model.n_layer")));
    EXPECT_FALSE(form.differsFromBase(QStringLiteral("optim.lr")));
    EXPECT_FALSE(form.differsFromBase(QStringLiteral("model.encoding")));

    QSet<QString> relevant;
    for (const FieldSpec& f : sampleFields()) relevant.insert(f.path);
    relevant.remove(QStringLiteral("data.name"));
    form.setRelevant(relevant);
    EXPECT_FALSE(form.isRelevant(QStringLiteral("data.name")));
    EXPECT_FALSE(form.editorFor(QStringLiteral("data.name"))->isEnabled());
    EXPECT_TRUE(form.editorFor(QStringLiteral("optim.lr"))->isEnabled());

    form.setFilter(QStringLiteral("learning"));
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("optim.lr")));
    EXPECT_FALSE(form.isFieldShown(QStringLiteral("model.n_layer")));
    form.setFilter(QString());
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("model.n_layer")));
}

TEST(WidgetsDiagnosticsList, ClickFocusesTheField) {
    ConfigForm form;
    form.resize(500, 300);
    form.setFields(sampleFields());
    DiagnosticsList list;
    const QVector<FieldDiagnostic> diags{{QStringLiteral("eval.lengths"), QStringLiteral("warn"), false},
                                         {QStringLiteral("train.amp"), QStringLiteral("needs a GPU"), true},
                                         {QString(), QStringLiteral("project file is old"), false}};
    list.setDiagnostics(diags);
    EXPECT_EQ(list.count(), 3);
    EXPECT_EQ(list.errorCount(), 1);
    EXPECT_TRUE(list.diagnostics().first().error); // errors first
    QObject::connect(&list, &DiagnosticsList::fieldActivated, &form, &ConfigForm::focusField);
    QSignalSpy activated(&list, &DiagnosticsList::fieldActivated);
    form.show();
    form.setFilter(QStringLiteral("n_layer")); // hides the target: focusing must undo that
    list.activate(0);
    ASSERT_EQ(activated.count(), 1);
    EXPECT_EQ(activated.at(0).at(0).toString(), QStringLiteral("train.amp"));
    EXPECT_TRUE(form.isFieldShown(QStringLiteral("train.amp")));
    EXPECT_EQ(form.focusWidget(), form.editorFor(QStringLiteral("train.amp")));
    list.activate(2); // no field: nothing to focus
    EXPECT_EQ(activated.count(), 1);
}

// A typed minus in an integer field is kept (a spin box limited to [1, 64] dropped it: -5 became 5,
// a value in range the owner then accepted); the value is out of range, marked, and reported.
TEST(WidgetsConfigForm, ANegativeIntegerIsKeptAndMarkedNeverTurnedIntoAnotherNumber) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    QSignalSpy edited(&form, &ConfigForm::valueEdited);
    auto* layers = qobject_cast<QSpinBox*>(form.editorFor(QStringLiteral("model.n_layer")));
    ASSERT_NE(layers, nullptr);
    layers->setFocus();
    layers->selectAll();
    QTest::keyClicks(layers, QStringLiteral("-5"));
    QTest::keyClick(layers, Qt::Key_Return);
    EXPECT_EQ(layers->value(), -5);
    ASSERT_FALSE(edited.isEmpty());
    EXPECT_EQ(edited.last().at(1).toString(), QStringLiteral("-5"));
    EXPECT_EQ(form.fieldState(QStringLiteral("model.n_layer")), FieldState::Error);
    EXPECT_TRUE(form.fieldMessage(QStringLiteral("model.n_layer")).contains(QStringLiteral("below the minimum 1")));
    // The arrows stay in range: one step up from -5 lands on the minimum, never beyond the maximum.
    layers->stepUp();
    EXPECT_EQ(layers->value(), 1);
    layers->setValue(64);
    layers->stepUp();
    EXPECT_EQ(layers->value(), 64);
}

// The owner refuses a value (it failed a check only it knows): the field keeps the typed text and
// the reason, setValues() leaves it alone, the form's undo history does not take it, and Esc puts
// back the accepted value.
TEST(WidgetsConfigForm, ARefusedEditKeepsTheTypedTextUntilFixedOrReverted) {
    ConfigForm form;
    form.setFields(sampleFields());
    form.setValues(sampleValues());
    const QString lr = QStringLiteral("optim.lr");
    QObject::connect(&form, &ConfigForm::valueEdited, &form, [&](const QString& path, const QString& text) {
        if (path == lr && text == QStringLiteral("0.3")) form.refuseEdit(path, QStringLiteral("0.3 is not allowed"));
    });
    QSignalSpy refused(&form, &ConfigForm::refusedChanged);
    auto* edit = qobject_cast<QLineEdit*>(form.editorFor(lr));
    typeAndCommit(edit, QStringLiteral("0.3"));
    EXPECT_EQ(form.refusedPaths(), QStringList{lr});
    EXPECT_EQ(form.refusedReason(lr), QStringLiteral("0.3 is not allowed"));
    EXPECT_EQ(form.fieldState(lr), FieldState::Error);
    EXPECT_TRUE(form.fieldMessage(lr).startsWith(QStringLiteral("0.3 is not allowed")));
    EXPECT_EQ(form.undoStack()->count(), 0);
    EXPECT_GE(refused.count(), 1);
    // The owner's refresh does not overwrite what the user typed.
    form.setValues(sampleValues());
    EXPECT_EQ(edit->text(), QStringLiteral("0.3"));
    // Esc: back to the accepted value, no error.
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_Escape);
    EXPECT_TRUE(form.refusedPaths().isEmpty());
    EXPECT_EQ(edit->text(), QStringLiteral("0.01"));
    EXPECT_EQ(form.fieldState(lr), FieldState::Normal);
    // Refused again, then fixed by typing an accepted value: the refusal ends, the edit is kept.
    typeAndCommit(edit, QStringLiteral("0.3"));
    ASSERT_EQ(form.refusedPaths(), QStringList{lr});
    typeAndCommit(edit, QStringLiteral("0.02"));
    EXPECT_TRUE(form.refusedPaths().isEmpty());
    EXPECT_EQ(form.value(lr), QStringLiteral("0.02"));
    EXPECT_EQ(form.undoStack()->count(), 1);
    form.undoStack()->undo();
    EXPECT_EQ(form.value(lr), QStringLiteral("0.01")); // the refused 0.3 was never a step of the history
}
