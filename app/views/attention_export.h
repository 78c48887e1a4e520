#pragma once
// The Attention tab's default view of every run, for Export All Figures and --export: what a
// reader of the figures folder expects next to the geometry (2D attention maps are one of the
// workbench's three views). Inputs are fixed, so two exports of the same checkpoints are equal:
//   image runs: test images 0, 1 and 2 at the training resolution and test image 0 at a larger one
//               (the largest of eval.image_sizes, else twice the training size), the centre patch
//               as the query;
//   text runs:  tokens 0 .. min(train.seq_len, 256) - 1 of the test split, log10 colours.
// Layer 0 and the mean over the heads, as the tab opens. The inputs are named in each figure's
// metadata. Probes go through ProbeService (the newest checkpoint, or the model of a live run).
// GUI thread only.
#include "figure.h"
#include "workbench.h"

#include <QObject>
#include <vector>

class QWidget;

namespace seqpe::ui {

class AttentionPane;

class AttentionExport : public QObject {
    Q_OBJECT
public:
    // Panes are created under `host` (hidden).
    AttentionExport(Workbench& wb, QWidget* host, QObject* parent = nullptr);

    void start(const QStringList& runs); // done() follows when every probe has answered
    // The figures of the maps that arrived (they draw the panes: write them before the host dies).
    QVector<Figure> figures() const;
    QStringList notes() const { return m_notes; } // maps skipped, and why

Q_SIGNALS:
    void done();

private:
    struct Job {
        AttentionPane* pane = nullptr;
        QString stem, inputs; // file stem; the inputs in words, for the metadata
    };
    void startImageRun(const QString& run);
    void startTextRun(const QString& run);
    void watch(Job job); // counts the job until its pane answers
    void settle();       // one job fewer

    Workbench& m_wb;
    QWidget* m_host;
    std::vector<Job> m_jobs;
    QStringList m_notes;
    int m_waiting = 0;
};

} // namespace seqpe::ui
