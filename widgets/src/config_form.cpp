// ConfigForm: builds sections and field rows from FieldSpecs, keeps the committed values for undo,
// routes diagnostics, relevance and base-config differences to the rows, filters and scrolls.
#include "seqpe/widgets/config_form.h"

#include "edit_command.h"
#include "field_row.h"
#include "form_section.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QResizeEvent>
#include <QScrollArea>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace seqpe::ui {

struct ConfigForm::Private {
    QVector<FieldSpec> specs;
    QMap<QString, FieldRow*> rows;
    QMap<QString, FormSection*> sectionOf;
    QList<FormSection*> sections;
    QMap<QString, QString> committed; // last reported value per path: the "before" of the next edit
    QMap<QString, QString> accepted;  // what `committed` was before the edit being reported (refuseEdit)
    QMap<QString, QString> base;
    std::optional<QSet<QString>> relevant;
    QLineEdit* filter = nullptr;
    QCheckBox* advanced = nullptr;
    QScrollArea* scroll = nullptr;
    QWidget* content = nullptr;
    QVBoxLayout* contentLayout = nullptr;
    QUndoStack* undo = nullptr;
    bool undoEnabled = true;
    int debounce = 150;
    int labelHint = 0; // the widest label's width (capped); narrower when the form is narrow

    FieldRow* row(const QString& path) const { return rows.value(path, nullptr); }
};

ConfigForm::ConfigForm(QWidget* parent) : QWidget(parent), m_d(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 6, 6, 0);
    m_d->filter = new QLineEdit(this);
    m_d->filter->setObjectName(QStringLiteral("configFilter"));
    m_d->filter->setPlaceholderText(tr("Filter settings…"));
    m_d->filter->setClearButtonEnabled(true);
    m_d->advanced = new QCheckBox(tr("Show advanced"), this);
    m_d->advanced->setObjectName(QStringLiteral("showAdvanced"));
    bar->addWidget(m_d->filter, 1);
    bar->addWidget(m_d->advanced);
    layout->addLayout(bar);

    m_d->scroll = new QScrollArea(this);
    m_d->scroll->setWidgetResizable(true);
    m_d->scroll->setFrameShape(QFrame::NoFrame);
    m_d->content = new QWidget(m_d->scroll);
    m_d->contentLayout = new QVBoxLayout(m_d->content);
    m_d->contentLayout->setContentsMargins(6, 6, 6, 6);
    m_d->contentLayout->setSpacing(4);
    m_d->contentLayout->addStretch(1);
    m_d->scroll->setWidget(m_d->content);
    layout->addWidget(m_d->scroll, 1);

    m_d->undo = new QUndoStack(this);
    connect(m_d->filter, &QLineEdit::textChanged, this, [this] { updateVisibility(); });
    connect(m_d->advanced, &QCheckBox::toggled, this, [this] { updateVisibility(); });
}

ConfigForm::~ConfigForm() = default;

void ConfigForm::setFields(const QVector<FieldSpec>& fields) {
    for (FormSection* s : std::as_const(m_d->sections)) delete s;
    m_d->sections.clear();
    m_d->sectionOf.clear();
    m_d->rows.clear();
    m_d->committed.clear();
    m_d->undo->clear();
    m_d->specs = fields;

    QMap<QString, FormSection*> byGroup;
    int labelWidth = 0;
    for (const FieldSpec& spec : fields) {
        if (spec.path.isEmpty() || m_d->rows.contains(spec.path)) continue;
        const QString group = spec.group.isEmpty() ? spec.path.section(QLatin1Char('.'), 0, 0) : spec.group;
        FormSection* section = byGroup.value(group, nullptr);
        if (!section) {
            section = new FormSection(group, m_d->content);
            byGroup.insert(group, section);
            m_d->sections.append(section);
            // Before the trailing stretch.
            m_d->contentLayout->insertWidget(m_d->contentLayout->count() - 1, section);
        }
        auto* row = new FieldRow(spec, section);
        row->setDebounce(m_d->debounce);
        connect(row, &FieldRow::edited, this, &ConfigForm::onRowEdited);
        connect(row, &FieldRow::revertRequested, this, &ConfigForm::revertField);
        section->addRow(row);
        m_d->rows.insert(spec.path, row);
        m_d->sectionOf.insert(spec.path, section);
        m_d->committed.insert(spec.path, row->text());
        labelWidth = std::max(labelWidth, row->labelHint());
    }
    // One label column for all sections, so editors line up down the whole form.
    m_d->labelHint = std::min(labelWidth, 260);
    layoutLabels();
    if (m_d->relevant) setRelevant(*m_d->relevant);
    updateVisibility();
}

