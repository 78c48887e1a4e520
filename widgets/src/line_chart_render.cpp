// LineChart painting: layout (frame + legend), curves, annotations, the screen-only overlays
// (hover read-out, rubber band), and the queries that depend on the layout (drawn points, legend
// hit test). render() is the single drawing path for screen and export.
#include "line_chart_p.h"

#include <QFontMetricsF>
#include <QLineF>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPaintEvent>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>
#include <cmath>

namespace seqpe::ui {
namespace {

// Liang-Barsky: clips segment a-b to `r`; false when it lies outside. Curves are clipped here and
// not only with QPainter::setClipRect, because QSvgGenerator (Qt 6.4) writes no clip paths: an SVG
// of a zoomed chart would otherwise spill lines over the axes. It also keeps the coordinates
// handed to the rasteriser small when a spike lies millions of pixels off-screen.
bool clipSegment(QPointF& a, QPointF& b, const QRectF& r) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x() - r.left(), r.right() - a.x(), a.y() - r.top(), r.bottom() - a.y()};
    double t0 = 0, t1 = 1;
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return false;
            t0 = std::max(t0, t);
        } else {
            if (t < t0) return false;
            t1 = std::min(t1, t);
        }
    }
    const QPointF a0 = a;
    if (t1 < 1) b = QPointF(a0.x() + t1 * dx, a0.y() + t1 * dy);
    if (t0 > 0) a = QPointF(a0.x() + t0 * dx, a0.y() + t0 * dy);
    return true;
}

QString formatValue(double v) {
    return QString::number(v, 'g', 6);
}

} // namespace

