#pragma once
// Internal: the axes box shared by LineChart and ScatterPlot: layout of title, tick labels and axis
// labels inside a target rectangle, data<->pixel mapping, grid and frame drawing. One layout
// function serves painting and hit-testing, so mouse picking always matches what was drawn.
#include "seqpe/widgets/axis_ticks.h"

#include <QColor>
#include <QFont>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

class QPainter;
class QWidget;

namespace seqpe::ui {

// Chrome colours and fonts taken from a widget's palette and font. Fonts are converted to pixel
// sizes so a figure lays out the same on screen, in a 300-dpi PNG, an SVG and a PDF.
struct PlotStyle {
    QFont font;
    QFont titleFont;
    QColor background;
    QColor text;
    QColor axis;
    QColor grid;
    QColor minorGrid;
    bool dark = false;
    static PlotStyle fromWidget(const QWidget& w);
};

// One axis in axis space: data values, or log10 of them when `log` is set.
struct AxisSpec {
    double lo = 0;
    double hi = 1;
    bool log = false;
    QString label;
};

class PlotFrame {
public:
    // `rightReserve`: pixels kept free right of the plot (colour bars).
    PlotFrame(const PlotStyle& style, const QString& title, const AxisSpec& x, const AxisSpec& y, const QRectF& target,
              double rightReserve = 0);

    const QRectF& plotRect() const { return m_plot; }
    const QRectF& target() const { return m_target; }
    // The reserved strip right of the plot, full plot height.
    QRectF reservedRect() const;
    const PlotStyle& style() const { return m_style; }

    double mapX(double x) const;
    double mapY(double y) const;
    QPointF map(const QPointF& axisPoint) const { return {mapX(axisPoint.x()), mapY(axisPoint.y())}; }
    QPointF unmap(const QPointF& pixel) const;

    // Background, title, grid, tick labels and axis labels (everything under the data).
    void drawUnder(QPainter& p) const;
    // The axis lines and tick marks (on top of the data).
    void drawOver(QPainter& p) const;

private:
    PlotStyle m_style;
    QString m_title;
    QStringList m_titleLines; // as drawn: wrapped and cut to the target's width
    AxisSpec m_x, m_y;
    QRectF m_target, m_plot;
    double m_rightReserve = 0;
    QVector<AxisTick> m_xTicks, m_yTicks;
};

} // namespace seqpe::ui
