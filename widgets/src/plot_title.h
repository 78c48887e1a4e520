#pragma once
// Internal: a figure title in the width it has. Shared by HeatMap and PlotFrame (line charts,
// scatter plots), so every figure keeps the start of its title (the run's name) and its end (the
// step, the correlation) when space is short.
#include <QFontMetricsF>
#include <QString>
#include <QStringList>

namespace seqpe::ui {

// The title on one line when it fits `width`; else broken at spaces into at most `maxLines` lines
// (the rest of the words go on the last one), each line cut in the middle if still too wide.
// Empty for an empty title.
QStringList titleLines(const QString& title, const QFontMetricsF& fm, double width, int maxLines = 2);

} // namespace seqpe::ui
