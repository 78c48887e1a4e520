// Title layout for figures: greedy word wrap into a few lines, middle elision as the last resort.
#include "plot_title.h"

namespace seqpe::ui {

QStringList titleLines(const QString& title, const QFontMetricsF& fm, double width, int maxLines) {
    if (title.isEmpty()) return {};
    if (width <= 0) return {QString()};
    if (fm.horizontalAdvance(title) <= width || maxLines <= 1) return {fm.elidedText(title, Qt::ElideMiddle, width)};
    const QStringList words = title.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QStringList lines;
    QString line;
    for (const QString& w : words) {
        const QString longer = line.isEmpty() ? w : line + QLatin1Char(' ') + w;
        if (line.isEmpty() || fm.horizontalAdvance(longer) <= width || lines.size() == maxLines - 1) {
            line = longer;
        } else {
            lines << line;
            line = w;
        }
    }
    lines << line;
    for (QString& l : lines) l = fm.elidedText(l, Qt::ElideMiddle, width);
    return lines;
}

} // namespace seqpe::ui
