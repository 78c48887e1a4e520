// ScatterPlot: axes from PlotFrame, points coloured through the colour-map LUT, a colour bar,
// nearest-point picking for hover and click.
#include "seqpe/widgets/scatter_plot.h"

#include "color_bar.h"
#include "color_scale.h"
#include "plot_frame.h"
#include "seqpe/widgets/theme.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace seqpe::ui {

struct ScatterPlot::Private {
    explicit Private(ScatterPlot* owner) : q(owner) {}

    ScatterPlot* q;
    QVector<QPointF> points;
    QVector<double> values;
    QStringList labels;
    ColorScale scale;
    QString title, xLabel, yLabel, barLabel;
    double pointSize = 6;
    int hover = -1;

    bool hasColors() const { return !values.isEmpty(); }
    void updateColorRange();
    QColor colorOf(int i) const;
    PlotFrame frame(const QRectF& target) const;
};

void ScatterPlot::Private::updateColorRange() {
    scale.fit(values);
}

QColor ScatterPlot::Private::colorOf(int i) const {
    if (!hasColors()) return seriesColor(0);
    const double v = values[i];
    if (!std::isfinite(v)) return QColor(128, 128, 128);
    return QColor(scale.lut[scale.indexOf(v)]);
}

PlotFrame ScatterPlot::Private::frame(const QRectF& target) const {
    const PlotStyle style = PlotStyle::fromWidget(*q);
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const QPointF& p : points) {
        if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
        x0 = std::min(x0, p.x());
        x1 = std::max(x1, p.x());
        y0 = std::min(y0, p.y());
        y1 = std::max(y1, p.y());
    }
    if (!std::isfinite(x0)) {
        x0 = y0 = 0;
        x1 = y1 = 1;
    }
    // Pad by 5% plus half a point, so markers on the extremes are not cut by the frame.
    const double px = std::max((x1 - x0) * 0.05, 1e-9), py = std::max((y1 - y0) * 0.05, 1e-9);
    const AxisSpec ax{x0 - px, x1 + px, false, xLabel}, ay{y0 - py, y1 + py, false, yLabel};
    double reserve = hasColors() ? colorBarWidth(style, scale.bar(barLabel)) : 0.0;
    PlotFrame frame(style, title, ax, ay, target, reserve);
    // A colour-bar title longer than the plot is tall takes a second line: room for it, once.
    if (hasColors())
        if (const double wider = colorBarWidth(style, scale.bar(barLabel), frame.plotRect().height()); wider > reserve)
            frame = PlotFrame(style, title, ax, ay, target, wider);
    return frame;
}

// ---------------------------------------------------------------------------------------------

ScatterPlot::ScatterPlot(QWidget* parent) : QWidget(parent), m_d(std::make_unique<Private>(this)) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

ScatterPlot::~ScatterPlot() = default;

void ScatterPlot::setPoints(QVector<QPointF> points, QVector<double> colorValues) {
    if (!colorValues.isEmpty() && colorValues.size() != points.size()) colorValues.clear();
    m_d->points = std::move(points);
    m_d->values = std::move(colorValues);
    m_d->hover = -1;
    m_d->updateColorRange();
    update();
}

int ScatterPlot::pointCount() const {
    return int(m_d->points.size());
}

void ScatterPlot::setPointLabels(const QStringList& labels) {
    m_d->labels = labels;
}

void ScatterPlot::setColorMap(ColorMap map) {
    m_d->scale.setMap(map);
    m_d->updateColorRange();
    update();
}

void ScatterPlot::setColorRange(double lo, double hi) {
    if (m_d->scale.setFixed(lo, hi)) update();
}

void ScatterPlot::setAutoColorRange() {
    m_d->scale.automatic = true;
    m_d->updateColorRange();
    update();
}

void ScatterPlot::setTitle(const QString& title) {
    m_d->title = title;
    update();
}

void ScatterPlot::setAxisLabels(const QString& x, const QString& y) {
    m_d->xLabel = x;
    m_d->yLabel = y;
    update();
}

void ScatterPlot::setColorBarLabel(const QString& label) {
    m_d->barLabel = label;
    update();
}

