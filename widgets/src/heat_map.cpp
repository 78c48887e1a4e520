// HeatMap: layout (title, labels, matrix, colour bar), the LUT-built cell image, picking and
// painting. The cell image is built once per change and reused by every repaint.
#include "seqpe/widgets/heat_map.h"

#include "color_bar.h"
#include "color_scale.h"
#include "plot_frame.h"
#include "plot_title.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPaintDevice>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace seqpe::ui {

struct HeatMap::Private {
    struct Layout {
        PlotStyle style;
        QRectF title, matrix, bar;
        QStringList titleLines;
        double rowLabelW = 0, colLabelH = 0; // space reserved for labels (0 without labels)
        int rowStep = 1, colStep = 1;
    };

    explicit Private(HeatMap* owner) : q(owner) {}

    HeatMap* q;
    int rows = 0, cols = 0;
    QVector<float> values;
    ColorScale scale;
    QStringList rowLabels, colLabels;
    QString title, barLabel;
    bool keepAspect = true;
    QImage background;
    double overlayOpacity = 0.6;
    QPoint marked{-1, -1};
    QPoint hover{-1, -1};

    mutable bool imageValid = false;
    mutable QImage image;  // cols x rows, one pixel per cell
    mutable QImage scaled; // `image` resampled to the last drawn device size

    void updateAutoRange();
    void ensureImage() const;
    const QImage& imageForSize(const QSize& devicePixels) const;
    Layout layout(const QRectF& target) const;
    QRectF cellRect(const Layout& l, int r, int c) const;
    struct TickLabel {
        QString text;
        QRectF box; // where its ink goes, widget coordinates
        bool rotated = false;
    };
    QVector<TickLabel> tickLabels(const Layout& l) const;
    void drawLabels(QPainter& p, const Layout& l) const;
};

void HeatMap::Private::updateAutoRange() {
    if (!scale.automatic) return;
    scale.fit(values);
    imageValid = false;
}

void HeatMap::Private::ensureImage() const {
    if (imageValid) return;
    scaled = QImage();
    if (rows <= 0 || cols <= 0) {
        image = QImage();
        imageValid = true;
        return;
    }
    image = QImage(cols, rows, QImage::Format_ARGB32_Premultiplied);
    const double k = scale.hi > scale.lo ? 255.0 / (scale.hi - scale.lo) : 0.0;
    for (int r = 0; r < rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
        const float* src = values.constData() + size_t(r) * cols;
        for (int c = 0; c < cols; ++c) {
            const double v = src[c];
            if (!std::isfinite(v)) {
                line[c] = 0; // transparent
                continue;
            }
            // Same rounding as indexOf(): colorAt() and the picture always agree.
            line[c] = scale.lut[std::clamp(int(std::lround((v - scale.lo) * k)), 0, 255)];
        }
    }
    imageValid = true;
}

const QImage& HeatMap::Private::imageForSize(const QSize& size) const {
    ensureImage();
    if (image.isNull() || size.isEmpty()) return image;
    if (scaled.size() != size) {
        // Upscaling: nearest neighbour keeps cell edges sharp (and SVG/PDF viewers cannot blur
        // them). Downscaling a big matrix: smooth, so single strong cells do not flicker away.
        const bool up = size.width() >= image.width() && size.height() >= image.height();
        scaled = image.scaled(size, Qt::IgnoreAspectRatio, up ? Qt::FastTransformation : Qt::SmoothTransformation);
    }
    return scaled;
}

