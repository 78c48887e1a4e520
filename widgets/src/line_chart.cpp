// LineChart: series storage, derived (log/smoothed) curves and view ranges. Painting lives in
// line_chart_render.cpp, mouse interaction in line_chart_input.cpp.
#include "line_chart_p.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace seqpe::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool sortedByX(const QVector<QPointF>& pts, int from = 0) {
    for (int i = std::max(from, 1); i < pts.size(); ++i)
        if (pts[i].x() < pts[i - 1].x()) return false;
    return true;
}

void sortByX(QVector<QPointF>& pts) {
    std::stable_sort(pts.begin(), pts.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
}

// Widens a degenerate range so that it can be drawn.
void widen(double& lo, double& hi, bool log) {
    if (!(hi > lo)) {
        const double d = log ? 0.5 : std::max(std::abs(lo) * 0.05, 0.5);
        lo -= d;
        hi += d;
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Private: caches and ranges

LineChart::Private::Series* LineChart::Private::find(int id) {
    auto it = series.find(id);
    return it == series.end() ? nullptr : &it.value();
}

const LineChart::Private::Series* LineChart::Private::find(int id) const {
    auto it = series.find(id);
    return it == series.end() ? nullptr : &it.value();
}

void LineChart::Private::invalidate(bool rawToo) {
    for (Series& s : series) {
        if (rawToo) s.rawValid = false;
        s.smoothValid = false;
    }
}

double LineChart::Private::toAxisX(double x) const {
    if (!logX) return x;
    return x > 0 ? std::log10(x) : kNaN;
}

double LineChart::Private::toAxisY(double y) const {
    if (!logY) return y;
    return y > 0 ? std::log10(y) : kNaN;
}

double LineChart::Private::fromAxisX(double x) const {
    return logX ? std::pow(10.0, x) : x;
}

double LineChart::Private::fromAxisY(double y) const {
    return logY ? std::pow(10.0, y) : y;
}

void LineChart::Private::ensureCache(const Series& s) const {
    if (!s.rawValid) {
        bool identity = !logX && !logY;
        if (identity)
            for (const QPointF& p : s.points)
                if (!std::isfinite(p.x())) {
                    identity = false;
                    break;
                }
        if (identity) {
            s.raw.data = s.points; // implicitly shared: no copy
            s.raw.plot = s.points;
        } else {
            s.raw.data.clear();
            s.raw.plot.clear();
            s.raw.data.reserve(s.points.size());
            s.raw.plot.reserve(s.points.size());
            for (const QPointF& p : s.points) {
                const double ax = toAxisX(p.x());
                if (!std::isfinite(ax)) continue;
                // NaN y stays a gap; a non-positive y on a log axis cannot be placed and is dropped.
                const double ay = std::isnan(p.y()) ? kNaN : toAxisY(p.y());
                if (!std::isnan(p.y()) && std::isnan(ay)) continue;
                s.raw.data.append(p);
                s.raw.plot.append(QPointF(ax, ay));
            }
        }
        s.rawValid = true;
        s.smoothValid = false;
    }
    if (smoothing == Smoothing::None) {
        s.smooth = {};
        s.smoothValid = true;
        return;
    }
    if (s.smoothValid) return;
    const int n = int(s.raw.data.size());
    QVector<double> ys(n);
    for (int i = 0; i < n; ++i) ys[i] = s.raw.data[i].y();
    const QVector<double> sm = smoothing == Smoothing::Ema
                                   ? smoothEma(ys, amount)
                                   : smoothMovingAverage(ys, std::max(1, int(std::lround(amount))), maMode);
    s.smooth.data.resize(n);
    s.smooth.plot.resize(n);
    for (int i = 0; i < n; ++i) {
        s.smooth.data[i] = QPointF(s.raw.data[i].x(), sm[i]);
        s.smooth.plot[i] = QPointF(s.raw.plot[i].x(), std::isnan(sm[i]) ? kNaN : toAxisY(sm[i]));
    }
    s.smoothValid = true;
}

const LineChart::Private::Curve& LineChart::Private::foreground(const Series& s) const {
    ensureCache(s);
    return smoothing == Smoothing::None ? s.raw : s.smooth;
}

LineChart::Private::Range LineChart::Private::autoX() const {
    Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const Series& s : series) {
        if (!s.visible) continue;
        ensureCache(s);
        if (s.raw.plot.isEmpty()) continue;
        r.lo = std::min(r.lo, s.raw.plot.first().x());
        r.hi = std::max(r.hi, s.raw.plot.last().x());
    }
    if (!std::isfinite(r.lo)) return Range{0, 1};
    widen(r.lo, r.hi, logX);
    return r;
}

LineChart::Private::Range LineChart::Private::autoY(const Range& x) const {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const auto scan = [&](const QVector<QPointF>& pts) {
        const auto byX = [](const QPointF& p, double v) { return p.x() < v; };
        auto it = std::lower_bound(pts.begin(), pts.end(), x.lo, byX);
        for (; it != pts.end() && it->x() <= x.hi; ++it) {
            const double y = it->y();
            if (std::isfinite(y)) {
                lo = std::min(lo, y);
                hi = std::max(hi, y);
            }
        }
    };
    for (const Series& s : series) {
        if (!s.visible) continue;
        ensureCache(s);
        scan(s.raw.plot);
        if (smoothing != Smoothing::None) scan(s.smooth.plot);
        for (const QVector<QPointF>* b : {&s.bandLo, &s.bandHi}) { // bands in axis space
            QVector<QPointF> axis;
            for (const QPointF& q : *b) axis.append(QPointF(toAxisX(q.x()), toAxisY(q.y())));
            scan(axis);
        }
    }
    if (!std::isfinite(lo)) return Range{0, 1};
    const double pad = (hi - lo) * 0.05;
    Range r{lo - pad, hi + pad};
    widen(r.lo, r.hi, logY);
    return r;
}

LineChart::Private::Range LineChart::Private::currentX() const {
    return viewX ? *viewX : autoX();
}

LineChart::Private::Range LineChart::Private::currentY() const {
    return viewY ? *viewY : autoY(currentX());
}

QVector<int> LineChart::Private::decimated(const Curve& c, const Range& x, int columns) const {
    return decimateMinMaxIndices(c.plot, x.lo, x.hi, std::max(columns, 1));
}

// ---------------------------------------------------------------------------------------------
// LineChart: data API

LineChart::LineChart(QWidget* parent) : QWidget(parent), m_d(std::make_unique<Private>(this)) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::WheelFocus);
}

