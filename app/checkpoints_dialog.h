#pragma once
// A run's checkpoints (step, time, size, complete or damaged and why) with what can be done with
// one: export its weights as safetensors (+ config, the files `seqpe export` writes) off the GUI
// thread with progress, or show it in the Geometry or Attention view. Opened from the runs
// table's context menu and File > Export Weights.
#include "workbench.h"

#include <QDialog>
#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace seqpe::ui {

class CheckpointsDialog : public QDialog {
    Q_OBJECT
public:
    // showIn(run, tab): pin the run's probes (done here) and bring up "geometry" or "attention".
    CheckpointsDialog(Workbench& wb, const QString& run, std::function<void(const QString&, const QString&)> showIn,
                      QWidget* parent = nullptr);

    QString run() const { return m_run; }
    QTableWidget* table() const { return m_table; }
    int selectedRow() const;
    void selectRow(int row);
    // Exports the checkpoint of `row` to `file`; false (and the reason shown in the dialog) when
    // it cannot start: a damaged or incomplete checkpoint (named by its step), or a job running.
    bool exportTo(int row, const QString& file);
    QString message() const; // what the dialog says under the table (outcome, refusal)

Q_SIGNALS:
    void exported(bool ok, const QString& message, const QString& file);

private:
    void rebuild();
    void updateButtons();
    void exportInteractively();
    const CheckpointInfo* checkpointAt(int row) const;
    Workbench& m_wb;
    QString m_run;
    std::function<void(const QString&, const QString&)> m_showIn;
    std::vector<CheckpointInfo> m_checkpoints; // as listed, newest first
    QTableWidget* m_table = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_geometry = nullptr;
    QPushButton* m_attention = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_message = nullptr;
    bool m_mine = false; // the weights job running is this dialog's export
};

} // namespace seqpe::ui
