#pragma once
// One run's position-embedding geometry: the similarity or distance matrix as a heat map (with the
// training length marked), the rank correlation of embedding distance with position distance as a
// number, and the PCA projection as a scatter coloured by position. For 2D runs a query-patch mode
// shows one patch's row of the matrix on the patch grid; a click picks the patch.
//
// Results come from a probe (ProbeService: the training thread of a live run, else a probe worker
// on the newest checkpoint) or are handed in (a live snapshot, a snapshot file). GUI thread only.
#include "figure.h"
#include "workbench.h"

#include <QWidget>
#include <optional>

class QBoxLayout;
class QLabel;

namespace seqpe::ui {

class GuidedHeatMap;
class LineChart;
class ScatterPlot;

// The request a view starts with, and what the trainer's snapshots hold (GeometryRequest{}):
// positions 0..2L-1 (at most 512) in 1D, a 2L x 2L grid (at most 32) in 2D, cosine, no layer/head.
int64_t geometryTrainExtent(const ResolvedConfig& c); // tokens (1D) or patches per side (2D)
int64_t defaultGeometryCount(const ResolvedConfig& c);
int64_t defaultGeometryGrid(const ResolvedConfig& c);
bool isDefaultGeometryRequest(const GeometryRequest& r, const ResolvedConfig& c);
// Where a live run's geometry comes from, for titles: "live, step 300, updated every 100 steps".
QString liveSource(Workbench& wb, const QString& run, int64_t step);

class GeometryPane : public QWidget {
    Q_OBJECT
public:
    // How the PCA points of a 2D run are coloured.
    enum class ColorBy { RasterIndex, DistanceFromOrigin };

    explicit GeometryPane(Workbench& wb, QWidget* parent = nullptr);

    void setRun(const QString& run); // clears the shown result
    const QString& run() const { return m_run; }
    // Probes the run. One probe is in flight per pane; a newer request waits and replaces any
    // request that waits already. A default request that fails falls back to the newest snapshot.
    void request(const GeometryRequest& r);
    // Shows a result that needs no probe (a live snapshot, a snapshot file). `source` says where
    // it came from ("snapshot step 200").
    void showResult(const GeometryResult& g, const QString& source);
    void showMessage(const QString& text); // e.g. "no run selected"

    void setQueryMode(bool on);
    bool queryMode() const { return m_queryMode; }
    // The query patch as (row, col) of the grid shown; clamped to it.
    void setQueryCell(int row, int col);
    QPoint queryCell() const { return m_query; } // QPoint(col, row)
    void setColorBy(ColorBy c);

    bool hasResult() const { return m_has; }
    bool isWaiting() const { return m_inFlight; }
    const GeometryResult& result() const { return m_g; }
    const QString& source() const { return m_source; }
    GuidedHeatMap* heatMap() const { return m_heat; }
    ScatterPlot* scatter() const { return m_scatter; }
    // Relative encodings: the score against distance per head (instead of the PCA scatter).
    LineChart* profileChart() const { return m_profile; }
    QLabel* rankLabel() const { return m_rank; }

    // The data shown (what the CSV files hold) and the figures of the exporters.
    FigureTable matrixTable() const;
    FigureTable projectionTable() const;
    FigureTable profileTable() const; // head, distance, score
    Figure heatFigure(const QString& stem) const;
    Figure pcaFigure(const QString& stem) const;

Q_SIGNALS:
    void resultShown();
    void probeFailed(const QString& error);
    void queryCellPicked(int row, int col); // the user clicked a patch

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    void send(const GeometryRequest& r);
    void refresh();
    void refreshScatter();
    void refreshProfile(); // the distance profile of a relative encoding
    // The newest snapshot, read on the probe worker, when the model cannot be probed; false when
    // the run has none.
    bool fallBackToSnapshot(const QString& why);
    void showProbeFailure(const QString& error);
    QString measureName() const;

    Workbench& m_wb;
    QString m_run;
    GeometryResult m_g;
    bool m_has = false;
    QString m_source;
    bool m_inFlight = false;
    GeometryRequest m_sent; // the request in flight, and its run
    QString m_sentRun;
    std::optional<GeometryRequest> m_pending; // the newest request, waiting for it
    bool m_queryMode = false;
    QPoint m_query{-1, -1};
    ColorBy m_colorBy = ColorBy::RasterIndex;

    QLabel* m_header = nullptr;
    GuidedHeatMap* m_heat = nullptr;
    QLabel* m_rank = nullptr;
    QBoxLayout* m_body = nullptr;  // heat map | PCA
    QBoxLayout* m_below = nullptr; // rank label | scatter
    QLabel* m_note = nullptr;
    ScatterPlot* m_scatter = nullptr;
    LineChart* m_profile = nullptr;
};

} // namespace seqpe::ui