LineChart::~LineChart() = default;

int LineChart::addSeries(const QString& name, const QColor& color) {
    const int id = m_d->nextId++;
    Private::Series s;
    s.name = name;
    s.color = color;
    m_d->series.insert(id, s);
    m_d->changed();
    return id;
}

void LineChart::setBand(int id, QVector<QPointF> lower, QVector<QPointF> upper) {
    Private::Series* s = m_d->find(id);
    if (!s || lower.size() != upper.size()) return;
    if (!sortedByX(lower)) sortByX(lower);
    if (!sortedByX(upper)) sortByX(upper);
    s->bandLo = std::move(lower);
    s->bandHi = std::move(upper);
    m_d->changed();
}

void LineChart::clearBand(int id) {
    if (Private::Series* s = m_d->find(id)) {
        s->bandLo.clear();
        s->bandHi.clear();
        m_d->changed();
    }
}

bool LineChart::hasBand(int id) const {
    const Private::Series* s = m_d->find(id);
    return s && !s->bandLo.isEmpty();
}

void LineChart::setPoints(int id, QVector<QPointF> points) {
    Private::Series* s = m_d->find(id);
    if (!s) return;
    if (!sortedByX(points)) sortByX(points);
    s->points = std::move(points);
    s->rawValid = false;
    s->smoothValid = false;
    m_d->changed();
}

void LineChart::appendPoints(int id, const QVector<QPointF>& points) {
    Private::Series* s = m_d->find(id);
    if (!s || points.isEmpty()) return;
    // Drop the cache's references first: they share the points buffer, and appending to a shared
    // buffer would copy all of it (QVector copy-on-write) instead of growing it in place.
    s->raw = {};
    s->smooth = {};
    const int old = int(s->points.size());
    s->points += points;
    const bool stillSorted =
        (old == 0 || points.first().x() >= s->points[old - 1].x()) && sortedByX(s->points, old + 1);
    if (!stillSorted) sortByX(s->points);
    // Derived curves are rebuilt lazily at the next paint: one pass (none without log axes or
    // smoothing, where they share the points buffer), however many appends came in between.
    s->rawValid = false;
    s->smoothValid = false;
    m_d->changed();
}

void LineChart::removeSeries(int id) {
    if (m_d->series.remove(id)) m_d->changed();
}

void LineChart::clear() {
    m_d->series.clear();
    m_d->viewX.reset();
    m_d->viewY.reset();
    m_d->changed();
}

void LineChart::setSeriesVisible(int id, bool visible) {
    Private::Series* s = m_d->find(id);
    if (!s || s->visible == visible) return;
    s->visible = visible;
    m_d->changed();
    Q_EMIT seriesVisibilityChanged(id, visible);
}

