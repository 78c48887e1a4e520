#pragma once
// Internal: one field of ConfigForm: name label, typed editor, problem message under the editor,
// "differs from base" dot. Knows how to show and produce the engine's value text for its type.
#include "seqpe/widgets/field_spec.h"

#include <QVector>
#include <QWidget>

class QLabel;
class QTimer;

namespace seqpe::ui {

class FieldRow : public QWidget {
    Q_OBJECT

public:
    FieldRow(const FieldSpec& spec, QWidget* parent = nullptr);

    const FieldSpec& spec() const { return m_spec; }
    QWidget* editor() const { return m_editor; }

    // The value as the engine reads it: true/false, numbers, words, [1,2,4].
    QString text() const;
    // Shows `text` (engine form; JSON-quoted strings and "[1, 2]" lists accepted) without emitting
    // edited(): programmatic updates must not echo back as user edits.
    void setText(const QString& text);
    // Whether two value texts mean the same value for this field's type ("1e-3" == "0.001").
    bool sameValue(const QString& a, const QString& b) const;

    void setDiagnostics(const QVector<FieldDiagnostic>& diagnostics);
    bool hasDiagnostics() const { return !m_external.isEmpty(); }
    // The owner refused the typed value (`message` says why; empty clears): an error shown first,
    // kept with the typed text until the user types again or reverts (Esc).
    void setRefused(const QString& message);
    bool isRefused() const { return !m_refused.isEmpty(); }
    QString refusedReason() const { return m_refused; }
    FieldState state() const;
    QString message() const;

    void setDiffers(bool differs);
    bool differs() const { return m_differs; }
    void setRelevant(bool relevant);
    bool isRelevant() const { return m_relevant; }
    void setLabelWidth(int width);
    int labelHint() const;
    void setDebounce(int ms);

    // Case-insensitive match of the filter against path and help.
    bool matches(const QString& filter) const;
    // Emits a pending (debounced) edit now.
    void flush();

Q_SIGNALS:
    // The user changed the value (typing is debounced; checkboxes and choices are immediate).
    void edited(const QString& path, const QString& text);
    // Esc in the editor: put back the last accepted value.
    void revertRequested(const QString& path);

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void userChanged(bool debounce);
    void revalidate();
    void refresh();

    FieldSpec m_spec;
    QLabel* m_label = nullptr;
    QWidget* m_editor = nullptr;
    QWidget* m_editorBox = nullptr;
    QLabel* m_message = nullptr;
    QTimer* m_debounce = nullptr;
    QVector<FieldDiagnostic> m_external;
    QString m_localError;
    QString m_refused;
    bool m_differs = false;
    bool m_relevant = true;
};

} // namespace seqpe::ui