void ConfigForm::layoutLabels() {
    // At most 45% of the form's width for labels (they wrap), so a narrow dock shows the values
    // instead of hiding them behind a horizontal scroll bar.
    const int available = m_d->scroll->viewport()->width();
    const int w = available > 0 ? std::clamp(available * 45 / 100, 90, std::max(90, m_d->labelHint)) : m_d->labelHint;
    for (FieldRow* row : std::as_const(m_d->rows)) row->setLabelWidth(w);
}

void ConfigForm::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    layoutLabels();
}

QVector<FieldSpec> ConfigForm::fields() const {
    return m_d->specs;
}

void ConfigForm::setValues(const QMap<QString, QString>& textByPath) {
    for (auto it = textByPath.cbegin(); it != textByPath.cend(); ++it) {
        FieldRow* row = m_d->row(it.key());
        if (!row || row->isRefused()) continue; // the typed text stays until fixed or reverted
        row->setText(it.value());
        m_d->committed.insert(it.key(), row->text());
        updateDiff(it.key());
    }
    for (FormSection* s : std::as_const(m_d->sections)) s->updateHeader();
}

QString ConfigForm::value(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row ? row->text() : QString();
}

QMap<QString, QString> ConfigForm::values() const {
    QMap<QString, QString> out;
    for (auto it = m_d->rows.cbegin(); it != m_d->rows.cend(); ++it) out.insert(it.key(), it.value()->text());
    return out;
}

void ConfigForm::setBaseValues(const QMap<QString, QString>& textByPath) {
    m_d->base = textByPath;
    for (const QString& path : m_d->rows.keys()) updateDiff(path);
}

bool ConfigForm::differsFromBase(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row && row->differs();
}

void ConfigForm::updateDiff(const QString& path) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    const auto it = m_d->base.constFind(path);
    row->setDiffers(it != m_d->base.cend() && !row->sameValue(it.value(), row->text()));
}

void ConfigForm::setRelevant(const QSet<QString>& paths) {
    m_d->relevant = paths;
    for (auto it = m_d->rows.cbegin(); it != m_d->rows.cend(); ++it) it.value()->setRelevant(paths.contains(it.key()));
}

void ConfigForm::clearRelevant() {
    m_d->relevant.reset();
    for (FieldRow* row : std::as_const(m_d->rows)) row->setRelevant(true);
}

bool ConfigForm::isRelevant(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row && row->isRelevant();
}

void ConfigForm::setDiagnostics(const QVector<FieldDiagnostic>& diagnostics) {
    QMap<QString, QVector<FieldDiagnostic>> byPath;
    for (const FieldDiagnostic& d : diagnostics) byPath[d.path].append(d);
    for (auto it = m_d->rows.cbegin(); it != m_d->rows.cend(); ++it) it.value()->setDiagnostics(byPath.value(it.key()));
    for (FormSection* s : std::as_const(m_d->sections)) s->updateHeader();
    updateVisibility();
}

FieldState ConfigForm::fieldState(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row ? row->state() : FieldState::Normal;
}

QString ConfigForm::fieldMessage(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row ? row->message() : QString();
}

void ConfigForm::showAdvanced(bool show) {
    m_d->advanced->setChecked(show); // updates visibility through toggled()
}

bool ConfigForm::isAdvancedShown() const {
    return m_d->advanced->isChecked();
}

void ConfigForm::setFilter(const QString& text) {
    m_d->filter->setText(text); // updates visibility through textChanged()
}

QString ConfigForm::filter() const {
    return m_d->filter->text();
}

