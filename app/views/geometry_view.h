#pragma once
// The Geometry tab: what a run's position encoding looks like, for a chosen position range (far
// beyond the training length if asked), measure (cosine, dot, L2), SeqPE layer (query-PE against
// key-PE) and head; optionally a second run side by side with the same request. Live while a run
// trains: each geometry snapshot of the trainer updates the view (the snapshot itself when the
// request is the default one, else a probe at most every 2 s). A step scrubber replays the
// snapshots saved in the run directory.
//
// Wiring only: probes go through ProbeService (GeometryPane), snapshot files are read here.
#include "figure.h"
#include "workbench.h"

#include <QElapsedTimer>
#include <QWidget>
#include <array>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace seqpe::ui {

class CheckpointPicker;
class GeometryPane;

class GeometryView : public QWidget {
    Q_OBJECT
public:
    explicit GeometryView(Workbench& wb, QWidget* parent = nullptr);

    // The run shown (and the one compared with it; "" for none). Controls follow the run's task.
    void setRun(const QString& run);
    void setCompareRun(const QString& run);
    QString run() const;
    QString compareRun() const;

    // Programmatic control (tests, --tab screenshots); each schedules a refresh like the controls.
    void setMetric(const QString& metric); // dot | cosine | l2
    void setReadMode(const QString& mode); // extend | interpolate (GeometryRequest::mode)
    void setPositions(int64_t first, int64_t count);
    void setGrid(int64_t rows, int64_t cols);
    // Image runs: the run also on a side x side grid in the second pane (0: off), e.g. its
    // training grid beside 3x it. A comparison run, when chosen, takes the second pane instead.
    void setSecondGrid(int64_t side);
    int64_t secondGrid() const;
    void setLayer(int64_t layer);
    void setHead(int64_t head);
    void setQueryMode(bool on);
    void setLive(bool on);
    bool isLive() const;

    GeometryRequest currentRequest() const;
    GeometryRequest requestFor(int pane) const; // pane 1 on the second grid when that is on
    void refresh();                             // probe (or replay the scrubbed snapshot) now
    GeometryPane* pane(int i) const { return m_panes[static_cast<size_t>(i)]; }
    QSlider* scrubber() const { return m_scrub; }
    int snapshotCount() const { return static_cast<int>(m_snapshots.size()); }

    Figure figure() const; // the panes as shown, with the matrices and projections as CSV
    void exportFigure();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rebuildRunLists();
    void configureControls(); // from the primary run's config
    void reloadSnapshots();
    void showScrubbed();
    void scheduleRefresh();
    void onSnapshot(const QString& run, qint64 step);
    void liveProbe();
    void showSnapshotRequest(const GeometryResult& g); // controls = what a snapshot shows
    void atNewestModel();                              // the slider's right end: the model (or pinned checkpoint) again
    void toNewestModel();                              // scrubber back to the newest (or pinned) model
    QString modelText() const;                         // "newest model (12 snapshots)"
    void setDefaultPositions(const ResolvedConfig& c); // the snapshots' positions
    const ResolvedConfig* config(const QString& run) const;

    Workbench& m_wb;
    std::array<GeometryPane*, 2> m_panes{};
    QWidget* m_frame = nullptr;
    QComboBox* m_run = nullptr;
    CheckpointPicker* m_checkpoint = nullptr; // of the primary run
    QComboBox* m_compare = nullptr;
    QSpinBox* m_side2 = nullptr; // "beside it at": 0 = off
    QString m_compareRun;        // the chosen comparison run ("" none)
    void updateSecondPane();     // pane 1: the comparison run, the run on the second grid, or hidden
    QComboBox* m_metric = nullptr;
    QComboBox* m_read = nullptr; // extend | interpolate
    QComboBox* m_layer = nullptr;
    QComboBox* m_head = nullptr;
    QComboBox* m_show = nullptr;
    QComboBox* m_colorBy = nullptr;
    QSpinBox* m_first = nullptr;
    QSpinBox* m_count = nullptr;
    QSpinBox* m_rows = nullptr;
    QSpinBox* m_cols = nullptr;
    QSpinBox* m_row0 = nullptr;
    QSpinBox* m_col0 = nullptr;
    QList<QWidget*> m_items1d, m_items2d; // the position controls of text and of image runs
    QLabel* m_train = nullptr;
    QCheckBox* m_live = nullptr;
    QSlider* m_scrub = nullptr;
    QLabel* m_scrubLabel = nullptr;
    QTimer* m_debounce = nullptr;
    QTimer* m_liveTimer = nullptr;
    QElapsedTimer m_sinceLiveProbe;
    std::vector<std::pair<int64_t, std::filesystem::path>> m_snapshots; // of the primary run
    quint64 m_scrubGeneration = 0;    // of the scrubber position whose snapshots are being read
    quint64 m_controlsGeneration = 0; // the scrubber position the controls were set for
    bool m_updating = false;          // controls being set by code, not the user
    bool m_stale = false;
    QString m_type;      // the primary run's encoding (its default measure)
    int64_t m_shape = 0; // the primary run's dims and training extent, signed (2D negative)    // a refresh was skipped
                         // while hidden: probes only for what is seen
};

} // namespace seqpe::ui