HeatMap::Private::Layout HeatMap::Private::layout(const QRectF& target) const {
    Layout l;
    l.style = PlotStyle::fromWidget(*q);
    const QFontMetricsF fm(l.style.font);
    const double lh = fm.height();
    const double pad = std::round(lh * 0.6);
    double top = target.top() + pad;
    if (!title.isEmpty()) {
        const QFontMetricsF tfm(l.style.titleFont);
        l.titleLines = titleLines(title, tfm, target.width() - 2 * pad);
        const double th = tfm.height() * l.titleLines.size();
        l.title = QRectF(target.left() + pad, top - pad * 0.4, target.width() - 2 * pad, th);
        top += th + pad * 0.5;
    }
    const ColorBarSpec barSpec = scale.bar(barLabel);
    double barW = colorBarWidth(l.style, barSpec);
    const auto labelExtent = [&](const QStringList& labels, double cap) {
        double w = 0;
        for (const QString& s : labels) w = std::max(w, fm.horizontalAdvance(s));
        // + a character of slack: drawn text can be a pixel or two wider than measured.
        return labels.isEmpty() ? 0.0 : std::min(w, cap) + 6 + fm.averageCharWidth();
    };
    const double rowW = labelExtent(rowLabels, target.width() * 0.3);
    const double colH = labelExtent(colLabels, target.height() * 0.3);
    const auto place = [&] {
        const QRectF avail(QPointF(target.left() + pad + rowW, top),
                           QPointF(target.right() - pad - barW, target.bottom() - pad - colH));
        QRectF m = avail;
        if (keepAspect && rows > 0 && cols > 0 && avail.width() > 0 && avail.height() > 0) {
            const double aspect =
                !background.isNull() ? double(background.width()) / background.height() : double(cols) / rows;
            double w = avail.width(), h = w / aspect;
            if (h > avail.height()) {
                h = avail.height();
                w = h * aspect;
            }
            m = QRectF(avail.left() + (avail.width() - w) / 2, avail.top() + (avail.height() - h) / 2, w, h);
        }
        return m;
    };
    QRectF m = place();
    // A colour-bar title longer than the bar (a small map) takes a second line: room for it, once.
    if (const double wider = colorBarWidth(l.style, barSpec, m.height()); wider > barW) {
        barW = wider;
        m = place();
    }
    l.rowLabelW = rowW;
    l.colLabelH = colH;
    l.matrix = QRectF(m.topLeft(), QSizeF(std::max(m.width(), 1.0), std::max(m.height(), 1.0)));
    l.bar = QRectF(l.matrix.right(), l.matrix.top(), barW, l.matrix.height());
    if (rows > 0)
        l.rowStep = std::max(1, int(std::ceil(lh * 1.05 / (l.matrix.height() / rows)))); // a gap between labels
    if (cols > 0) l.colStep = std::max(1, int(std::ceil(lh * 1.05 / (l.matrix.width() / cols))));
    return l;
}

QRectF HeatMap::Private::cellRect(const Layout& l, int r, int c) const {
    const double w = l.matrix.width() / cols, h = l.matrix.height() / rows;
    return QRectF(l.matrix.left() + c * w, l.matrix.top() + r * h, w, h);
}

QVector<HeatMap::Private::TickLabel> HeatMap::Private::tickLabels(const Layout& l) const {
    // Every drawn label with the box its ink takes (rotated column labels: the rotated box), so that
    // drawing and the no-overlap test use one computation.
    QVector<TickLabel> out;
    const QFontMetricsF fm(l.style.font);
    const double lh = fm.height();
    const double cellH = rows > 0 ? l.matrix.height() / rows : 0;
    const double rowW = std::max(l.rowLabelW - 4, 1.0);
    for (int r = 0; r < std::min(rows, int(rowLabels.size())); r += l.rowStep) {
        const double cy = l.matrix.top() + (r + 0.5) * cellH;
        const QString s = fm.elidedText(rowLabels[r], Qt::ElideRight, rowW);
        const double w = fm.horizontalAdvance(s);
        const QRectF box(l.matrix.left() - 4 - w, cy - lh / 2, w, lh);
        // Tiny cells: a label that would reach below the matrix (into the column labels) is left out.
        if (box.bottom() > l.matrix.bottom() + 3) continue;
        out.append({s, box, false});
    }
    const double cellW = cols > 0 ? l.matrix.width() / cols : 0;
    const double capH = std::max(l.colLabelH - 4, 1.0);
    for (int c = 0; c < std::min(cols, int(colLabels.size())); c += l.colStep) {
        const double cx = l.matrix.left() + (c + 0.5) * cellW;
        const QString s = fm.elidedText(colLabels[c], Qt::ElideRight, capH);
        const double w = fm.horizontalAdvance(s);
        // Read bottom-up, its end against the matrix edge: x spans the line height around cx.
        const QRectF box(cx - lh / 2, l.matrix.bottom() + 4, lh, w);
        if (box.left() < l.matrix.left() - 3) // would reach into the row labels' column
            continue;
        out.append({s, box, true});
    }
    return out;
}