bool LineChart::isSeriesVisible(int id) const {
    const Private::Series* s = m_d->find(id);
    return s && s->visible;
}

int LineChart::seriesCount() const {
    return int(m_d->series.size());
}

QList<int> LineChart::seriesIds() const {
    return m_d->series.keys();
}

QString LineChart::seriesName(int id) const {
    const Private::Series* s = m_d->find(id);
    return s ? s->name : QString();
}

QVector<QPointF> LineChart::points(int id) const {
    const Private::Series* s = m_d->find(id);
    return s ? s->points : QVector<QPointF>();
}

// ---------------------------------------------------------------------------------------------
// Axes, smoothing, annotations

void LineChart::setTitle(const QString& title) {
    m_d->title = title;
    m_d->changed();
}

QString LineChart::title() const {
    return m_d->title;
}

QString LineChart::xLabel() const {
    return m_d->xLabel;
}

QString LineChart::yLabel() const {
    return m_d->yLabel;
}

void LineChart::setAxisLabels(const QString& x, const QString& y) {
    m_d->xLabel = x;
    m_d->yLabel = y;
    m_d->changed();
}

void LineChart::setLogX(bool on) {
    if (m_d->logX == on) return;
    m_d->logX = on;
    m_d->viewX.reset(); // a manual range means nothing on the other scale
    m_d->invalidate(true);
    m_d->changed();
    Q_EMIT viewChanged();
}

void LineChart::setLogY(bool on) {
    if (m_d->logY == on) return;
    m_d->logY = on;
    m_d->viewY.reset();
    m_d->invalidate(true);
    m_d->changed();
    Q_EMIT viewChanged();
}

bool LineChart::logX() const {
    return m_d->logX;
}

bool LineChart::logY() const {
    return m_d->logY;
}

void LineChart::setXRange(double lo, double hi) {
    const double a = m_d->toAxisX(std::min(lo, hi)), b = m_d->toAxisX(std::max(lo, hi));
    if (!std::isfinite(a) || !std::isfinite(b) || !(b > a)) return;
    m_d->viewX = Private::Range{a, b};
    m_d->changed();
    Q_EMIT viewChanged();
}

void LineChart::setYRange(double lo, double hi) {
    const double a = m_d->toAxisY(std::min(lo, hi)), b = m_d->toAxisY(std::max(lo, hi));
    if (!std::isfinite(a) || !std::isfinite(b) || !(b > a)) return;
    m_d->viewY = Private::Range{a, b};
    m_d->changed();
    Q_EMIT viewChanged();
}

void LineChart::autoRange() {
    m_d->viewX.reset();
    m_d->viewY.reset();
    m_d->changed();
    Q_EMIT viewChanged();
}

QPair<double, double> LineChart::xRange() const {
    const Private::Range r = m_d->currentX();
    return {m_d->fromAxisX(r.lo), m_d->fromAxisX(r.hi)};
}

QPair<double, double> LineChart::yRange() const {
    const Private::Range r = m_d->currentY();
    return {m_d->fromAxisY(r.lo), m_d->fromAxisY(r.hi)};
}

void LineChart::setSmoothing(Smoothing mode, double amount) {
    m_d->smoothing = mode;
    m_d->amount = amount;
    m_d->invalidate(false);
    m_d->changed();
}

LineChart::Smoothing LineChart::smoothing() const {
    return m_d->smoothing;
}

double LineChart::smoothingAmount() const {
    return m_d->amount;
}

void LineChart::setMovingAverageMode(MovingAverageMode mode) {
    m_d->maMode = mode;
    m_d->invalidate(false);
    m_d->changed();
}

void LineChart::setMarker(double x, const QString& label) {
    m_d->marker = Private::Annotation{x, label};
    m_d->changed();
}

void LineChart::clearMarker() {
    m_d->marker.reset();
    m_d->changed();
}

void LineChart::setShadedFrom(double x, const QString& label) {
    m_d->shade = Private::Annotation{x, label};
    m_d->changed();
}

void LineChart::setShadedRange(double x0, double x1, const QString& label) {
    m_d->shade = Private::Annotation{std::min(x0, x1), label, std::max(x0, x1)};
    m_d->changed();
}

QPair<double, double> LineChart::shadedRange() const {
    if (!m_d->shade) return {std::nan(""), std::nan("")};
    return {m_d->shade->x, m_d->shade->x_end};
}

void LineChart::clearShading() {
    m_d->shade.reset();
    m_d->changed();
}

QSize LineChart::sizeHint() const {
    return {640, 400};
}

QSize LineChart::minimumSizeHint() const {
    return {200, 140};
}

} // namespace seqpe::ui
