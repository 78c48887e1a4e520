#pragma once
// Each run's log lines (the engine's log and the app's own messages), filterable by run.
#include <QWidget>

class QComboBox;
class QPlainTextEdit;

namespace seqpe::ui {

class LogPanel : public QWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    void append(const QString& run, int level, const QString& text);
    QString text() const;

private:
    void rerender();
    struct Line {
        QString run;
        int level;
        QString text;
    };
    QVector<Line> m_lines;
    QComboBox* m_filter = nullptr;
    QPlainTextEdit* m_view = nullptr;
};

} // namespace seqpe::ui
