#pragma once
// Internal state of LineChart, shared by line_chart.cpp (data, view, interaction) and
// line_chart_render.cpp (painting).
#include "plot_frame.h"
#include "seqpe/widgets/line_chart.h"

#include <QMap>
#include <QPixmap>

#include <limits>
#include <optional>

namespace seqpe::ui {

struct LineChart::Private {
    // A curve in two coordinate systems with the same indexing: `data` in the caller's units,
    // `plot` in axis space (log10 applied on log axes). Without log axes both share one buffer.
    struct Curve {
        QVector<QPointF> data;
        QVector<QPointF> plot;
    };

    struct Series {
        QString name;
        QColor color;
        bool visible = true;
        QVector<QPointF> points;         // sorted by x
        QVector<QPointF> bandLo, bandHi; // optional shaded band, sorted by x, data units
        // Derived data, rebuilt lazily when points, log axes or smoothing change.
        mutable bool rawValid = false;
        mutable bool smoothValid = false;
        mutable Curve raw;
        mutable Curve smooth;
    };

    struct Range {
        double lo = 0;
        double hi = 1;
    };

    struct Annotation {
        double x = 0; // data units
        QString label;
        double x_end = std::numeric_limits<double>::infinity(); // shading: [x, x_end]
    };

    struct Layout {
        PlotFrame frame;
        QRectF legendBox;
        QVector<QPair<int, QRectF>> legendEntries; // series id, hit rectangle
    };

    enum class Drag { None, Pan, Rubber };

    explicit Private(LineChart* owner) : q(owner) {}

    LineChart* q;
    QMap<int, Series> series;
    int nextId = 1;
    QString title, xLabel, yLabel;
    bool logX = false, logY = false;
    Smoothing smoothing = Smoothing::None;
    double amount = 0;
    MovingAverageMode maMode = MovingAverageMode::Centred;
    std::optional<Range> viewX, viewY; // manual ranges in axis space; unset = fit the data
    std::optional<Annotation> marker, shade;

    // Interaction state.
    Drag drag = Drag::None;
    QPointF pressPos, dragPos;
    Range pressX, pressY;
    int pressedLegend = -1;
    std::optional<QPointF> hover;

    // The rendered figure, reused while only the hover/rubber-band overlay changes: a repaint of a
    // big chart costs tens of milliseconds, far too much for every mouse move.
    QPixmap cache;
    bool dirty = true;
    void changed() {
        dirty = true;
        q->update();
    }

    Series* find(int id);
    const Series* find(int id) const;
    void invalidate(bool rawToo);
    void ensureCache(const Series& s) const;
    const Curve& foreground(const Series& s) const;

    double toAxisX(double x) const; // NaN when not representable (<= 0 on a log axis)
    double toAxisY(double y) const;
    void drawBand(QPainter& p, const PlotFrame& f, const Series& s) const;
    double fromAxisX(double x) const;
    double fromAxisY(double y) const;

    Range autoX() const;
    Range autoY(const Range& x) const;
    Range currentX() const;
    Range currentY() const;

    Layout layout(const QRectF& target) const;
    // Indices of `curve` to draw into the frame at `columns` pixel columns.
    QVector<int> decimated(const Curve& c, const Range& x, int columns) const;

    void drawCurve(QPainter& p, const PlotFrame& f, const Curve& c, const QVector<int>& idx, const QPen& pen,
                   const Range& x) const;
    void drawAnnotations(QPainter& p, const PlotFrame& f, bool under) const;
    void drawLegend(QPainter& p, const Layout& l, const PlotStyle& style) const;
    void drawHover(QPainter& p, const Layout& l, const PlotStyle& style) const;
};

} // namespace seqpe::ui