void HeatMap::Private::drawLabels(QPainter& p, const Layout& l) const {
    p.save();
    p.setFont(l.style.font);
    p.setPen(l.style.text);
    for (const TickLabel& t : tickLabels(l)) {
        if (!t.rotated) {
            p.drawText(t.box, Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip, t.text);
            continue;
        }
        p.save();
        p.translate(t.box.center().x(), t.box.top());
        p.rotate(-90);
        p.drawText(QRectF(-t.box.height(), -t.box.width() / 2, t.box.height(), t.box.width()),
                   Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip, t.text);
        p.restore();
    }
    p.restore();
}

// ---------------------------------------------------------------------------------------------

HeatMap::HeatMap(QWidget* parent) : QWidget(parent), m_d(std::make_unique<Private>(this)) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

HeatMap::~HeatMap() = default;

void HeatMap::setMatrix(int rows, int cols, QVector<float> values) {
    if (rows < 0 || cols < 0 || qsizetype(rows) * cols != values.size()) {
        rows = cols = 0;
        values.clear();
    }
    m_d->rows = rows;
    m_d->cols = cols;
    m_d->values = std::move(values);
    m_d->imageValid = false;
    m_d->updateAutoRange();
    if (m_d->marked.x() >= cols || m_d->marked.y() >= rows) m_d->marked = QPoint(-1, -1);
    update();
}

int HeatMap::rows() const {
    return m_d->rows;
}

int HeatMap::columns() const {
    return m_d->cols;
}

void HeatMap::setColorMap(ColorMap map) {
    m_d->scale.setMap(map);
    m_d->imageValid = false;
    m_d->updateAutoRange(); // diverging maps change the auto range
    update();
}

ColorMap HeatMap::colorMap() const {
    return m_d->scale.map;
}

void HeatMap::setRange(double lo, double hi) {
    if (!m_d->scale.setFixed(lo, hi)) return;
    m_d->imageValid = false;
    update();
}

void HeatMap::setAutoRange() {
    m_d->scale.automatic = true;
    m_d->updateAutoRange();
    update();
}

double HeatMap::rangeLow() const {
    return m_d->scale.lo;
}

double HeatMap::rangeHigh() const {
    return m_d->scale.hi;
}

void HeatMap::setRowLabels(const QStringList& labels) {
    m_d->rowLabels = labels;
    update();
}

void HeatMap::setColumnLabels(const QStringList& labels) {
    m_d->colLabels = labels;
    update();
}

void HeatMap::setTitle(const QString& title) {
    m_d->title = title;
    update();
}

void HeatMap::setColorBarLabel(const QString& label) {
    m_d->barLabel = label;
    update();
}

void HeatMap::setKeepAspect(bool keep) {
    m_d->keepAspect = keep;
    update();
}

void HeatMap::setBackgroundImage(const QImage& image, double opacity) {
    m_d->background = image;
    m_d->overlayOpacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void HeatMap::setMarkedCell(int row, int col) {
    const bool valid = row >= 0 && col >= 0 && row < m_d->rows && col < m_d->cols;
    m_d->marked = valid ? QPoint(col, row) : QPoint(-1, -1);
    update();
}

QPoint HeatMap::markedCell() const {
    return m_d->marked;
}

double HeatMap::valueAt(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_d->rows || col >= m_d->cols) return std::numeric_limits<double>::quiet_NaN();
    return m_d->values[qsizetype(row) * m_d->cols + col];
}

int HeatMap::colorIndexAt(int row, int col) const {
    return m_d->scale.indexOf(valueAt(row, col));
}

QColor HeatMap::colorAt(int row, int col) const {
    const int i = colorIndexAt(row, col);
    return i < 0 ? QColor() : QColor(m_d->scale.lut[i]);
}

QPoint HeatMap::cellAt(QPointF pos) const {
    if (m_d->rows <= 0 || m_d->cols <= 0) return {-1, -1};
    const QRectF m = m_d->layout(QRectF(rect())).matrix;
    if (pos.x() < m.left() || pos.y() < m.top() || pos.x() >= m.right() || pos.y() >= m.bottom()) return {-1, -1};
    const int c = std::clamp(int((pos.x() - m.left()) / m.width() * m_d->cols), 0, m_d->cols - 1);
    const int r = std::clamp(int((pos.y() - m.top()) / m.height() * m_d->rows), 0, m_d->rows - 1);
    return {c, r};
}

QRectF HeatMap::cellRect(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_d->rows || col >= m_d->cols) return {};
    return m_d->cellRect(m_d->layout(QRectF(rect())), row, col);
}

