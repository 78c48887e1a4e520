#pragma once
// DiagnosticsList: every problem of a configuration in one list (errors first), including those
// without a form field (whole-file problems). Clicking an entry emits fieldActivated(path); the app
// connects it to ConfigForm::focusField so the user lands on the field to fix.
#include "seqpe/widgets/field_spec.h"

#include <QVector>
#include <QWidget>

class QListWidget;
class QLabel;

namespace seqpe::ui {

class DiagnosticsList : public QWidget {
    Q_OBJECT

public:
    explicit DiagnosticsList(QWidget* parent = nullptr);

    void setDiagnostics(const QVector<FieldDiagnostic>& diagnostics);
    QVector<FieldDiagnostic> diagnostics() const { return m_items; }
    int count() const { return int(m_items.size()); }
    int errorCount() const;
    // Activates entry `index` as a click would (keyboard users and tests).
    void activate(int index);
    QListWidget* listWidget() const { return m_list; }

Q_SIGNALS:
    void fieldActivated(const QString& path);

private:
    QVector<FieldDiagnostic> m_items; // in display order
    QListWidget* m_list = nullptr;
    QLabel* m_empty = nullptr;
};

} // namespace seqpe::ui
