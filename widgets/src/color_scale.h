#pragma once
// Internal: the colour scale of a plot (HeatMap, ScatterPlot): the colour map, its 256-entry lookup
// table and the value range, fixed by the caller or taken from the data.
#include "color_bar.h"
#include "seqpe/widgets/color_map.h"

#include <QRgb>
#include <QVector>
#include <algorithm>
#include <cmath>
#include <limits>

namespace seqpe::ui {

struct ColorScale {
    ColorMap map = ColorMap::Viridis;
    QVector<QRgb> lut = colorMapTable(ColorMap::Viridis, 256);
    bool automatic = true; // the range follows the data (fit)
    double lo = 0, hi = 1;

    // A new map; the caller fits again (a diverging map changes the automatic range).
    void setMap(ColorMap m) {
        map = m;
        lut = colorMapTable(m, 256);
    }
    // A fixed range: lo maps to the first colour, hi to the last. False (nothing changes) unless
    // both are finite and hi > lo.
    bool setFixed(double l, double h) {
        if (!std::isfinite(l) || !std::isfinite(h) || !(h > l)) return false;
        automatic = false;
        lo = l;
        hi = h;
        return true;
    }
    // The automatic range of `values` (floats or doubles): [min, max] of the finite ones, symmetric
    // [-m, m] around 0 for diverging maps (whose neutral colour must read as 0), widened by 1 when
    // all are equal, [0, 1] when none is finite. Does nothing for a fixed range.
    template <class Values> void fit(const Values& values) {
        if (!automatic) return;
        double mn = std::numeric_limits<double>::infinity(), mx = -mn;
        for (const auto v : values)
            if (std::isfinite(v)) {
                mn = std::min(mn, double(v));
                mx = std::max(mx, double(v));
            }
        if (!std::isfinite(mn)) {
            mn = 0;
            mx = 1;
        }
        if (isDiverging(map)) {
            const double m = std::max(std::abs(mn), std::abs(mx));
            mn = m > 0 ? -m : -1;
            mx = m > 0 ? m : 1;
        } else if (!(mx > mn)) {
            mn -= 0.5;
            mx += 0.5;
        }
        lo = mn;
        hi = mx;
    }
    // Lookup-table index 0..255 of a value (clamped to the range), -1 for NaN and infinities.
    int indexOf(double v) const {
        if (!std::isfinite(v)) return -1;
        const double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
        return std::clamp(int(std::lround(t * 255.0)), 0, 255);
    }
    ColorBarSpec bar(const QString& label) const { return ColorBarSpec{map, lo, hi, label}; }
};

} // namespace seqpe::ui
