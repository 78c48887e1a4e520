#pragma once
// Internal: the vertical colour bar with ticks, shared by HeatMap and ScatterPlot.
#include "plot_frame.h"
#include "seqpe/widgets/color_map.h"

class QPainter;

namespace seqpe::ui {

struct ColorBarSpec {
    ColorMap map = ColorMap::Viridis;
    double lo = 0;
    double hi = 1;
    QString label; // drawn rotated right of the tick labels; may be empty
};

// Horizontal space the bar needs: gap, bar, ticks, labels and the optional title. `barHeight`
// (when known, else 0) lets a title longer than the bar take two rotated lines.
double colorBarWidth(const PlotStyle& style, const ColorBarSpec& spec, double barHeight = 0);

// Draws the bar at the left of `area`, spanning its height (lo at the bottom). A vector gradient,
// so SVG/PDF output stays sharp. A title longer than the bar wraps into the columns `area` has
// room for, then is cut in the middle: never cut at both ends.
void drawColorBar(QPainter& p, const PlotStyle& style, const ColorBarSpec& spec, const QRectF& area);

} // namespace seqpe::ui
