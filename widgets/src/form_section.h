#pragma once
// Internal: a collapsible group of ConfigForm fields with a header that counts its problems, so a
// collapsed section still tells the user that something inside needs attention.
#include <QList>
#include <QWidget>

class QToolButton;
class QVBoxLayout;

namespace seqpe::ui {

class FieldRow;

class FormSection : public QWidget {
    Q_OBJECT

public:
    FormSection(const QString& title, QWidget* parent = nullptr);

    void addRow(FieldRow* row);
    const QList<FieldRow*>& rows() const { return m_rows; }
    void setExpanded(bool expanded);
    bool isExpanded() const;
    // Updates the header's problem count.
    void updateHeader();

private:
    QString m_title;
    QToolButton* m_header = nullptr;
    QWidget* m_body = nullptr;
    QVBoxLayout* m_bodyLayout = nullptr;
    QList<FieldRow*> m_rows;
};

} // namespace seqpe::ui
