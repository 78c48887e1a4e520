#pragma once
// The encoding x length table of the extrapolation view as plain data, with its cell colours
// (viridis, better = brighter: low perplexity/loss, high accuracy/EM), shown in a QTableWidget on
// screen and drawn by renderScoreTable() into figures (a QTableWidget has no vector render path).
#include "figure.h"

#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

class QPainter;
class QRectF;
class QTableWidget;
class QWidget;

namespace seqpe::ui {

struct ScoreTable {
    QString title;
    QString metric;     // ppl | loss | accuracy | em
    QString lengthName; // "length" (tokens) or "resolution" (pixels)
    QStringList runs;
    QVector<int64_t> lengths;
    QVector<QVector<double>> values; // [run][length]; NaN: not evaluated
    int64_t trainLength = 0;
    int64_t trainMinLength = 0; // algorithmic: the training lengths are [trainMinLength, trainLength]
    bool trained(int64_t length) const {
        return length <= trainLength && length >= (trainMinLength > 0 ? trainMinLength : trainLength);
    }
    // Optional, [run][length]: a mark after the value ("*": differs from the reference, Holm p < 0.05)
    // and what the test says (tooltip); empty: none.
    QVector<QVector<QString>> marks, notes;
    QString note;                             // under the table: what the marks mean
    QString cellText(int run, int col) const; // the value and its mark

    bool lowerIsBetter() const {
        return metric == "ppl" || metric == "loss" || metric == "bits_per_byte" || metric == "word_ppl";
    }
    QString format(double v) const;          // "23.41", "87.5%"
    double goodness(int run, int col) const; // 0 (worst in the table) .. 1 (best); NaN for a gap
    QColor color(int run, int col) const;    // invalid for a gap
    QString header(int col) const;           // "64", "32 (train)": a trained length
    FigureTable csv() const;                 // run, then one column per length
};

// Replaces the widget's contents: rows = runs, columns = lengths, coloured cells.
void fillTableWidget(QTableWidget* w, const ScoreTable& t);
// Draws the table (title, headers, coloured cells, a colour note) with `style`'s font and palette.
void renderScoreTable(QPainter& p, const QRectF& target, const ScoreTable& t, const QWidget& style);
// A size that fits the table's text at the style's font.
QSizeF scoreTableSize(const ScoreTable& t, const QWidget& style);

} // namespace seqpe::ui
