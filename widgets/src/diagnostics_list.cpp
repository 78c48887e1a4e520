// The list of configuration problems, errors first, each linking to its field.
#include "seqpe/widgets/diagnostics_list.h"

#include <QLabel>
#include <QListWidget>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace seqpe::ui {

DiagnosticsList::DiagnosticsList(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_list = new QListWidget(this);
    m_list->setWordWrap(true);
    m_list->setUniformItemSizes(false);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_empty = new QLabel(tr("No problems found."), this);
    m_empty->setEnabled(false); // greyed, like placeholder text
    m_empty->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_empty);
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) { activate(m_list->row(item)); });
    connect(m_list, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) { activate(m_list->row(item)); });
    setDiagnostics({});
}

void DiagnosticsList::setDiagnostics(const QVector<FieldDiagnostic>& diagnostics) {
    m_items = diagnostics;
    // Errors before warnings, otherwise in the validator's order (stable).
    std::stable_sort(m_items.begin(), m_items.end(),
                     [](const FieldDiagnostic& a, const FieldDiagnostic& b) { return a.error && !b.error; });
    m_list->clear();
    const QIcon errorIcon = style()->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const FieldDiagnostic& d : std::as_const(m_items)) {
        const QString text = d.path.isEmpty() ? d.message : QStringLiteral("%1: %2").arg(d.path, d.message);
        auto* item = new QListWidgetItem(d.error ? errorIcon : warningIcon, text, m_list);
        item->setToolTip(text);
        item->setData(Qt::UserRole, d.path);
    }
    m_list->setVisible(!m_items.isEmpty());
    m_empty->setVisible(m_items.isEmpty());
}

int DiagnosticsList::errorCount() const {
    return int(std::count_if(m_items.begin(), m_items.end(), [](const FieldDiagnostic& d) { return d.error; }));
}

void DiagnosticsList::activate(int index) {
    if (index < 0 || index >= m_items.size() || m_items[index].path.isEmpty()) return;
    Q_EMIT fieldActivated(m_items[index].path);
}

} // namespace seqpe::ui