void ScatterPlot::setPointSize(double pixels) {
    m_d->pointSize = std::clamp(pixels, 1.0, 64.0);
    update();
}

QColor ScatterPlot::pointColor(int index) const {
    if (index < 0 || index >= m_d->points.size()) return {};
    return m_d->colorOf(index);
}

QPointF ScatterPlot::pointPosition(int index) const {
    if (index < 0 || index >= m_d->points.size()) return {};
    return m_d->frame(QRectF(rect())).map(m_d->points[index]);
}

int ScatterPlot::pointAt(QPointF pos) const {
    const PlotFrame f = m_d->frame(QRectF(rect()));
    if (!f.plotRect().contains(pos)) return -1;
    const double radius = std::max(m_d->pointSize, 8.0);
    double best = radius * radius;
    int bestIndex = -1;
    // Later points are drawn on top: prefer them on ties, like the eye does.
    for (int i = int(m_d->points.size()) - 1; i >= 0; --i) {
        const QPointF d = f.map(m_d->points[i]) - pos;
        const double dd = d.x() * d.x() + d.y() * d.y();
        if (dd < best) {
            best = dd;
            bestIndex = i;
        }
    }
    return bestIndex;
}

void ScatterPlot::render(QPainter& p, const QRectF& target) const {
    const PlotFrame f = m_d->frame(target);
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    f.drawUnder(p);
    p.save();
    p.setClipRect(f.plotRect().adjusted(-1, -1, 1, 1));
    const double r = m_d->pointSize / 2;
    // A thin ring in the background colour separates overlapping points; skipped for dense clouds
    // where it would only grey the picture.
    const bool ring = m_d->points.size() <= 20000;
    QColor ringColor = f.style().background;
    ringColor.setAlpha(160);
    p.setPen(ring ? QPen(ringColor, 0.8) : QPen(Qt::NoPen));
    for (int i = 0; i < m_d->points.size(); ++i) {
        const QPointF& pt = m_d->points[i];
        if (!std::isfinite(pt.x()) || !std::isfinite(pt.y())) continue;
        p.setBrush(m_d->colorOf(i));
        p.drawEllipse(f.map(pt), r, r);
    }
    p.restore();
    f.drawOver(p);
    if (m_d->hasColors()) drawColorBar(p, f.style(), m_d->scale.bar(m_d->barLabel), f.reservedRect());
    p.restore();
}

QSize ScatterPlot::sizeHint() const {
    return {560, 440};
}

QSize ScatterPlot::minimumSizeHint() const {
    return {200, 160};
}

void ScatterPlot::paintEvent(QPaintEvent*) {
    QPainter p(this);
    render(p, QRectF(rect()));
    if (m_d->hover >= 0 && m_d->hover < m_d->points.size()) {
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(palette().color(QPalette::Text), 1.5));
        p.setBrush(Qt::NoBrush);
        const double r = m_d->pointSize / 2 + 3;
        p.drawEllipse(pointPosition(m_d->hover), r, r);
    }
}

void ScatterPlot::mouseMoveEvent(QMouseEvent* event) {
    const int i = pointAt(event->position());
    if (i == m_d->hover) return;
    m_d->hover = i;
    update();
    if (i < 0) {
        QToolTip::hideText();
        return;
    }
    const double v = m_d->hasColors() ? m_d->values[i] : std::numeric_limits<double>::quiet_NaN();
    QString text = tr("#%1").arg(i);
    if (i < m_d->labels.size()) text += QStringLiteral(" %1").arg(m_d->labels[i]);
    if (m_d->hasColors()) text += tr("  value %1").arg(QString::number(v, 'g', 5));
    text += QStringLiteral("  (%1, %2)")
                .arg(QString::number(m_d->points[i].x(), 'g', 4), QString::number(m_d->points[i].y(), 'g', 4));
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
    Q_EMIT pointHovered(i, v);
}

void ScatterPlot::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int i = pointAt(event->position());
    if (i >= 0) Q_EMIT pointClicked(i);
}

void ScatterPlot::leaveEvent(QEvent*) {
    m_d->hover = -1;
    update();
}

} // namespace seqpe::ui
