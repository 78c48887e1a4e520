// LineChart mouse interaction: wheel zoom (Shift: y), left-drag pan, right- or Ctrl-drag rubber
// band, double-click resets, click on a legend entry toggles the series, hover shows the values at
// the cursor. Every handler works through the same layout as painting.
#include "line_chart_p.h"

#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace seqpe::ui {

void LineChart::mousePressEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    m_d->pressPos = m_d->dragPos = pos;
    m_d->pressX = m_d->currentX();
    m_d->pressY = m_d->currentY();
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (event->button() == Qt::LeftButton && !ctrl) {
        m_d->pressedLegend = legendEntryAt(pos);
        if (m_d->pressedLegend < 0 && plotRect().contains(pos)) m_d->drag = Private::Drag::Pan;
    } else if ((event->button() == Qt::RightButton || (event->button() == Qt::LeftButton && ctrl)) &&
               plotRect().contains(pos)) {
        m_d->drag = Private::Drag::Rubber;
    }
    event->accept();
}

void LineChart::mouseMoveEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    m_d->dragPos = pos;
    if (m_d->drag == Private::Drag::Pan) {
        const QRectF pr = plotRect();
        const double dx = (pos.x() - m_d->pressPos.x()) / pr.width() * (m_d->pressX.hi - m_d->pressX.lo);
        const double dy = (pos.y() - m_d->pressPos.y()) / pr.height() * (m_d->pressY.hi - m_d->pressY.lo);
        m_d->viewX = Private::Range{m_d->pressX.lo - dx, m_d->pressX.hi - dx};
        m_d->viewY = Private::Range{m_d->pressY.lo + dy, m_d->pressY.hi + dy};
        m_d->hover.reset();
        m_d->changed();
        Q_EMIT viewChanged();
        return;
    }
    if (m_d->drag == Private::Drag::Rubber)
        m_d->hover.reset();
    else
        m_d->hover = pos;
    update(); // overlay only: the cached figure is reused
}

void LineChart::mouseReleaseEvent(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (m_d->drag == Private::Drag::Rubber) {
        const Private::Layout l = m_d->layout(QRectF(rect()));
        const QRectF band = QRectF(m_d->pressPos, pos).normalized().intersected(l.frame.plotRect());
        if (band.width() > 4) {
            const QPointF a = l.frame.unmap(band.bottomLeft()), b = l.frame.unmap(band.topRight());
            m_d->viewX = Private::Range{a.x(), b.x()};
            if (band.height() > 4) m_d->viewY = Private::Range{a.y(), b.y()};
            m_d->changed();
            Q_EMIT viewChanged();
        }
    } else if (m_d->pressedLegend >= 0 && legendEntryAt(pos) == m_d->pressedLegend) {
        setSeriesVisible(m_d->pressedLegend, !isSeriesVisible(m_d->pressedLegend));
    }
    m_d->drag = Private::Drag::None;
    m_d->pressedLegend = -1;
    update();
}

void LineChart::mouseDoubleClickEvent(QMouseEvent* event) {
    if (legendEntryAt(event->position()) >= 0)
        return; // a fast double toggle of a legend entry must not also reset the zoom
    autoRange();
}

void LineChart::wheelEvent(QWheelEvent* event) {
    const QPoint delta = event->angleDelta();
    const int steps = delta.y() != 0 ? delta.y() : delta.x();
    if (steps == 0) return;
    const Private::Layout l = m_d->layout(QRectF(rect()));
    const QPointF at = l.frame.unmap(event->position());
    const double factor = std::pow(0.85, steps / 120.0); // < 1 zooms in
    if (event->modifiers() & Qt::ShiftModifier) {
        const Private::Range y = m_d->currentY();
        m_d->viewY = Private::Range{at.y() + (y.lo - at.y()) * factor, at.y() + (y.hi - at.y()) * factor};
    } else {
        const Private::Range x = m_d->currentX();
        m_d->viewX = Private::Range{at.x() + (x.lo - at.x()) * factor, at.x() + (x.hi - at.x()) * factor};
    }
    event->accept();
    m_d->changed();
    Q_EMIT viewChanged();
}

void LineChart::leaveEvent(QEvent*) {
    m_d->hover.reset();
    update();
}

void LineChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    // Theme or font changes restyle the figure: the cached picture is stale.
    const auto t = event->type();
    if (t == QEvent::PaletteChange || t == QEvent::FontChange || t == QEvent::StyleChange) m_d->changed();
}

} // namespace seqpe::ui
