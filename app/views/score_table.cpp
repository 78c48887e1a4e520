// ScoreTable: colours, formatting, the QTableWidget filling and the figure drawing of the
// encoding x length table.
#include "score_table.h"

#include "seqpe/widgets/color_map.h"

#include <QFontInfo>
#include <QFontMetricsF>
#include <QHeaderView>
#include <QPainter>
#include <QTableWidget>
#include <algorithm>
#include <cmath>

namespace seqpe::ui {

namespace {

// Perplexity spans orders of magnitude once a run breaks down: compare on a log scale so the
// runs that still work are not all drawn the same colour.
double scaled(const ScoreTable& t, double v) {
    return t.metric == "ppl" && v > 0 ? std::log(v) : v;
}

QColor textOn(const QColor& bg) {
    return qGray(bg.rgb()) > 140 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace

QString ScoreTable::format(double v) const {
    if (!std::isfinite(v)) return QStringLiteral("–");
    if (metric == "accuracy" || metric == "em") return QString::number(100 * v, 'f', 1) + "%";
    if (metric == "ppl" && v >= 1000) return QString::number(v, 'g', 4);
    return QString::number(v, 'f', metric == "loss" || metric == "bits_per_byte" ? 3 : 2);
}

double ScoreTable::goodness(int run, int col) const {
    const double v = values[run][col];
    if (!std::isfinite(v)) return std::nan("");
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& row : values)
        for (double x : row)
            if (std::isfinite(x)) {
                lo = std::min(lo, scaled(*this, x));
                hi = std::max(hi, scaled(*this, x));
            }
    if (!(hi > lo)) return 1.0;
    const double t = (scaled(*this, v) - lo) / (hi - lo);
    return lowerIsBetter() ? 1.0 - t : t;
}

QColor ScoreTable::color(int run, int col) const {
    const double g = goodness(run, col);
    return std::isfinite(g) ? colorMapColor(ColorMap::Viridis, g) : QColor();
}

QString ScoreTable::header(int col) const {
    const QString n = QString::number(lengths[col]);
    return trained(lengths[col]) ? n + " (train)" : n;
}

FigureTable ScoreTable::csv() const {
    FigureTable f;
    f.suffix = "table";
    f.header << "run";
    for (int64_t l : lengths) f.header << QString("%1_%2").arg(lengthName).arg(l);
    const bool marked = !marks.isEmpty();
    if (marked) f.header << "marks";
    for (int r = 0; r < runs.size(); ++r) {
        QVector<QString> row{runs[r]};
        for (int c = 0; c < lengths.size(); ++c)
            row << (std::isfinite(values[r][c]) ? csvNumber(values[r][c]) : QString());
        if (marked) { // which columns hold a mark, e.g. "64*;128*"
            QStringList m;
            for (int c = 0; c < lengths.size(); ++c)
                if (r < marks.size() && c < marks[r].size() && !marks[r][c].isEmpty())
                    m << QString::number(lengths[c]) + marks[r][c];
            row << m.join(';');
        }
        f.rows.append(row);
    }
    return f;
}

QString ScoreTable::cellText(int run, int col) const {
    const QString mark = run < marks.size() && col < marks[run].size() ? marks[run][col] : QString();
    return format(values[run][col]) + mark;
}

void fillTableWidget(QTableWidget* w, const ScoreTable& t) {
    w->clear();
    w->setRowCount(static_cast<int>(t.runs.size()));
    w->setColumnCount(static_cast<int>(t.lengths.size()));
    QStringList headers;
    for (int c = 0; c < t.lengths.size(); ++c) headers << t.header(c);
    w->setHorizontalHeaderLabels(headers);
    w->setVerticalHeaderLabels(t.runs);
    for (int r = 0; r < t.runs.size(); ++r)
        for (int c = 0; c < t.lengths.size(); ++c) {
            auto* item = new QTableWidgetItem(t.cellText(r, c));
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            item->setTextAlignment(Qt::AlignCenter);
            if (const QColor bg = t.color(r, c); bg.isValid()) {
                item->setBackground(bg);
                item->setForeground(textOn(bg));
            }
            QString tip =
                QString("%1 at %2 %3: %4").arg(t.runs[r], t.lengthName).arg(t.lengths[c]).arg(t.format(t.values[r][c]));
            if (r < t.notes.size() && c < t.notes[r].size() && !t.notes[r][c].isEmpty()) tip += "\n" + t.notes[r][c];
            item->setToolTip(tip);
            w->setItem(r, c, item);
        }
    // Numbers never wrap: columns fit their contents, and the table asks its splitter for the
    // room to show them all (up to a limit; beyond it, it scrolls).
    w->setWordWrap(false);
    w->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    w->resizeColumnsToContents();
    int width = w->verticalHeader()->sizeHint().width() + 2 * w->frameWidth() + 4;
    for (int c = 0; c < w->columnCount(); ++c) width += w->horizontalHeader()->sectionSize(c);
    w->setMinimumWidth(std::min(width, 640));
}

QSizeF scoreTableSize(const ScoreTable& t, const QWidget& style) {
    QFont f = style.font();
    f.setPixelSize(std::max(QFontInfo(style.font()).pixelSize(), 8));
    const QFontMetricsF fm(f);
    double nameW = fm.horizontalAdvance(QStringLiteral("run"));
    for (const QString& r : t.runs) nameW = std::max(nameW, fm.horizontalAdvance(r));
    double cellW = fm.horizontalAdvance(QStringLiteral("00000.00")) + 16;
    for (int c = 0; c < t.lengths.size(); ++c) cellW = std::max(cellW, fm.horizontalAdvance(t.header(c)) + 12);
    const double lh = fm.height();
    return {nameW + 28 + cellW * std::max<qsizetype>(1, t.lengths.size()),
            lh * (5.5 + 1.8 * std::max<qsizetype>(1, t.runs.size()))};
}

void renderScoreTable(QPainter& p, const QRectF& target, const ScoreTable& t, const QWidget& style) {
    QFont f = style.font();
    f.setPixelSize(std::max(QFontInfo(style.font()).pixelSize(), 8));
    QFont bold = f;
    bold.setBold(true);
    bold.setPixelSize(qRound(f.pixelSize() * 1.2));
    const QFontMetricsF fm(f);
    const double lh = fm.height(), pad = std::round(lh * 0.6);
    const QPalette& pal = style.palette();
    p.save();
    p.fillRect(target, pal.color(QPalette::Base));
    p.setPen(pal.color(QPalette::Text));
    p.setFont(bold);
    const QRectF titleRect(target.left() + pad, target.top() + pad * 0.5, target.width() - 2 * pad,
                           QFontMetricsF(bold).height());
    p.drawText(titleRect, Qt::AlignCenter, t.title);
    p.setFont(f);
    double nameW = fm.horizontalAdvance(QStringLiteral("run"));
    for (const QString& r : t.runs) nameW = std::max(nameW, fm.horizontalAdvance(r));
    nameW += 12;
    const double top = titleRect.bottom() + pad * 0.5;
    const double footer = lh * 1.6;
    const int nr = static_cast<int>(t.runs.size()), nc = static_cast<int>(t.lengths.size());
    const double cellW = nc > 0 ? (target.width() - 2 * pad - nameW) / nc : 0;
    const double rowH = std::min(lh * 1.8, (target.bottom() - top - footer - lh * 1.6) / std::max(1, nr));
    const double left = target.left() + pad + nameW;
    // Header: the lengths, the training one in bold.
    for (int c = 0; c < nc; ++c) {
        const QRectF h(left + c * cellW, top, cellW, lh * 1.6);
        QFont hf = f;
        hf.setBold(t.trained(t.lengths[c]));
        p.setFont(hf);
        p.drawText(h, Qt::AlignCenter, t.header(c));
    }
    p.setFont(f);
    const double gridTop = top + lh * 1.6;
    for (int r = 0; r < nr; ++r) {
        const double y = gridTop + r * rowH;
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(target.left() + pad, y, nameW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter, t.runs[r]);
        for (int c = 0; c < nc; ++c) {
            const QRectF cell(left + c * cellW, y, cellW, rowH);
            const QColor bg = t.color(r, c);
            p.fillRect(cell.adjusted(1, 1, -1, -1), bg.isValid() ? bg : pal.color(QPalette::AlternateBase));
            p.setPen(bg.isValid() ? textOn(bg) : pal.color(QPalette::Text));
            p.drawText(cell, Qt::AlignCenter, t.cellText(r, c));
        }
    }
    QColor note = pal.color(QPalette::Text);
    note.setAlpha(160);
    p.setPen(note);
    p.drawText(QRectF(target.left() + pad, gridTop + nr * rowH + 4, target.width() - 2 * pad, footer),
               Qt::AlignLeft | Qt::AlignVCenter,
               QObject::tr("%1 by %2; colour: viridis, brighter = better%3%4")
                   .arg(t.metric, t.lengthName, t.metric == "ppl" ? QObject::tr(" (log scale)") : QString(),
                        t.note.isEmpty() ? QString() : "; " + t.note));
    p.restore();
}

} // namespace seqpe::ui