LineChart::Private::Layout LineChart::Private::layout(const QRectF& target) const {
    const PlotStyle style = PlotStyle::fromWidget(*q);
    const Range x = currentX(), y = currentY();
    const auto frameIn = [&](const QRectF& t, double rightReserve) {
        return PlotFrame(style, title, AxisSpec{x.lo, x.hi, logX, xLabel}, AxisSpec{y.lo, y.hi, logY, yLabel}, t,
                         rightReserve);
    };
    Layout l{frameIn(target, 0), QRectF(), {}};

    QVector<int> ids;
    for (auto it = series.cbegin(); it != series.cend(); ++it)
        if (!it.value().name.isEmpty()) ids.append(it.key());
    if (ids.isEmpty()) return l;
    const QFontMetricsF fm(style.font);
    const double lh = fm.height();
    const double pad = std::round(lh * 0.35);
    const double swatch = std::round(lh * 1.6);
    const double rowH = std::round(lh * 1.15);
    const double chrome = pad * 3 + swatch; // an entry's width besides its name
    double nameW = 0;
    for (int id : ids) nameW = std::max(nameW, fm.horizontalAdvance(find(id)->name) + 2);
    const int n = int(ids.size());
    // Every series is listed, whole where the names fit (a cut name can make two runs read the same):
    //  1. inside the plot, in the corner that covers the least of the curves, when all entries fit
    //     there at full length in at most a third of the plot's width and half its height;
    //  2. else right of the plot, in as many columns as the height needs, when that takes at most
    //     40% of the figure's width;
    //  3. else below the plot, in rows of columns across the full width (names cut in the middle
    //     only when one is wider than the figure).
    QRectF pr = l.frame.plotRect();
    if (n * rowH + 2 * pad <= pr.height() * 0.5 && chrome + nameW <= pr.width() / 3) {
        const double boxW = chrome + nameW, boxH = pad * 2 + n * rowH;
        const QRectF corners[4] = {QRectF(pr.right() - 6 - boxW, pr.top() + 6, boxW, boxH),
                                   QRectF(pr.left() + 6, pr.top() + 6, boxW, boxH),
                                   QRectF(pr.right() - 6 - boxW, pr.bottom() - 6 - boxH, boxW, boxH),
                                   QRectF(pr.left() + 6, pr.bottom() - 6 - boxH, boxW, boxH)};
        int covered[4] = {0, 0, 0, 0};
        for (auto it = series.cbegin(); it != series.cend(); ++it) {
            if (!it.value().visible) continue;
            const QVector<QPointF>& pts = foreground(it.value()).plot;
            const qsizetype step = std::max<qsizetype>(1, pts.size() / 400); // long curves: a sample
            QPointF prev;
            for (qsizetype i = 0; i < pts.size(); i += step) {
                const QPointF px = l.frame.map(pts[i]);
                // A sparse curve (5 evaluation lengths) crosses a box between its points: sample the segment.
                const int parts = i == 0 ? 1 : std::clamp(int(QLineF(prev, px).length() / 8), 1, 64);
                for (int k = 1; k <= parts; ++k) {
                    const QPointF at = i == 0 ? px : prev + (px - prev) * (double(k) / parts);
                    for (int c = 0; c < 4; ++c) covered[c] += corners[c].contains(at) ? 1 : 0;
                }
                prev = px;
            }
        }
        int best = 0;
        for (int c = 1; c < 4; ++c)
            if (covered[c] < covered[best]) best = c;
        l.legendBox = corners[best];
        for (int i = 0; i < n; ++i)
            l.legendEntries.append(
                {ids[i], QRectF(l.legendBox.left(), l.legendBox.top() + pad + i * rowH, boxW, rowH)});
        return l;
    }
    const double entryW = std::min(chrome + nameW, target.width() - 2 * pad);
    const int perColumn = std::max(1, int((pr.height() - 2 * pad) / rowH));
    const int columns = (n + perColumn - 1) / perColumn;
    const double rightW = columns * entryW + 2 * pad + 6;
    if (rightW <= target.width() * 0.4) {
        l.frame = frameIn(target, rightW);
        pr = l.frame.plotRect();
        const int rows = std::min(n, std::max(1, int((pr.height() - 2 * pad) / rowH)));
        const int cols = (n + rows - 1) / rows;
        l.legendBox = QRectF(pr.right() + 6, pr.top(), cols * entryW, pad * 2 + rows * rowH);
        for (int i = 0; i < n; ++i)
            l.legendEntries.append({ids[i], QRectF(l.legendBox.left() + (i / rows) * entryW,
                                                   l.legendBox.top() + pad + (i % rows) * rowH, entryW, rowH)});
        return l;
    }
    const int cols = std::max(1, int((target.width() - 2 * pad) / entryW));
    const int rows = (n + cols - 1) / cols;
    // At most half of the figure's height goes to the legend: past that (dozens of series in a small
    // chart) the plot would vanish, and the entries that fit are listed (the hover read-out names
    // every curve).
    const int shownRows = std::max(1, std::min(rows, int(target.height() * 0.5 / rowH)));
    const double boxH = pad * 2 + shownRows * rowH;
    l.frame = frameIn(target.adjusted(0, 0, 0, -boxH), 0);
    l.legendBox = QRectF(target.left() + pad, target.bottom() - boxH, std::min(cols, n) * entryW, boxH - pad);
    for (int i = 0; i < std::min(n, shownRows * cols); ++i)
        l.legendEntries.append({ids[i], QRectF(l.legendBox.left() + (i % cols) * entryW,
                                               l.legendBox.top() + pad * 0.5 + (i / cols) * rowH, entryW, rowH)});
    return l;
}

