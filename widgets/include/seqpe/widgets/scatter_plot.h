#pragma once
// ScatterPlot: 2D points coloured by a scalar through a colour map, e.g. the PCA projection of
// position embeddings coloured by position. Colour bar, axis labels, hover read-out (index and
// value), click to pick a point.
//
// Threading: GUI thread only. render() is the single drawing path for screen and export.
#include "seqpe/widgets/color_map.h"

#include <QPointF>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

namespace seqpe::ui {

class ScatterPlot : public QWidget {
    Q_OBJECT

public:
    explicit ScatterPlot(QWidget* parent = nullptr);
    ~ScatterPlot() override;

    // `colorValues` gives one value per point (same length); empty draws all points in the first
    // series colour and hides the colour bar. Non-finite points are skipped.
    void setPoints(QVector<QPointF> points, QVector<double> colorValues);
    int pointCount() const;
    // Optional per-point names shown on hover (e.g. the token at that position).
    void setPointLabels(const QStringList& labels);

    void setColorMap(ColorMap map);
    void setColorRange(double lo, double hi);
    void setAutoColorRange(); // [min, max] of the values; symmetric around 0 for diverging maps
    void setTitle(const QString& title);
    void setAxisLabels(const QString& x, const QString& y);
    void setColorBarLabel(const QString& label);
    void setPointSize(double pixels); // diameter, default 6

    QColor pointColor(int index) const; // colour map applied to the point's value
    // The point drawn nearest to a widget position (within a few pixels), or -1.
    int pointAt(QPointF widgetPos) const;
    // Position of a point in widget coordinates.
    QPointF pointPosition(int index) const;

    void render(QPainter& painter, const QRectF& target) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void pointHovered(int index, double value);
    void pointClicked(int index);

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