QVector<QRectF> HeatMap::tickLabelRects() const {
    QVector<QRectF> out;
    for (const auto& t : m_d->tickLabels(m_d->layout(QRectF(rect())))) out.append(t.box);
    return out;
}

QRectF HeatMap::matrixRect() const {
    return m_d->layout(QRectF(rect())).matrix;
}

QString HeatMap::cellText(int row, int col) const {
    const auto withLabel = [](int i, const QStringList& labels) {
        return i < labels.size() ? QStringLiteral("%1 (%2)").arg(i).arg(labels[i]) : QString::number(i);
    };
    return tr("row %1, col %2: %3")
        .arg(withLabel(row, m_d->rowLabels), withLabel(col, m_d->colLabels),
             QString::number(valueAt(row, col), 'g', 5));
}

void HeatMap::render(QPainter& p, const QRectF& target) const {
    const Private::Layout l = m_d->layout(target);
    p.save();
    p.fillRect(target, l.style.background);
    if (!m_d->title.isEmpty()) {
        p.setFont(l.style.titleFont);
        p.setPen(l.style.text);
        // A title wider than the figure wraps (then is cut in the middle), never on both sides.
        p.drawText(l.title, Qt::AlignCenter, l.titleLines.join(QLatin1Char('\n')));
    }
    if (m_d->rows > 0 && m_d->cols > 0) {
        if (!m_d->background.isNull()) {
            p.save();
            p.setRenderHint(QPainter::SmoothPixmapTransform, true);
            p.drawImage(l.matrix, m_d->background);
            p.restore();
            p.setOpacity(m_d->overlayOpacity);
        }
        // Resample to the device pixels the matrix covers (screen DPR, export DPI) so the painter
        // draws 1:1 and cells stay crisp.
        const QTransform& t = p.worldTransform();
        const double dpr = p.device() ? p.device()->devicePixelRatioF() : 1.0;
        const double scale = std::min(std::hypot(t.m11(), t.m12()) * dpr, 4.0);
        const QSize px(std::max(1, int(std::ceil(l.matrix.width() * scale))),
                       std::max(1, int(std::ceil(l.matrix.height() * scale))));
        p.drawImage(l.matrix, m_d->imageForSize(px));
        p.setOpacity(1.0);

        if (m_d->marked.x() >= 0) {
            const QRectF r = m_d->cellRect(l, m_d->marked.y(), m_d->marked.x());
            // White outside, black inside: visible on every colour of every map.
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(Qt::white, 3.0));
            p.drawRect(r);
            p.setPen(QPen(Qt::black, 1.2));
            p.drawRect(r);
        }
        p.setPen(QPen(l.style.axis, 1.0));
        p.setBrush(Qt::NoBrush);
        p.drawRect(l.matrix);
        m_d->drawLabels(p, l);
    } else {
        QColor c = l.style.text;
        c.setAlpha(130);
        p.setPen(c);
        p.setFont(l.style.font);
        p.drawText(l.matrix, Qt::AlignCenter, tr("No data"));
    }
    drawColorBar(p, l.style, m_d->scale.bar(m_d->barLabel), l.bar);
    p.restore();
}

QSize HeatMap::sizeHint() const {
    return {520, 460};
}

QSize HeatMap::minimumSizeHint() const {
    return {160, 120};
}

void HeatMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    render(p, QRectF(rect()));
    if (m_d->hover.x() >= 0 && m_d->hover != m_d->marked) {
        QColor c = palette().color(QPalette::Text);
        c.setAlpha(200);
        p.setPen(QPen(c, 1.0));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cellRect(m_d->hover.y(), m_d->hover.x()));
    }
}

void HeatMap::mouseMoveEvent(QMouseEvent* event) {
    const QPoint cell = cellAt(event->position());
    if (cell == m_d->hover) return;
    m_d->hover = cell;
    update();
    if (cell.x() < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), cellText(cell.y(), cell.x()), this);
    Q_EMIT cellHovered(cell.y(), cell.x(), valueAt(cell.y(), cell.x()));
}

void HeatMap::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const QPoint cell = cellAt(event->position());
    if (cell.x() >= 0) Q_EMIT cellClicked(cell.y(), cell.x());
}

void HeatMap::leaveEvent(QEvent*) {
    m_d->hover = QPoint(-1, -1);
    update();
}

} // namespace seqpe::ui
