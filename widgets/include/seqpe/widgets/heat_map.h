#pragma once
// HeatMap: a matrix as coloured cells, e.g. an attention map (query x key, with token labels) or a
// 2D attention map over image patches (the matrix is the patch grid, drawn over the picture).
// A colour bar with ticks, hover read-out, click-to-pick a cell, an outlined "query" cell.
//
// Threading: GUI thread only. The pixel image is built once per data/range/map change through a
// 256-entry lookup table (fast for 4096 x 4096) and reused by every repaint.
// render() draws the complete figure and is what paintEvent() and the exporters call.
#include "seqpe/widgets/color_map.h"

#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

namespace seqpe::ui {

class HeatMap : public QWidget {
    Q_OBJECT

public:
    explicit HeatMap(QWidget* parent = nullptr);
    ~HeatMap() override;

    // Row-major values, values.size() == rows * cols (otherwise the call is ignored and the map is
    // emptied). NaN cells are drawn transparent (the background or picture shows through).
    void setMatrix(int rows, int cols, QVector<float> values);
    int rows() const;
    int columns() const;

    void setColorMap(ColorMap map);
    ColorMap colorMap() const;
    // Fixed value range: lo maps to the first colour, hi to the last; values outside are clamped.
    void setRange(double lo, double hi);
    // Range from the finite data: [min, max]; symmetric [-m, m] (m = max |v|) for diverging maps.
    void setAutoRange();
    double rangeLow() const;
    double rangeHigh() const;

    // Token (or patch) labels. Drawn when every label fits; otherwise every k-th label.
    void setRowLabels(const QStringList& labels);
    void setColumnLabels(const QStringList& labels);
    void setTitle(const QString& title);
    void setColorBarLabel(const QString& label);
    // Cells square (true, default) or stretched to fill the widget.
    void setKeepAspect(bool keep);

    // Draws `image` under the matrix, stretched to the matrix area (its aspect ratio decides the
    // area's shape). `opacity` (0..1) is the opacity of the heat layer over the picture.
    // A null image removes the background.
    void setBackgroundImage(const QImage& image, double opacity);
    // Outlines one cell (e.g. the query patch); (-1, -1) clears it.
    void setMarkedCell(int row, int col);
    QPoint markedCell() const; // QPoint(col, row), or (-1, -1)

    // Model state (tests and the app).
    double valueAt(int row, int col) const;   // NaN when outside the matrix
    int colorIndexAt(int row, int col) const; // lookup-table index 0..255, -1 for NaN/outside
    QColor colorAt(int row, int col) const;   // invalid QColor for NaN/outside
    // The cell under a widget position as QPoint(col, row) (x = column, y = row, like the image),
    // or (-1, -1) outside the matrix. Valid for any widget size.
    QPoint cellAt(QPointF widgetPos) const;
    // A cell's rectangle in widget coordinates.
    QRectF cellRect(int row, int col) const;
    // The whole matrix area in widget coordinates.
    QRectF matrixRect() const;
    // Where the row and column tick labels are drawn (their ink boxes), for layout tests.
    QVector<QRectF> tickLabelRects() const;
    // Tooltip text for a cell: "row i, col j: value" (with labels when set).
    QString cellText(int row, int col) const;

    // Draws the complete figure (title, labels, matrix, colour bar) into `target`.
    void render(QPainter& painter, const QRectF& target) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellClicked(int row, int col);
    void cellHovered(int row, int col, double value);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace seqpe::ui
