#pragma once
// The config editor: a form generated from the engine's option table, for the project's base or
// one run's overrides. Every validation problem is marked on its field as the user types; fields
// that do not apply to the config are greyed; a run's fields that differ from the base are marked;
// edits are undoable.
#include "workbench.h"

#include "seqpe/widgets/config_form.h"
#include "seqpe/widgets/diagnostics_list.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace seqpe::ui {

class ConfigPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfigPanel(Workbench& wb, QWidget* parent = nullptr);
    void setTarget(const QString& run); // "" = the base config
    QString target() const { return m_target; }
    ConfigForm* form() const { return m_form; }
    DiagnosticsList* diagnosticsList() const { return m_diag; }
    // A project file that could not be opened: its problems in the problems list and the note,
    // naming the file, until the next document change (the open document is not that file).
    void showOpenFailure(const QString& file, const std::vector<Diagnostic>& problems);
    // A typed value the document refused (it never entered the project) that still shows in the form
    // and applies to `run` (a planned run: typed in its project run or in the base): "path: why";
    // "" if none. Starting the run would use the old value the form no longer shows.
    QString refusedProblem(const QString& run) const;

Q_SIGNALS:
    void refusedChanged(); // refusedProblem() may have changed

private:
    void refresh();
    void refreshTargets();
    Workbench& m_wb;
    QString m_target;
    QComboBox* m_targets = nullptr;
    ConfigForm* m_form = nullptr;
    DiagnosticsList* m_diag = nullptr;
    QLabel* m_note = nullptr;
    bool m_refreshing = false;
};

} // namespace seqpe::ui