void LineChart::Private::drawCurve(QPainter& p, const PlotFrame& f, const Curve& c, const QVector<int>& idx,
                                   const QPen& pen, const Range&) const {
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const QRectF pr = f.plotRect();
    // The raster engine strokes one long self-overlapping polyline (the min/max zig-zag of a
    // decimated noisy curve) in super-linear time: 4k points took ~400 ms, in runs of 16 points
    // ~25 ms. Vector output keeps whole polylines (smaller files; the viewer rasterises).
    const QPaintEngine* engine = p.paintEngine();
    const bool vector = engine && (engine->type() == QPaintEngine::SVG || engine->type() == QPaintEngine::Pdf);
    constexpr int kRun = 16;
    QPolygonF poly;
    poly.reserve(idx.size());
    const auto flush = [&] {
        const int n = int(poly.size());
        if (n >= 2 && (vector || n <= 2 * kRun)) {
            p.drawPolyline(poly);
        } else if (n >= 2) {
            for (int i = 0; i + 1 < n; i += kRun) p.drawPolyline(poly.constData() + i, std::min(kRun + 1, n - i));
        }
        poly.clear();
    };
    bool havePrev = false;
    QPointF prev; // pixel position of the previous finite point
    for (int k = 0; k < idx.size(); ++k) {
        const QPointF a = c.plot[idx[k]];
        if (!std::isfinite(a.y())) {
            flush();
            havePrev = false;
            continue;
        }
        const QPointF cur = f.map(a);
        if (!havePrev) {
            havePrev = true;
            prev = cur;
            const bool isolated = k + 1 >= idx.size() || !std::isfinite(c.plot[idx[k + 1]].y());
            if (isolated && pr.contains(cur)) {
                // A lone sample (a sweep with one value, a point between gaps) is a dot a reader sees.
                const double r = std::max(2.5, pen.widthF() * 1.8);
                p.save();
                p.setPen(Qt::NoPen);
                p.setBrush(pen.color());
                p.drawEllipse(cur, r, r);
                p.restore();
            }
            continue;
        }
        QPointF s0 = prev, s1 = cur;
        prev = cur;
        if (!clipSegment(s0, s1, pr)) {
            flush();
            continue;
        }
        if (poly.isEmpty() || poly.last() != s0) {
            flush();
            poly.append(s0);
        }
        poly.append(s1);
        if (s1 != cur) flush(); // the curve leaves the plot here
    }
    flush();
}

void LineChart::Private::drawBand(QPainter& p, const PlotFrame& f, const Series& s) const {
    // Lower edge left to right, upper edge back: one polygon per run of representable points.
    QPolygonF lo, hi;
    auto flush = [&] {
        if (lo.size() >= 2) {
            QPolygonF poly = lo;
            for (int i = hi.size() - 1; i >= 0; --i) poly.append(hi[i]);
            QColor c = s.color;
            c.setAlphaF(0.18f);
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawPolygon(poly);
        }
        lo.clear();
        hi.clear();
    };
    for (int i = 0; i < s.bandLo.size() && i < s.bandHi.size(); ++i) {
        const double ax = toAxisX(s.bandLo[i].x()), ylo = toAxisY(s.bandLo[i].y()), yhi = toAxisY(s.bandHi[i].y());
        if (!std::isfinite(ax) || !std::isfinite(ylo) || !std::isfinite(yhi)) {
            flush();
            continue;
        }
        lo.append(f.map(QPointF(ax, ylo)));
        hi.append(f.map(QPointF(ax, yhi)));
    }
    flush();
}

