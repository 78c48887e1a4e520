// Colour bar drawing: a many-stop linear gradient plus nice ticks of the value range.
#include "color_bar.h"

#include "plot_title.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace seqpe::ui {
namespace {

struct BarGeometry {
    double gap, bar, tick;
};

BarGeometry geometry(const PlotStyle& style) {
    const double lh = QFontMetricsF(style.font).height();
    return {std::round(lh * 0.8), std::round(lh * 0.9), std::round(lh * 0.3)};
}

} // namespace

double colorBarWidth(const PlotStyle& style, const ColorBarSpec& spec, double barHeight) {
    const QFontMetricsF fm(style.font);
    const BarGeometry g = geometry(style);
    double labelW = 0;
    for (const AxisTick& t : linearTicks(spec.lo, spec.hi, 8)) labelW = std::max(labelW, fm.horizontalAdvance(t.label));
    double w = g.gap + g.bar + g.tick + 3 + labelW + 4;
    const int lines = barHeight > 0 ? int(titleLines(spec.label, fm, barHeight).size()) : 1;
    if (!spec.label.isEmpty()) w += lines * fm.height() + 2;
    return w;
}

void drawColorBar(QPainter& p, const PlotStyle& style, const ColorBarSpec& spec, const QRectF& area) {
    const QFontMetricsF fm(style.font);
    const BarGeometry g = geometry(style);
    const QRectF bar(area.left() + g.gap, area.top(), g.bar, area.height());
    if (bar.height() < 4) return;
    p.save();
    QLinearGradient grad(bar.bottomLeft(), bar.topLeft());
    constexpr int kStops = 64;
    for (int i = 0; i < kStops; ++i) {
        const double t = double(i) / (kStops - 1);
        grad.setColorAt(t, colorMapColor(spec.map, t));
    }
    p.setPen(Qt::NoPen);
    p.fillRect(bar, grad);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(QPen(style.axis, 1.0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);

    const double span = spec.hi - spec.lo;
    const int maxTicks = std::clamp(int(bar.height() / (fm.height() * 3.0)), 2, 11);
    p.setFont(style.font);
    double labelW = 0;
    for (const AxisTick& t : linearTicks(spec.lo, spec.hi, maxTicks)) {
        if (!(span > 0)) break;
        const double y = bar.bottom() - (t.value - spec.lo) / span * bar.height();
        p.setPen(QPen(style.axis, 1.0));
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + g.tick, y));
        p.setPen(style.text);
        const double w = fm.horizontalAdvance(t.label);
        labelW = std::max(labelW, w);
        p.drawText(QRectF(bar.right() + g.tick + 3, y - fm.height() / 2, w + 4, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, t.label);
    }
    if (!spec.label.isEmpty()) {
        // As many rotated lines as the area has room for (at least one), the title wrapped into them.
        const double left = bar.right() + g.tick + 3 + std::max(labelW, 0.0) + 6;
        const int room = std::max(1, int((area.right() - left + 2) / fm.height()));
        const QStringList lines = titleLines(spec.label, fm, bar.height(), std::min(room, 2));
        p.setPen(style.text);
        p.translate(left + lines.size() * fm.height() / 2, bar.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-bar.height() / 2, -lines.size() * fm.height() / 2, bar.height(), lines.size() * fm.height()),
                   Qt::AlignCenter, lines.join(QLatin1Char('\n')));
    }
    p.restore();
}

} // namespace seqpe::ui
