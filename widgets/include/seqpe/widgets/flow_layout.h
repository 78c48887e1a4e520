#pragma once
// FlowLayout: items left to right at their preferred widths, wrapping to the next row when the
// width runs out (like words in a paragraph). For a view's control bar that must fit a 1000x700
// window beside the config dock and use one row on a wide screen. Height-for-width: inside a
// QScrollArea page it adds rows instead of widening the page. Group a label with its control in
// one widget so they never wrap apart.
#include <QLayout>
#include <QList>

namespace seqpe::ui {

class FlowLayout : public QLayout {
public:
    explicit FlowLayout(QWidget* parent = nullptr, int hSpacing = 14, int vSpacing = 4);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override { return static_cast<int>(m_items.size()); }
    QLayoutItem* itemAt(int index) const override { return m_items.value(index); }
    QLayoutItem* takeAt(int index) override;
    Qt::Orientations expandingDirections() const override { return {}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize minimumSize() const override; // the widest item: the layout never forces more
    QSize sizeHint() const override;    // everything on one row
    void setGeometry(const QRect& rect) override;

private:
    int place(const QRect& rect, bool apply) const; // returns the height used
    QList<QLayoutItem*> m_items;
    int m_h, m_v;
};

// A label and its control as one flow item ("Measure [combo]"); `label` may be empty.
QWidget* labelled(const QString& label, QWidget* control);

} // namespace seqpe::ui