void LineChart::Private::drawAnnotations(QPainter& p, const PlotFrame& f, bool under) const {
    const PlotStyle& style = f.style();
    const QRectF pr = f.plotRect();
    const QFontMetricsF fm(style.font);
    QColor labelColor = style.text;
    labelColor.setAlpha(200);
    p.save();
    p.setFont(style.font);
    if (under && shade) {
        const double ax = toAxisX(shade->x);
        const double axEnd = std::isfinite(shade->x_end) ? toAxisX(shade->x_end) : std::nan("");
        if (std::isfinite(ax)) {
            const double left = std::max(f.mapX(ax), pr.left());
            const double right = std::isfinite(axEnd) ? std::min(f.mapX(axEnd), pr.right()) : pr.right();
            if (left < right) {
                // A neutral grey at low alpha reads as "shaded" on light and dark backgrounds alike.
                p.fillRect(QRectF(QPointF(left, pr.top()), QPointF(right, pr.bottom())),
                           QColor(128, 128, 128, style.dark ? 48 : 36));
                if (!shade->label.isEmpty()) {
                    p.setPen(labelColor);
                    p.drawText(QRectF(left + 4, pr.bottom() - fm.height() - 4, right - left - 8, fm.height()),
                               Qt::AlignLeft | Qt::AlignVCenter,
                               fm.elidedText(shade->label, Qt::ElideRight, right - left - 8));
                }
            }
        }
    }
    if (!under && marker) {
        const double ax = toAxisX(marker->x);
        const double xp = std::isfinite(ax) ? f.mapX(ax) : -1;
        if (xp >= pr.left() && xp <= pr.right()) {
            QColor c = style.text;
            c.setAlpha(190);
            p.setPen(QPen(c, 1.2, Qt::DashLine));
            p.drawLine(QPointF(xp, pr.top()), QPointF(xp, pr.bottom()));
            if (!marker->label.isEmpty()) {
                // Left of the line, so it never collides with the shading label on the right.
                p.setPen(labelColor);
                const double w = fm.horizontalAdvance(marker->label) + 4;
                const bool roomLeft = xp - pr.left() > w + 4;
                const QRectF r = roomLeft ? QRectF(xp - 4 - w, pr.bottom() - fm.height() - 4, w, fm.height())
                                          : QRectF(xp + 4, pr.bottom() - 2 * fm.height() - 6, w, fm.height());
                p.drawText(r, Qt::AlignRight | Qt::AlignVCenter, marker->label);
            }
        }
    }
    p.restore();
}

