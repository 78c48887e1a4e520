// LogPanel: keeps every log line (time, run, level) and shows those of the chosen run.
#include "log_panel.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace seqpe::ui {

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Show")));
    m_filter = new QComboBox;
    m_filter->addItem(tr("all runs"), QString());
    row->addWidget(m_filter);
    row->addStretch();
    lay->addLayout(row);
    m_view = new QPlainTextEdit;
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(20000);
    m_view->setFont(QFont("monospace"));
    m_view->setMinimumHeight(36); // a short log leaves the height to the views (1000x700 windows)
    lay->addWidget(m_view);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &LogPanel::rerender);
}

static QString format(const QString& run, int level, const QString& text) {
    static const char* names[] = {"debug", "info", "warning", "error"};
    return QString("%1 [%2] %3%4")
        .arg(QDateTime::currentDateTime().toString("HH:mm:ss"), run,
             level >= 2 ? QString(names[std::min(level, 3)]) + ": " : QString(), text);
}

void LogPanel::append(const QString& run, int level, const QString& text) {
    m_lines.append({run, level, format(run, level, text)});
    if (m_filter->findData(run) < 0) m_filter->addItem(run, run);
    const QString f = m_filter->currentData().toString();
    if (f.isEmpty() || f == run) m_view->appendPlainText(m_lines.back().text);
}

void LogPanel::rerender() {
    const QString f = m_filter->currentData().toString();
    m_view->clear();
    for (const auto& l : m_lines)
        if (f.isEmpty() || f == l.run) m_view->appendPlainText(l.text);
}

QString LogPanel::text() const {
    return m_view->toPlainText();
}

} // namespace seqpe::ui
