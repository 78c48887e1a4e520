#pragma once
// A HeatMap with dashed guide lines between cells, e.g. where the training length ends: positions
// right of (and below) the line were never seen in training. The guides are drawn by
// renderFigure(), which paintEvent() and the exporters both call, so a file shows them too.
//
// The lines are placed with the widget's own cell geometry: renderFigure() draws the widget's
// layout at its current size and scales it into the target (exports of a view are "as shown";
// the headless exporter sizes the widget to the figure first).
#include "seqpe/widgets/heat_map.h"

namespace seqpe::ui {

class GuidedHeatMap : public HeatMap {
    Q_OBJECT
public:
    using HeatMap::HeatMap;

    // A vertical line before column `col` and a horizontal line before row `row` (-1: none; a
    // value equal to the column/row count puts the line on the far edge). `label` is drawn beside
    // the vertical line, inside the matrix.
    void setGuides(int row, int col, const QString& label);
    int guideRow() const { return m_row; }
    int guideColumn() const { return m_col; }

    void renderFigure(QPainter& p, const QRectF& target) const;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void drawGuides(QPainter& p) const;
    int m_row = -1, m_col = -1;
    QString m_label;
};

} // namespace seqpe::ui
