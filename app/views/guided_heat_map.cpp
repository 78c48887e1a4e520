// GuidedHeatMap: the heat map plus dashed guides at cell boundaries (training length / grid).
#include "guided_heat_map.h"

#include <QPaintEvent>
#include <QPainter>

namespace seqpe::ui {

void GuidedHeatMap::setGuides(int row, int col, const QString& label) {
    m_row = row;
    m_col = col;
    m_label = label;
    update();
}

void GuidedHeatMap::drawGuides(QPainter& p) const {
    if (rows() <= 0 || columns() <= 0) return;
    const QRectF m = matrixRect();
    // The boundary before cell k, in widget coordinates (k == count: the far edge).
    auto xAt = [&](int k) { return m.left() + m.width() * k / columns(); };
    auto yAt = [&](int k) { return m.top() + m.height() * k / rows(); };
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    // White under black dashes: readable on every colour of every map.
    for (const auto& pen : {QPen(QColor(255, 255, 255, 220), 2.6), QPen(Qt::black, 1.2, Qt::DashLine)}) {
        p.setPen(pen);
        if (m_col > 0 && m_col <= columns()) p.drawLine(QPointF(xAt(m_col), m.top()), QPointF(xAt(m_col), m.bottom()));
        if (m_row > 0 && m_row <= rows()) p.drawLine(QPointF(m.left(), yAt(m_row)), QPointF(m.right(), yAt(m_row)));
    }
    if (m_col > 0 && m_col <= columns() && !m_label.isEmpty()) {
        QFont f = font();
        f.setPixelSize(std::max(9, QFontInfo(font()).pixelSize() - 1));
        p.setFont(f);
        const QFontMetricsF fm(f);
        const double w = fm.horizontalAdvance(m_label) + 8, h = fm.height() + 2;
        // Inside the matrix (never over the tick labels): right of the line when there is room,
        // else left of it, else below the top edge wherever it fits.
        double x = xAt(m_col) + 3;
        if (x + w > m.right()) x = xAt(m_col) - 3 - w;
        x = std::clamp(x, m.left() + 2, std::max(m.left() + 2, m.right() - w - 2));
        if (w > m.width() - 4) return p.restore(); // too small a matrix for the label: the dashes say it
        const QRectF box(x, m.top() + 3, w, h);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 200));
        p.drawRoundedRect(box, 3, 3);
        p.setPen(Qt::black);
        p.drawText(box, Qt::AlignCenter, m_label);
    }
    p.restore();
}

void GuidedHeatMap::renderFigure(QPainter& p, const QRectF& target) const {
    const QSizeF own = size();
    if (own.isEmpty()) {
        render(p, target);
        return;
    }
    p.save();
    p.translate(target.topLeft());
    p.scale(target.width() / own.width(), target.height() / own.height());
    render(p, QRectF(QPointF(0, 0), own));
    drawGuides(p);
    p.restore();
}

void GuidedHeatMap::paintEvent(QPaintEvent* event) {
    HeatMap::paintEvent(event); // the figure plus the hover outline
    QPainter p(this);
    drawGuides(p);
}

} // namespace seqpe::ui
