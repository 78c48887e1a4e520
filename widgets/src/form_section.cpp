// Collapsible field group of the config form.
#include "form_section.h"

#include "field_row.h"

#include <QToolButton>
#include <QVBoxLayout>

namespace seqpe::ui {

FormSection::FormSection(const QString& title, QWidget* parent) : QWidget(parent), m_title(title) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_header = new QToolButton(this);
    m_header->setObjectName(QStringLiteral("sectionHeader"));
    m_header->setCheckable(true);
    m_header->setChecked(true);
    m_header->setAutoRaise(true);
    m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_header->setArrowType(Qt::DownArrow);
    m_header->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    QFont f = m_header->font();
    f.setBold(true);
    m_header->setFont(f);
    layout->addWidget(m_header);

    m_body = new QWidget(this);
    m_bodyLayout = new QVBoxLayout(m_body);
    m_bodyLayout->setContentsMargins(12, 0, 0, 6);
    m_bodyLayout->setSpacing(0);
    layout->addWidget(m_body);
    connect(m_header, &QToolButton::toggled, this, &FormSection::setExpanded);
    updateHeader();
}

void FormSection::addRow(FieldRow* row) {
    m_rows.append(row);
    m_bodyLayout->addWidget(row);
}

void FormSection::setExpanded(bool expanded) {
    const QSignalBlocker block(m_header);
    m_header->setChecked(expanded);
    m_header->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_body->setVisible(expanded);
}

bool FormSection::isExpanded() const {
    return m_header->isChecked();
}

void FormSection::updateHeader() {
    int errors = 0, warnings = 0;
    for (const FieldRow* r : m_rows) {
        if (r->state() == FieldState::Error)
            ++errors;
        else if (r->state() == FieldState::Warning)
            ++warnings;
    }
    QString text = m_title;
    QStringList counts;
    if (errors > 0) counts << (errors == 1 ? tr("1 error") : tr("%1 errors").arg(errors));
    if (warnings > 0) counts << (warnings == 1 ? tr("1 warning") : tr("%1 warnings").arg(warnings));
    if (!counts.isEmpty()) text += QStringLiteral("  (%1)").arg(counts.join(QStringLiteral(", ")));
    m_header->setText(text);
}

} // namespace seqpe::ui
