// Layout and drawing of chart axes. Sizes derive from the font height so the frame scales with the
// user's font and with export DPI.
#include "plot_frame.h"

#include "plot_title.h"

#include "seqpe/widgets/theme.h"

#include <QFontInfo>
#include <QFontMetricsF>
#include <QPainter>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace seqpe::ui {

PlotStyle PlotStyle::fromWidget(const QWidget& w) {
    PlotStyle s;
    const QPalette& pal = w.palette();
    s.dark = isDarkPalette(pal);
    s.font = w.font();
    s.font.setPixelSize(std::max(QFontInfo(w.font()).pixelSize(), 8));
    s.titleFont = s.font;
    s.titleFont.setBold(true);
    s.titleFont.setPixelSize(qRound(s.font.pixelSize() * 1.2));
    s.background = pal.color(QPalette::Base);
    s.text = pal.color(QPalette::Text);
    s.axis = s.text;
    s.axis.setAlpha(170);
    s.grid = s.text;
    s.grid.setAlpha(s.dark ? 45 : 32);
    s.minorGrid = s.text;
    s.minorGrid.setAlpha(s.dark ? 22 : 14);
    return s;
}

PlotFrame::PlotFrame(const PlotStyle& style, const QString& title, const AxisSpec& x, const AxisSpec& y,
                     const QRectF& target, double rightReserve)
    : m_style(style), m_title(title), m_x(x), m_y(y), m_target(target), m_rightReserve(rightReserve) {
    if (!(m_x.hi > m_x.lo)) m_x.hi = m_x.lo + 1;
    if (!(m_y.hi > m_y.lo)) m_y.hi = m_y.lo + 1;
    const QFontMetricsF fm(m_style.font);
    const QFontMetricsF tfm(m_style.titleFont);
    const double lh = fm.height();
    const double pad = std::round(lh * 0.6);
    const double tick = std::round(lh * 0.3);

    double top = target.top() + pad;
    m_titleLines = titleLines(m_title, tfm, target.width() - 2 * pad);
    if (!m_title.isEmpty())
        top += tfm.height() * m_titleLines.size() + pad * 0.5;
    else
        top += lh * 0.5; // room for the top y tick label
    double bottom = target.bottom() - pad - lh - tick - 2;
    if (!m_x.label.isEmpty()) bottom -= lh + 2;

    // y ticks depend only on the plot height, which is known now.
    const int maxY = std::max(2, int((bottom - top) / (lh * 2.2)));
    m_yTicks = m_y.log ? logTicks(m_y.lo, m_y.hi, maxY) : linearTicks(m_y.lo, m_y.hi, maxY);
    double yLabelW = 0;
    for (const AxisTick& t : m_yTicks) yLabelW = std::max(yLabelW, fm.horizontalAdvance(t.label));
    double left = target.left() + pad + yLabelW + tick + 4;
    if (!m_y.label.isEmpty()) left += lh + 4;

    // x ticks: start from a generous count and reduce until the labels fit side by side.
    double right = target.right() - pad - m_rightReserve;
    const double width = std::max(right - left, 10.0);
    int maxX = std::max(2, int(width / (lh * 3)));
    for (int attempt = 0; attempt < 8; ++attempt) {
        m_xTicks = m_x.log ? logTicks(m_x.lo, m_x.hi, maxX) : linearTicks(m_x.lo, m_x.hi, maxX);
        double labelW = 0;
        int labelled = 0;
        for (const AxisTick& t : m_xTicks) {
            if (t.label.isEmpty()) continue;
            labelW = std::max(labelW, fm.horizontalAdvance(t.label));
            ++labelled;
        }
        if (labelled <= 2 || labelled * (labelW + lh) <= width) break;
        maxX = std::max(2, int(width / (labelW + lh)));
    }
    // The last x label is centred on the right edge: keep half of it inside the target.
    double lastHalf = 0;
    for (const AxisTick& t : m_xTicks)
        if (!t.label.isEmpty()) lastHalf = fm.horizontalAdvance(t.label) / 2;
    if (m_rightReserve <= 0) right = std::min(right, target.right() - std::max(lastHalf, pad) - 2);
    m_plot = QRectF(QPointF(left, top), QPointF(std::max(right, left + 10), std::max(bottom, top + 10)));
}

QRectF PlotFrame::reservedRect() const {
    return QRectF(m_plot.right(), m_plot.top(), m_rightReserve, m_plot.height());
}

double PlotFrame::mapX(double x) const {
    return m_plot.left() + (x - m_x.lo) / (m_x.hi - m_x.lo) * m_plot.width();
}

double PlotFrame::mapY(double y) const {
    return m_plot.bottom() - (y - m_y.lo) / (m_y.hi - m_y.lo) * m_plot.height();
}