bool ConfigForm::isFieldShown(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row && !row->isHidden();
}

void ConfigForm::updateVisibility() {
    const QString f = m_d->filter->text().trimmed();
    const bool advanced = m_d->advanced->isChecked();
    for (FormSection* s : std::as_const(m_d->sections)) {
        int shown = 0;
        for (FieldRow* row : s->rows()) {
            const bool show =
                row->matches(f) && (advanced || !row->spec().advanced || !f.isEmpty() || row->hasDiagnostics());
            row->setHidden(!show);
            shown += show ? 1 : 0;
        }
        s->setHidden(shown == 0);
    }
}

QUndoStack* ConfigForm::undoStack() const {
    return m_d->undo;
}

void ConfigForm::setUndoEnabled(bool enabled) {
    m_d->undoEnabled = enabled;
    if (!enabled) m_d->undo->clear();
}

QWidget* ConfigForm::editorFor(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row ? row->editor() : nullptr;
}

void ConfigForm::setEditDebounce(int ms) {
    m_d->debounce = std::max(ms, 0);
    for (FieldRow* row : std::as_const(m_d->rows)) row->setDebounce(m_d->debounce);
}

void ConfigForm::flushPendingEdits() {
    for (FieldRow* row : std::as_const(m_d->rows)) row->flush();
}

void ConfigForm::focusField(const QString& path) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    if (!row->matches(m_d->filter->text())) setFilter(QString());
    if (row->spec().advanced && !isAdvancedShown() && row->isHidden()) showAdvanced(true);
    if (FormSection* s = m_d->sectionOf.value(path, nullptr)) s->setExpanded(true);
    // Lay out now: a row that was just shown has no geometry yet to scroll to.
    m_d->content->layout()->activate();
    m_d->scroll->ensureWidgetVisible(row, 20, 40);
    row->editor()->setFocus(Qt::OtherFocusReason);
}

void ConfigForm::onRowEdited(const QString& path, const QString& text) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    const QString before = m_d->committed.value(path);
    if (row->isRefused()) {
        // Typing again ends the refusal: the owner refuses the new text again if it is bad too.
        row->setRefused(QString());
        Q_EMIT refusedChanged();
    }
    if (row->sameValue(before, text)) return; // e.g. "0.001" retyped as "1e-3": not a change
    m_d->accepted.insert(path, before);
    m_d->committed.insert(path, text);
    updateDiff(path);
    Q_EMIT valueEdited(path, text);
    // Into the history only when the owner took it (refuseEdit() is called from the slot above).
    if (m_d->undoEnabled && !row->isRefused()) m_d->undo->push(new EditCommand(this, path, before, text));
}

void ConfigForm::refuseEdit(const QString& path, const QString& message) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    // The document still holds the value before this edit: undo history and diffs follow it.
    if (m_d->accepted.contains(path)) m_d->committed.insert(path, m_d->accepted.value(path));
    row->setRefused(message.isEmpty() ? tr("the value was refused") : message);
    updateDiff(path);
    Q_EMIT refusedChanged();
}

QStringList ConfigForm::refusedPaths() const {
    QStringList out;
    for (auto it = m_d->rows.cbegin(); it != m_d->rows.cend(); ++it)
        if (it.value()->isRefused()) out << it.key();
    return out;
}

QString ConfigForm::refusedReason(const QString& path) const {
    const FieldRow* row = m_d->row(path);
    return row ? row->refusedReason() : QString();
}

void ConfigForm::revertRefusedEdits() {
    for (const QString& path : refusedPaths()) revertField(path);
}

void ConfigForm::revertField(const QString& path) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    const bool was = row->isRefused();
    row->setRefused(QString());
    row->setText(m_d->committed.value(path));
    updateDiff(path);
    if (was) Q_EMIT refusedChanged();
}

void ConfigForm::applyEdit(const QString& path, const QString& text) {
    FieldRow* row = m_d->row(path);
    if (!row) return;
    row->setText(text);
    m_d->committed.insert(path, text);
    updateDiff(path);
    Q_EMIT valueEdited(path, text);
}

} // namespace seqpe::ui