void LineChart::Private::drawLegend(QPainter& p, const Layout& l, const PlotStyle& style) const {
    if (l.legendEntries.isEmpty()) return;
    const QFontMetricsF fm(style.font);
    const double lh = fm.height();
    const double pad = std::round(lh * 0.35);
    const double swatch = std::round(lh * 1.6);
    p.save();
    QColor bg = style.background;
    bg.setAlpha(225);
    p.setPen(QPen(style.grid, 1.0));
    p.setBrush(bg);
    p.drawRoundedRect(l.legendBox, 3, 3);
    for (const auto& [id, r] : l.legendEntries) {
        const Series& s = *find(id);
        QColor c = s.color;
        if (!s.visible) c.setAlpha(60);
        const double cy = r.center().y();
        p.setPen(QPen(c, 2.5, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QPointF(r.left() + pad, cy), QPointF(r.left() + pad + swatch, cy));
        QFont font = style.font;
        font.setStrikeOut(!s.visible);
        p.setFont(font);
        QColor tc = style.text;
        if (!s.visible) tc.setAlpha(110);
        p.setPen(tc);
        const QRectF tr(r.left() + pad * 2 + swatch, r.top(), r.width() - pad * 3 - swatch, r.height());
        // Cut in the middle, if at all: runs of a sweep differ at the end of their names.
        p.drawText(tr, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(s.name, Qt::ElideMiddle, tr.width()));
    }
    p.restore();
}

void LineChart::Private::drawHover(QPainter& p, const Layout& l, const PlotStyle& style) const {
    const QRectF pr = l.frame.plotRect();
    if (!hover || !pr.contains(*hover) || l.legendBox.contains(*hover)) return;
    const double dataX = fromAxisX(l.frame.unmap(*hover).x());
    const QVector<SeriesValue> values = q->valuesAt(dataX);
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    QColor cross = style.text;
    cross.setAlpha(120);
    p.setPen(QPen(cross, 1.0, Qt::DotLine));
    p.drawLine(QPointF(hover->x(), pr.top()), QPointF(hover->x(), pr.bottom()));

    // First line: the x of the first series' point; other series show their own x only when their
    // samples fall elsewhere (runs logged on different step grids).
    QStringList lines;
    QVector<QColor> colors;
    const double headX = values.isEmpty() ? dataX : values.first().point.x();
    if (!values.isEmpty()) {
        lines << QStringLiteral("%1 = %2").arg(xLabel.isEmpty() ? QStringLiteral("x") : xLabel, formatValue(headX));
        colors << QColor();
    }
    for (const SeriesValue& v : values) {
        const QPointF a(toAxisX(v.point.x()), toAxisY(v.point.y()));
        if (std::isfinite(a.x()) && std::isfinite(a.y())) {
            const QPointF px = l.frame.map(a);
            if (pr.contains(px)) {
                p.setPen(QPen(style.background, 1.5));
                p.setBrush(v.color);
                p.drawEllipse(px, 4, 4);
            }
        }
        QString line = QStringLiteral("%1: %2").arg(v.name.isEmpty() ? tr("series %1").arg(v.id) : v.name,
                                                    formatValue(v.point.y()));
        if (v.point.x() != headX) line += QStringLiteral("  (at %1)").arg(formatValue(v.point.x()));
        lines << line;
        colors << v.color;
    }
    if (!lines.isEmpty()) {
        const QFontMetricsF fm(style.font);
        const double lh = fm.height();
        double w = 0;
        for (const QString& s : lines) w = std::max(w, fm.horizontalAdvance(s));
        const double pad = 6, dot = lh * 0.6;
        QRectF box(0, 0, w + dot + 3 * pad, lines.size() * lh + 2 * pad);
        box.moveTopLeft(*hover + QPointF(14, 14));
        if (box.right() > l.frame.target().right()) box.moveRight(hover->x() - 14);
        if (box.bottom() > l.frame.target().bottom()) box.moveBottom(hover->y() - 14);
        const QPalette& pal = q->palette();
        p.setPen(QPen(style.grid, 1.0));
        p.setBrush(pal.color(QPalette::ToolTipBase));
        p.drawRoundedRect(box, 3, 3);
        p.setFont(style.font);
        for (int i = 0; i < lines.size(); ++i) {
            const double y = box.top() + pad + i * lh;
            if (colors[i].isValid()) {
                p.setPen(Qt::NoPen);
                p.setBrush(colors[i]);
                p.drawEllipse(QRectF(box.left() + pad, y + (lh - dot) / 2, dot, dot));
            }
            p.setPen(pal.color(QPalette::ToolTipText));
            p.drawText(QRectF(box.left() + 2 * pad + dot, y, w + 2, lh), Qt::AlignLeft | Qt::AlignVCenter, lines[i]);
        }
    }
    p.restore();
}

void LineChart::render(QPainter& p, const QRectF& target) const {
    const PlotStyle style = PlotStyle::fromWidget(*this);
    const Private::Layout l = m_d->layout(target);
    const Private::Range x = m_d->currentX();
    const QRectF pr = l.frame.plotRect();

    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    // The whole figure: a legend below the plot lies outside the frame's own background.
    p.fillRect(target, style.background);
    l.frame.drawUnder(p);

    p.save();
    p.setClipRect(pr);
    m_d->drawAnnotations(p, l.frame, true);
    // One bucket per device pixel column; capped for vector output, where the painter is scaled to
    // print resolution but 4 points per column are already finer than the eye can tell.
    const QTransform& t = p.worldTransform();
    const double dpr = p.device() ? p.device()->devicePixelRatioF() : 1.0;
    const double scale = std::min(std::hypot(t.m11(), t.m12()) * dpr, 4.0);
    const int columns = std::max(1, int(std::ceil(pr.width() * scale)));
    bool anyData = false;
    for (const Private::Series& s : m_d->series) // bands under every curve
        if (s.visible && !s.bandLo.isEmpty()) m_d->drawBand(p, l.frame, s);
    for (const Private::Series& s : m_d->series) {
        if (!s.visible) continue;
        m_d->ensureCache(s);
        anyData = anyData || !s.raw.plot.isEmpty();
        if (m_d->smoothing != Smoothing::None) {
            QColor faint = s.color;
            faint.setAlphaF(0.28f);
            m_d->drawCurve(p, l.frame, s.raw, m_d->decimated(s.raw, x, columns), QPen(faint, 1.0), x);
        }
        const Private::Curve& fg = m_d->foreground(s);
        m_d->drawCurve(p, l.frame, fg, m_d->decimated(fg, x, columns),
                       QPen(s.color, 1.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin), x);
    }
    m_d->drawAnnotations(p, l.frame, false);
    p.restore();

    l.frame.drawOver(p);
    if (!anyData) {
        QColor c = style.text;
        c.setAlpha(130);
        p.setPen(c);
        p.setFont(style.font);
        p.drawText(pr, Qt::AlignCenter, tr("No data"));
    }
    m_d->drawLegend(p, l, style);
    p.restore();
}

void LineChart::paintEvent(QPaintEvent*) {
    const qreal dpr = devicePixelRatioF();
    const QSize devSize = (QSizeF(size()) * dpr).toSize();
    if (m_d->dirty || m_d->cache.size() != devSize || m_d->cache.devicePixelRatio() != dpr) {
        m_d->cache = QPixmap(devSize);
        m_d->cache.setDevicePixelRatio(dpr);
        QPainter cp(&m_d->cache);
        render(cp, QRectF(rect()));
        m_d->dirty = false;
    }
    QPainter p(this);
    p.drawPixmap(0, 0, m_d->cache);
    const PlotStyle style = PlotStyle::fromWidget(*this);
    const Private::Layout l = m_d->layout(QRectF(rect()));
    if (m_d->drag == Private::Drag::Rubber) {
        const QRectF band = QRectF(m_d->pressPos, m_d->dragPos).normalized().intersected(l.frame.plotRect());
        QColor fill = palette().color(QPalette::Highlight);
        fill.setAlpha(45);
        p.setPen(QPen(palette().color(QPalette::Highlight), 1.0, Qt::DashLine));
        p.setBrush(fill);
        p.drawRect(band);
    } else {
        m_d->drawHover(p, l, style);
    }
}

// ---------------------------------------------------------------------------------------------
// Introspection

QVector<QPointF> LineChart::drawnPoints(int id) const {
    const Private::Series* s = m_d->find(id);
    if (!s || !s->visible) return {};
    const Private::Layout l = m_d->layout(QRectF(rect()));
    const Private::Curve& c = m_d->foreground(*s);
    const int columns = int(std::ceil(l.frame.plotRect().width() * devicePixelRatioF()));
    QVector<QPointF> out;
    for (int i : m_d->decimated(c, m_d->currentX(), columns)) out.append(c.data[i]);
    return out;
}

QVector<LineChart::SeriesValue> LineChart::valuesAt(double x) const {
    QVector<SeriesValue> out;
    const double ax = m_d->toAxisX(x);
    if (!std::isfinite(ax)) return out;
    for (auto it = m_d->series.cbegin(); it != m_d->series.cend(); ++it) {
        const Private::Series& s = it.value();
        if (!s.visible) continue;
        const Private::Curve& c = m_d->foreground(s);
        if (c.plot.isEmpty()) continue;
        const auto byX = [](const QPointF& p, double v) { return p.x() < v; };
        const int i = int(std::lower_bound(c.plot.begin(), c.plot.end(), ax, byX) - c.plot.begin());
        int best = std::min(i, int(c.plot.size()) - 1);
        if (i > 0 && (i == c.plot.size() || ax - c.plot[i - 1].x() < c.plot[i].x() - ax)) best = i - 1;
        out.append({it.key(), s.name, s.color, c.data[best]});
    }
    return out;
}

int LineChart::legendEntryAt(const QPointF& pos) const {
    const Private::Layout l = m_d->layout(QRectF(rect()));
    for (const auto& e : l.legendEntries)
        if (e.second.contains(pos)) return e.first;
    return -1;
}

QRectF LineChart::plotRect() const {
    return m_d->layout(QRectF(rect())).frame.plotRect();
}

} // namespace seqpe::ui