QPointF PlotFrame::unmap(const QPointF& px) const {
    return {m_x.lo + (px.x() - m_plot.left()) / m_plot.width() * (m_x.hi - m_x.lo),
            m_y.lo + (m_plot.bottom() - px.y()) / m_plot.height() * (m_y.hi - m_y.lo)};
}

void PlotFrame::drawUnder(QPainter& p) const {
    p.save();
    p.fillRect(m_target, m_style.background);
    const QFontMetricsF fm(m_style.font);
    const double lh = fm.height();
    const double pad = std::round(lh * 0.6);
    const double tick = std::round(lh * 0.3);

    if (!m_title.isEmpty()) {
        p.setFont(m_style.titleFont);
        p.setPen(m_style.text);
        const QRectF r(m_target.left() + pad, m_target.top() + pad * 0.5, m_target.width() - 2 * pad,
                       QFontMetricsF(m_style.titleFont).height() * m_titleLines.size() + pad * 0.5);
        p.drawText(r, Qt::AlignHCenter | Qt::AlignVCenter, m_titleLines.join(QLatin1Char('\n')));
    }

    // Grid lines: 1 logical pixel (not cosmetic: PDF hairlines would vanish at print resolution).
    p.setRenderHint(QPainter::Antialiasing, false);
    QPen gridPen(m_style.grid, 1.0);
    QPen minorPen(m_style.minorGrid, 1.0);
    for (const AxisTick& t : m_xTicks) {
        const double x = mapX(t.value);
        if (x < m_plot.left() - 0.5 || x > m_plot.right() + 0.5) continue;
        p.setPen(t.major ? gridPen : minorPen);
        p.drawLine(QPointF(x, m_plot.top()), QPointF(x, m_plot.bottom()));
    }
    for (const AxisTick& t : m_yTicks) {
        const double y = mapY(t.value);
        if (y < m_plot.top() - 0.5 || y > m_plot.bottom() + 0.5) continue;
        p.setPen(t.major ? gridPen : minorPen);
        p.drawLine(QPointF(m_plot.left(), y), QPointF(m_plot.right(), y));
    }
    p.setRenderHint(QPainter::Antialiasing, true);

    // Tick labels.
    p.setFont(m_style.font);
    p.setPen(m_style.text);
    for (const AxisTick& t : m_xTicks) {
        if (t.label.isEmpty()) continue;
        const double x = mapX(t.value);
        if (x < m_plot.left() - 0.5 || x > m_plot.right() + 0.5) continue;
        const double w = fm.horizontalAdvance(t.label) + 4;
        p.drawText(QRectF(x - w / 2, m_plot.bottom() + tick + 2, w, lh), Qt::AlignCenter, t.label);
    }
    for (const AxisTick& t : m_yTicks) {
        if (t.label.isEmpty()) continue;
        const double y = mapY(t.value);
        if (y < m_plot.top() - 0.5 || y > m_plot.bottom() + 0.5) continue;
        const double w = m_plot.left() - tick - 4 - m_target.left();
        p.drawText(QRectF(m_plot.left() - tick - 4 - w, y - lh / 2, w, lh), Qt::AlignRight | Qt::AlignVCenter, t.label);
    }

    // Axis labels: x centred under the tick labels, y rotated along the left edge.
    if (!m_x.label.isEmpty()) {
        const QRectF r(m_plot.left(), m_plot.bottom() + tick + 2 + lh + 2, m_plot.width(), lh);
        p.drawText(r, Qt::AlignCenter, m_x.label);
    }
    if (!m_y.label.isEmpty()) {
        p.save();
        p.translate(m_target.left() + pad + lh / 2, m_plot.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-m_plot.height() / 2, -lh / 2, m_plot.height(), lh), Qt::AlignCenter, m_y.label);
        p.restore();
    }
    p.restore();
}

void PlotFrame::drawOver(QPainter& p) const {
    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    const QFontMetricsF fm(m_style.font);
    const double tick = std::round(fm.height() * 0.3);
    p.setPen(QPen(m_style.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(m_plot);
    for (const AxisTick& t : m_xTicks) {
        const double x = mapX(t.value);
        if (x < m_plot.left() - 0.5 || x > m_plot.right() + 0.5) continue;
        const double len = t.major ? tick : tick / 2;
        p.drawLine(QPointF(x, m_plot.bottom()), QPointF(x, m_plot.bottom() + len));
    }
    for (const AxisTick& t : m_yTicks) {
        const double y = mapY(t.value);
        if (y < m_plot.top() - 0.5 || y > m_plot.bottom() + 0.5) continue;
        const double len = t.major ? tick : tick / 2;
        p.drawLine(QPointF(m_plot.left() - len, y), QPointF(m_plot.left(), y));
    }
    p.restore();
}

} // namespace seqpe::ui
