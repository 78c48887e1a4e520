#pragma once
// ConfigForm: a run-configuration editor generated from plain field descriptions (FieldSpec).
// The app fills it from the engine's option table and feeds back the engine's validation; the
// widget knows nothing of the engine. Grouped collapsible sections, one typed editor per field,
// problems marked on the field itself (red frame + message; warnings amber), fields that differ
// from a base configuration in bold with a dot, irrelevant fields greyed, a filter, advanced
// fields behind a switch, and undo/redo of user edits.
//
// Data flow (no feedback loops): the user edits -> valueEdited(path, text) -> the app applies it
// to its config and validates -> setValues()/setDiagnostics()/setRelevant() come back. Those
// setters never emit valueEdited (editors are updated under QSignalBlocker).
// Threading: GUI thread only.
#include "seqpe/widgets/field_spec.h"

#include <QMap>
#include <QSet>
#include <QVector>
#include <QWidget>

#include <memory>

class QUndoStack;

namespace seqpe::ui {

class ConfigForm : public QWidget {
    Q_OBJECT

public:
    explicit ConfigForm(QWidget* parent = nullptr);
    ~ConfigForm() override;

    // Rebuilds the form: sections in order of first appearance of their group, fields in the
    // given order. Clears values, diagnostics and the undo history.
    void setFields(const QVector<FieldSpec>& fields);
    QVector<FieldSpec> fields() const;

    // Values as the engine writes them ("128", "0.0003", "true", "rope" or "\"rope\"", "[1,2]").
    // Unknown paths are ignored. Does not emit valueEdited and does not touch the undo history.
    void setValues(const QMap<QString, QString>& textByPath);
    // The current value of a field in the engine's text form ("true", "128", "3e-4", "rope",
    // "[1,2,4]"); empty for unknown paths.
    QString value(const QString& path) const;
    QMap<QString, QString> values() const;

    // Marks fields whose value differs from `textByPath` (bold label with a dot). Empty: no marks.
    void setBaseValues(const QMap<QString, QString>& textByPath);
    bool differsFromBase(const QString& path) const;

    // Fields not in `paths` are greyed out and disabled (they do not matter for this config).
    void setRelevant(const QSet<QString>& paths);
    void clearRelevant(); // every field relevant again
    bool isRelevant(const QString& path) const;

    // Replaces all diagnostics. Each is shown on its field (diagnostics for unknown paths are
    // ignored here; DiagnosticsList shows them all). Advanced fields with a diagnostic are shown
    // even when advanced fields are hidden: a problem must never be invisible.
    void setDiagnostics(const QVector<FieldDiagnostic>& diagnostics);
    FieldState fieldState(const QString& path) const;
    QString fieldMessage(const QString& path) const; // the text shown under the field

    void showAdvanced(bool show);
    bool isAdvancedShown() const;
    // Shows only fields whose path or help contains `text` (case-insensitive); matching advanced
    // fields are shown too while filtering. Also driven by the form's filter line edit.
    void setFilter(const QString& text);
    QString filter() const;
    // Whether the field is currently shown (not hidden by filter/advanced; its section may be
    // collapsed).
    bool isFieldShown(const QString& path) const;

    // Each user edit is one command; undo/redo restore the field and emit valueEdited again.
    QUndoStack* undoStack() const;
    // Off: edits are only reported (valueEdited), for an owner that keeps its own history of
    // the document the form edits (several forms or targets, one history).
    void setUndoEnabled(bool enabled);
    // The editor of a field (QCheckBox, QSpinBox, QLineEdit or QComboBox), e.g. for tests.
    QWidget* editorFor(const QString& path) const;
    // Delay before a typed number/text is reported (default 150 ms). Enter or leaving the field
    // reports at once.
    void setEditDebounce(int ms);
    // Reports pending typed edits now (call before starting a run from the current values).
    void flushPendingEdits();

    // The owner refused the edit just reported for `path` (its value failed a check): the field
    // keeps the typed text, marked as an error with `message`, until the user types a value the
    // owner accepts or reverts it (Esc, or revertRefusedEdits()); setValues() leaves it alone
    // meanwhile. Call it from the slot connected to valueEdited.
    void refuseEdit(const QString& path, const QString& message);
    // Paths whose typed value was refused and is still shown.
    QStringList refusedPaths() const;
    QString refusedReason(const QString& path) const; // the message given to refuseEdit
    // Puts back the last accepted value of every refused field.
    void revertRefusedEdits();

public Q_SLOTS:
    // Expands its section, makes it visible (clearing a filter that hides it), scrolls to it and
    // focuses its editor.
    void focusField(const QString& path);

Q_SIGNALS:
    // The user changed a field (or undo/redo changed it back): `text` is in the engine's form.
    void valueEdited(const QString& path, const QString& text);
    // A field became refused or stopped being refused (refusedPaths() changed).
    void refusedChanged();

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    friend class EditCommand;
    void layoutLabels();
    void applyEdit(const QString& path, const QString& text); // used by undo/redo
    void onRowEdited(const QString& path, const QString& text);
    void updateVisibility();
    void updateDiff(const QString& path);
    void revertField(const QString& path);

    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace seqpe::ui
