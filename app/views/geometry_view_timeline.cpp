// GeometryView's timeline: the snapshots saved while a run trains (the Step slider), live probes
// of a training run, and the way back to the newest model. The controls: geometry_view.cpp.
#include "checkpoint_picker.h"
#include "geometry_pane.h"
#include "geometry_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>

namespace seqpe::ui {

void GeometryView::reloadSnapshots() {
    const RunView* v = m_wb.store().run(run());
    const bool atEnd = m_scrub->value() >= snapshotCount();
    m_snapshots = v ? v->snapshots : decltype(m_snapshots){};
    const QSignalBlocker block(m_scrub);
    m_scrub->setRange(0, snapshotCount());
    if (atEnd) m_scrub->setValue(snapshotCount());
    m_scrub->setEnabled(!m_snapshots.empty());
    m_scrubLabel->setText(m_scrub->value() >= snapshotCount()
                              ? modelText()
                              : tr("snapshot step %1").arg(m_snapshots[static_cast<size_t>(m_scrub->value())].first));
}

void GeometryView::showScrubbed() {
    const int i = m_scrub->value();
    const quint64 generation = ++m_scrubGeneration; // answers for an earlier position are dropped
    if (i >= snapshotCount()) {
        atNewestModel();
        refresh();
        return;
    }
    const int64_t step = m_snapshots[static_cast<size_t>(i)].first;
    m_scrubLabel->setText(tr("snapshot step %1").arg(step));
    // A snapshot is not a checkpoint: the Checkpoint box applies at the slider's right end only.
    m_checkpoint->setEnabled(false);
    m_checkpoint->setToolTip(tr("Showing the snapshot of step %1, saved during training. The checkpoint chosen "
                                "here is shown at the Step slider's right end (End key).")
                                 .arg(step));
    // Snapshots hold the default request; the comparison run shows its snapshot at the same step
    // (or the newest one before it). Files are read on the probe worker (a 2D one can be large).
    for (auto* p : m_panes) {
        if (p->run().isEmpty()) continue;
        if (p == m_panes[1] && m_compareRun.isEmpty()) { // the run itself on the second grid
            p->showMessage(tr("Snapshots hold the default grid only: the %1 x %1 grid is shown at the Step slider's "
                              "right end (End key)")
                               .arg(m_side2->value()));
            continue;
        }
        const RunView* v = m_wb.store().run(p->run());
        if (!v) continue;
        std::filesystem::path file;
        int64_t at = -1;
        for (const auto& [s, f] : p == m_panes[0] ? m_snapshots : v->snapshots)
            if (s <= step) {
                file = f;
                at = s;
            }
        if (file.empty()) {
            p->showMessage(tr("%1 has no snapshot at or before step %2").arg(p->run()).arg(step));
            continue;
        }
        m_wb.probes().readSnapshot(
            file, p,
            [this, p, generation, at](const GeometryResult& g) {
                if (generation != m_scrubGeneration) return;
                if (m_controlsGeneration != generation) { // the first answer: the controls say what it shows
                    m_controlsGeneration = generation;
                    showSnapshotRequest(g);
                }
                p->showResult(g, tr("snapshot step %1").arg(at));
            },
            [this, p, generation](const QString& e) {
                if (generation == m_scrubGeneration) p->showMessage(e);
            });
    }
}

void GeometryView::showSnapshotRequest(const GeometryResult& g) {
    // Snapshots are the position embeddings over the default positions, in the measure they
    // record (older runs: cosine).
    m_updating = true;
    m_layer->setCurrentIndex(std::max(0, m_layer->findData(-1)));
    if (!g.metric.empty()) m_metric->setCurrentIndex(std::max(0, m_metric->findData(QString::fromStdString(g.metric))));
    if (const ResolvedConfig* c = config(run())) setDefaultPositions(*c);
    m_updating = false;
    configureControls();
}

void GeometryView::setDefaultPositions(const ResolvedConfig& c) {
    // The positions the training snapshots hold (geometryTrainExtent and its defaults).
    m_first->setValue(0);
    m_count->setValue(static_cast<int>(defaultGeometryCount(c)));
    m_rows->setValue(static_cast<int>(defaultGeometryGrid(c)));
    m_cols->setValue(static_cast<int>(defaultGeometryGrid(c)));
    m_row0->setValue(0);
    m_col0->setValue(0);
}

void GeometryView::toNewestModel() {
    ++m_scrubGeneration; // a snapshot still being read is no longer wanted
    if (m_scrub->value() >= snapshotCount()) return;
    const QSignalBlocker block(m_scrub);
    m_scrub->setValue(snapshotCount());
    atNewestModel();
}

void GeometryView::atNewestModel() {
    m_scrubLabel->setText(modelText());
    m_checkpoint->setEnabled(true);
    m_checkpoint->setToolTip(tr("The checkpoint the views of this run show (newest by default)"));
}

QString GeometryView::modelText() const {
    const std::filesystem::path pinned = m_wb.probes().checkpoint(run());
    const QString snapshots = snapshotCount() == 1 ? tr("1 snapshot") : tr("%1 snapshots").arg(snapshotCount());
    if (pinned.empty()) return tr("newest model (%1)").arg(snapshots);
    return tr("checkpoint step %1 (%2)").arg(checkpoint_step(pinned)).arg(snapshots);
}

void GeometryView::onSnapshot(const QString& run, qint64) {
    if (run == this->run()) reloadSnapshots();
    if (!m_live->isChecked() || m_scrub->value() < snapshotCount()) return;
    bool probe = false;
    for (int i = 0; i < 2; ++i) {
        GeometryPane* p = m_panes[static_cast<size_t>(i)];
        const GeometryRequest r = requestFor(i);
        if (p->run() != run || !m_wb.probes().checkpoint(run).empty()) continue; // pinned: not live
        const ResolvedConfig* c = config(run);
        RunSession* s = m_wb.session(run);
        const auto snap = s ? s->latestSnapshot() : std::nullopt;
        // The trainer computed exactly this request already: no probe needed.
        if (snap && c && isDefaultGeometryRequest(r, *c))
            p->showResult(snap->geometry, liveSource(m_wb, run, snap->step));
        else
            probe = true;
    }
    if (!probe) return;
    // Other requests are probed on the training thread, at most every 2 s (each costs the run a pause).
    const qint64 wait = m_sinceLiveProbe.isValid() ? 2000 - m_sinceLiveProbe.elapsed() : 0;
    if (wait <= 0)
        liveProbe();
    else if (!m_liveTimer->isActive())
        m_liveTimer->start(static_cast<int>(wait));
}

void GeometryView::liveProbe() {
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_sinceLiveProbe.restart();
    for (int i = 0; i < 2; ++i) {
        GeometryPane* p = m_panes[static_cast<size_t>(i)];
        if (!p->run().isEmpty() && m_wb.isActive(p->run()) && m_wb.probes().checkpoint(p->run()).empty())
            p->request(requestFor(i));
    }
}

} // namespace seqpe::ui
