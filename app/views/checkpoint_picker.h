#pragma once
// A run's checkpoints in a combo box: "newest" first, then every checkpoint by step (damaged and
// incomplete ones listed but not selectable, the reason in their tooltip). Choosing one pins the
// run's probes to it (ProbeService::setCheckpoint): the Geometry and Attention views of that run
// then show that checkpoint until "newest" is chosen again.
#include "workbench.h"

#include <QComboBox>

namespace seqpe::ui {

// "step 1,500 · 16.5 MB · 2026-12-03 14:02 UTC · complete" and its parts, for the picker and the
// Checkpoints dialog.
QString checkpointStepText(const CheckpointInfo& c);
QString checkpointSizeText(const CheckpointInfo& c);
QString checkpointTimeText(const CheckpointInfo& c);
QString checkpointStateText(const CheckpointInfo& c);

class CheckpointPicker : public QComboBox {
    Q_OBJECT
public:
    explicit CheckpointPicker(Workbench& wb, QWidget* parent = nullptr);
    void setRun(const QString& run);
    QString run() const { return m_run; }

private:
    void rebuild();
    Workbench& m_wb;
    QString m_run;
    bool m_updating = false;
};

} // namespace seqpe::ui
