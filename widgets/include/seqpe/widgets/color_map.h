#pragma once
// Colour maps for heat maps, scatter plots and colour bars. Data colours are fixed: they never
// follow the UI theme (W&B/TensorBoard got dark mode wrong by recolouring data).
#include <QColor>
#include <QList>
#include <QString>
#include <QVector>

namespace seqpe::ui {

enum class ColorMap {
    Viridis,  // perceptually uniform, colour-blind safe; the default
    Magma,    // perceptually uniform, dark to light
    Hot,      // black-red-yellow-white (matplotlib "hot")
    Coolwarm, // diverging blue-grey-red (Moreland); centre = 0 when auto-ranged
    Gray,     // black to white
};

// Colour at t in [0, 1] (clamped; NaN gives an invalid QColor). Piecewise-linear interpolation of
// the published control points (matplotlib's viridis/magma tables sampled every 8th entry,
// Moreland's 33-point coolwarm, matplotlib's hot segments). Channels are rounded to 8 bits, so
// t = 0 and t = 1 give exactly the map's end colours and colorMapTable() entries compare equal.
QColor colorMapColor(ColorMap map, double t);

// n colours at t = i / (n - 1); entry 0 and entry n-1 are the end colours. n >= 2 (smaller n is
// raised to 2).
QVector<QRgb> colorMapTable(ColorMap map, int n);

// True for maps meant to be centred on 0 (auto ranges are made symmetric).
bool isDiverging(ColorMap map);

QString colorMapName(ColorMap map); // "viridis", "magma", ...
QList<ColorMap> allColorMaps();

} // namespace seqpe::ui
