#pragma once
// Light/dark themes for the whole application and the fixed data colours of the charts.
// Themes change chrome only (window, text, axes); data colours and colour maps never change, so a
// figure means the same in either theme (W&B #7190, TensorBoard #5246).
#include <QColor>

class QApplication;
class QPalette;

namespace seqpe::ui {

enum class Theme { System, Light, Dark };

// Sets the Fusion style and a light or dark palette. System follows the platform: Qt >= 6.5 asks
// QStyleHints::colorScheme(); Qt 6.4 has no such call, so the platform palette (remembered at the
// first call, before any override) decides by its window lightness. Existing widgets have the new
// palette when this returns. Call from the GUI thread.
void applyTheme(QApplication& app, Theme theme);

// The theme last applied (System before any call).
Theme currentTheme();

// Whether the application palette is dark (window colour lightness < 128). Views use it for
// chrome details such as grid contrast, never for data colours.
bool isDarkTheme();
bool isDarkPalette(const QPalette& palette);

// Categorical series colours: the Okabe-Ito colour-blind-safe set without black (invisible on dark
// backgrounds), readable on both themes. Cycles after 8 entries.
QColor seriesColor(int index);
int seriesColorCount();

} // namespace seqpe::ui
