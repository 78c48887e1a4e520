#pragma once
// Tick placement for chart axes and colour bars: "nice" 1-2-5 steps on linear axes, decades on log
// axes. Pure functions, shared by every view and tested without widgets.
#include <QString>
#include <QVector>

namespace seqpe::ui {

struct AxisTick {
    double value = 0; // in axis space: the data value, or log10 of it on a log axis
    QString label;
    bool major = true; // false for unlabelled minor ticks (log axes: 2..9 x 10^k)
};

// The 1, 2 or 5 x 10^k step that gives at most `maxTicks` ticks over `span` (> 0).
double niceStep(double span, int maxTicks);

// Ticks at multiples of niceStep() inside [lo, hi] (either order). An empty or degenerate range
// gives a single tick at lo.
QVector<AxisTick> linearTicks(double lo, double hi, int maxTicks);

// Ticks for a log10 axis whose range is [log10Lo, log10Hi] in log space. Several decades: one
// labelled tick per decade (every k-th decade when there are more than maxTicks), with minor ticks
// at 2..9 when decades are few. Less than about one decade: labelled 1-2-5 ticks of the data values.
QVector<AxisTick> logTicks(double log10Lo, double log10Hi, int maxTicks);

// Compact label for a tick value given the tick step: enough decimals to tell neighbours apart,
// thousands as "50k", "1.5M", and scientific notation for tiny steps ("3e-4").
QString formatTickValue(double value, double step);

} // namespace seqpe::ui
