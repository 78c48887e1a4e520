#pragma once
// Curve reduction and smoothing for the line chart. Pure functions on plain data (no widgets), so
// they are unit-tested directly and reusable by exporters.
//
// Why min/max decimation and not random sampling: users of W&B/MLflow lost spikes and whole
// sections to random downsampling (wandb#5694, mlflow#11444). Keeping first/min/max/last of every
// pixel column draws the same picture as the full data, deterministically.
#include <QPointF>
#include <QVector>

namespace seqpe::ui {

// Reduces `pts` for drawing the x range [x0, x1] into `buckets` pixel columns.
// Precondition: `pts` is sorted by x (non-decreasing), as training curves are; NaN y values are
// allowed and mark gaps.
// - Returns `pts` unchanged when it has <= 4 * buckets points.
// - Otherwise keeps only points with x in [x0, x1] plus one neighbour on each side (so lines reach
//   the plot edges); if those are <= 4 * buckets they are returned at full resolution (zoomed in).
// - Otherwise splits [x0, x1] into `buckets` equal x-intervals and keeps, per bucket, the first,
//   the min-y, the max-y and the last point (and the first NaN, so gaps stay visible), in input
//   order. The first and last point of the range are always kept.
// Deterministic: the same input gives the same output.
QVector<QPointF> decimateMinMax(const QVector<QPointF>& pts, double x0, double x1, int buckets);

// The same selection as indices into `pts` (ascending). The chart uses it to map the reduced
// plot-space curve back to the caller's exact data values.
QVector<int> decimateMinMaxIndices(const QVector<QPointF>& pts, double x0, double x1, int buckets);

// Exponential moving average with TensorBoard's debiasing: s_n = a_n / (1 - w^n) where
// a_n = w * a_{n-1} + (1 - w) * y_n and n counts finite values seen so far. The first smoothed
// value equals the first raw value and a constant series stays constant (the plain EMA started at
// 0 is biased towards 0, tensorboard#610). Non-finite values are passed through unchanged and do not
// advance the average. `weight` is clamped to [0, 0.999]; 0 returns the input.
QVector<double> smoothEma(const QVector<double>& ys, double weight);

enum class MovingAverageMode {
    Centred,  // window [i - w/2, i + w - 1 - w/2]: no lag, so curves of several runs stay aligned;
              // near the ends the window is cut to the points that exist.
    Trailing, // window [i - w + 1, i]: what a live curve's last point will keep as data arrives.
};

// Mean of the finite values in a window of `window` points around each index (see the mode).
// NaN inputs stay NaN in the output (gaps stay gaps) and are skipped in every average. A window
// with no finite value gives NaN. window <= 1 returns the input. O(n).
QVector<double> smoothMovingAverage(const QVector<double>& ys, int window,
                                    MovingAverageMode mode = MovingAverageMode::Centred);

} // namespace seqpe::ui
