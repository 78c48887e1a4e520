#pragma once
// LineChart: overlaid training curves (loss against step, one series per run or metric), drawn with
// QPainter. Faithful long curves: min/max decimation to the pixel columns on screen (first/last
// point always kept, full resolution when zoomed in), bias-corrected EMA or moving-average
// smoothing with the raw curve drawn faintly behind, log axes, zoom/pan, hover read-out, a vertical
// marker (e.g. the training length) and a shaded extrapolation region.
//
// Threading: GUI thread only. Data are plain QVector<QPointF>; the caller coalesces live updates
// and calls appendPoints() at most a few times per second.
// render() draws the complete figure (title, axes, ticks, labels, legend, marker, shading) and is
// what paintEvent() and the exporters call, so the screen and a PDF show the same thing.
#include "seqpe/widgets/decimate.h"

#include <QColor>
#include <QList>
#include <QPair>
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

#include <memory>

namespace seqpe::ui {

class LineChart : public QWidget {
    Q_OBJECT

public:
    enum class Smoothing { None, Ema, MovingAverage };
    Q_ENUM(Smoothing)

    // A point of one series under the hover cursor (see valuesAt()).
    struct SeriesValue {
        int id = -1;
        QString name;
        QColor color;
        QPointF point; // data space
    };

    explicit LineChart(QWidget* parent = nullptr);
    ~LineChart() override;

    // --- Series. Ids are stable and never reused; the legend lists series in id order.
    int addSeries(const QString& name, const QColor& color);
    // Replaces the points. Points are kept sorted by x (a stable sort is applied if they are not);
    // non-finite x are ignored when drawing, NaN y draws a gap.
    void setPoints(int id, QVector<QPointF> points);
    // Appends points (amortised O(k)); expected to be called with coalesced batches.
    void appendPoints(int id, const QVector<QPointF>& points);
    // A shaded band around a series (e.g. min-max or +-1 sd over seeds), drawn under the curves in
    // the series' colour; `lower` and `upper` share their x values. Counts in the automatic y range.
    void setBand(int id, QVector<QPointF> lower, QVector<QPointF> upper);
    void clearBand(int id);
    bool hasBand(int id) const;
    void removeSeries(int id);
    void clear();
    void setSeriesVisible(int id, bool visible);
    bool isSeriesVisible(int id) const;
    int seriesCount() const;
    QList<int> seriesIds() const;
    QString seriesName(int id) const;
    QVector<QPointF> points(int id) const;

    // --- Axes.
    void setTitle(const QString& title);
    QString title() const;
    void setAxisLabels(const QString& x, const QString& y);
    QString xLabel() const;
    QString yLabel() const;
    // Log axes ignore points with non-positive values on that axis (they cannot be placed).
    void setLogX(bool on);
    void setLogY(bool on);
    bool logX() const;
    bool logY() const;
    // Fixes the visible x (or y) range in data units; autoRange() returns both to "fit the data".
    void setXRange(double lo, double hi);
    void setYRange(double lo, double hi);
    void autoRange();
    // The visible range in data units (what is drawn now).
    QPair<double, double> xRange() const;
    QPair<double, double> yRange() const;

    // --- Smoothing. Ema: amount = weight in [0, 0.999] (TensorBoard's slider). MovingAverage:
    // amount = window in points (rounded, >= 1). Smoothing runs on the full-resolution data before
    // decimation. The raw curve is drawn faintly behind the smoothed one.
    void setSmoothing(Smoothing mode, double amount);
    Smoothing smoothing() const;
    double smoothingAmount() const;
    // Centred by default (no lag between runs); Trailing keeps the last point of a live curve stable.
    void setMovingAverageMode(MovingAverageMode mode);

    // --- Annotations (data units on x).
    void setMarker(double x, const QString& label); // vertical dashed line, e.g. "train length"
    void clearMarker();
    void setShadedFrom(double x, const QString& label);              // shades [x, +inf), e.g. "extrapolation"
    void setShadedRange(double x0, double x1, const QString& label); // shades [x0, x1], e.g. "training lengths"
    void clearShading();
    // The shaded x range in data units ({NaN, NaN} when none; x1 = +inf for setShadedFrom).
    QPair<double, double> shadedRange() const;

    // Draws the complete figure into `target` (painter units, e.g. logical pixels).
    void render(QPainter& painter, const QRectF& target) const;

    // --- Introspection (tests and the app).
    // The points of the foreground curve (smoothed when smoothing is on) that the widget draws for
    // its current size and view, after decimation, in data units. Empty for hidden series.
    QVector<QPointF> drawnPoints(int id) const;
    // For each visible series, its point nearest in x to `x` (data units) on the foreground curve.
    QVector<SeriesValue> valuesAt(double x) const;
    // The series whose legend entry is at `pos` (widget coordinates), or -1.
    int legendEntryAt(const QPointF& pos) const;
    // The plot area (inside the axes) in widget coordinates.
    QRectF plotRect() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // The user toggled a series by clicking its legend entry (also emitted by setSeriesVisible).
    void seriesVisibilityChanged(int id, bool visible);
    // The visible range changed by zoom, pan, setXRange/setYRange or autoRange.
    void viewChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace seqpe::ui
