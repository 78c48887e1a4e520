// ConfigPanel: the option table as ConfigForm fields, edits sent through the project document
// (refused values stay in their field), and the diagnostics marked on the fields.
#include "config_panel.h"

#include "seqpe/options.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>

namespace seqpe::ui {

static FieldSpec fieldFor(const OptionInfo& o) {
    FieldSpec f;
    f.path = QString::fromStdString(o.path);
    f.group = QString::fromStdString(o.group());
    if (f.path.startsWith("position_encoding.seqpe.")) {
        const QString rest = f.path.mid(QString("position_encoding.seqpe.").size());
        f.group = rest.contains('.') ? "seqpe " + rest.section('.', 0, 0) : "seqpe";
    }
    switch (o.type) {
    case OptionType::Bool:
        f.type = FieldSpec::Bool;
        break;
    case OptionType::Int:
        f.type = FieldSpec::Int;
        break;
    case OptionType::Float:
        f.type = FieldSpec::Float;
        break;
    case OptionType::String:
        f.type = FieldSpec::String;
        break;
    case OptionType::Choice:
        f.type = FieldSpec::Choice;
        break;
    case OptionType::IntList:
        f.type = FieldSpec::IntList;
        break;
    }
    for (const auto& c : o.choices) f.choices << QString::fromStdString(c);
    f.min = o.min;
    f.max = o.max;
    f.help = QString::fromStdString(o.help);
    f.advanced = o.advanced;
    return f;
}

ConfigPanel::ConfigPanel(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* lay = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Edit")));
    m_targets = new QComboBox;
    row->addWidget(m_targets, 1);
    lay->addLayout(row);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet("color: gray");
    lay->addWidget(m_note);
    auto* split = new QSplitter(Qt::Vertical);
    m_form = new ConfigForm;
    m_form->setUndoEnabled(false); // the window's project history holds every edit, of any run
    QVector<FieldSpec> fields;
    for (const auto& o : option_table()) fields.append(fieldFor(o));
    m_form->setFields(fields);
    m_diag = new DiagnosticsList;
    split->addWidget(m_form);
    split->addWidget(m_diag);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 1);
    lay->addWidget(split, 1);
    connect(m_diag, &DiagnosticsList::fieldActivated, m_form, &ConfigForm::focusField);
    connect(m_targets, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (m_refreshing || i < 0) return;
        setTarget(m_targets->itemData(i).toString());
    });
    connect(m_form, &ConfigForm::valueEdited, this, [this](const QString& path, const QString& text) {
        if (m_refreshing) return;
        // A value that fails its checks never enters the project: the field keeps the typed text and
        // the reason until it is fixed or reverted (Esc).
        if (const QString why = m_wb.document().setOption(m_target, path, text); !why.isEmpty())
            m_form->refuseEdit(path, why);
    });
    connect(m_form, &ConfigForm::refusedChanged, this, &ConfigPanel::refusedChanged);
    connect(&m_wb.document(), &ProjectDocument::loaded, m_form, &ConfigForm::revertRefusedEdits);
    connect(&m_wb.document(), &ProjectDocument::changed, this, [this] {
        refreshTargets();
        refresh();
    });
    refreshTargets();
    refresh();
}

void ConfigPanel::refreshTargets() {
    m_refreshing = true;
    const QSignalBlocker block(m_targets);
    m_targets->clear();
    m_targets->addItem(tr("Base config (all runs)"), QString());
    for (const QString& r : m_wb.document().runNames()) m_targets->addItem(tr("Run %1").arg(r), r);
    if (!m_target.isEmpty() && !m_wb.document().runNames().contains(m_target)) {
        m_form->revertRefusedEdits();
        m_target.clear();
    }
    m_targets->setCurrentIndex(std::max(0, m_targets->findData(m_target)));
    m_refreshing = false;
}

QString ConfigPanel::refusedProblem(const QString& run) const {
    const QStringList paths = m_form->refusedPaths();
    if (paths.isEmpty()) return {};
    if (!m_target.isEmpty() && m_wb.document().projectRunOf(run) != m_target) return {};
    return tr("%1 in the Configuration panel: %2; fix the value or press Esc in the field to put back %3")
        .arg(paths.front(), m_form->refusedReason(paths.front()), m_wb.document().optionText(m_target, paths.front()));
}

void ConfigPanel::setTarget(const QString& run) {
    if (run != m_target) m_form->revertRefusedEdits(); // typed for the other target: not kept
    m_target = run;
    const int i = m_targets->findData(run);
    if (i >= 0 && i != m_targets->currentIndex()) {
        const QSignalBlocker block(m_targets);
        m_targets->setCurrentIndex(i);
    }
    refresh();
}

void ConfigPanel::showOpenFailure(const QString& file, const std::vector<Diagnostic>& problems) {
    QVector<FieldDiagnostic> diags;
    for (const auto& d : problems)
        if (d.severity == Diagnostic::Severity::Error)
            diags.append({QString(), QString("%1: %2%3")
                                         .arg(QFileInfo(file).fileName(),
                                              d.path.empty() ? QString() : QString::fromStdString(d.path) + ": ",
                                              QString::fromStdString(d.message))});
    m_diag->setDiagnostics(diags);
    m_note->setText(
        tr("<span style='color:#c0392b'><b>Could not open %1</b>: the problems are listed below. "
           "The editor shows the project that stayed open (%2).</span>")
            .arg(file.toHtmlEscaped(), m_wb.document().fileName().isEmpty()
                                           ? tr("an empty, unsaved one")
                                           : QFileInfo(m_wb.document().fileName()).fileName().toHtmlEscaped()));
}

void ConfigPanel::refresh() {
    m_refreshing = true;
    auto& doc = m_wb.document();
    QMap<QString, QString> values, base;
    QSet<QString> relevant;
    const RunConfig cfg = doc.config(m_target);
    for (const auto& o : option_table()) {
        const QString p = QString::fromStdString(o.path);
        values.insert(p, doc.optionText(m_target, p));
        if (!m_target.isEmpty()) base.insert(p, doc.optionText(QString(), p));
        if (o.relevant(cfg)) relevant.insert(p);
    }
    m_form->setValues(values);
    m_form->setBaseValues(base);
    m_form->setRelevant(relevant);
    QVector<FieldDiagnostic> diags;
    for (const auto& d : doc.diagnostics(m_target))
        diags.append({QString::fromStdString(d.path), QString::fromStdString(d.message),
                      d.severity == Diagnostic::Severity::Error});
    m_form->setDiagnostics(diags);
    m_diag->setDiagnostics(diags);
    m_note->setText(m_target.isEmpty() ? tr("Changes apply to every run that does not override the field.")
                                       : tr("Bold fields override the base config. A running run keeps the "
                                            "config it started with."));
    m_refreshing = false;
}

} // namespace seqpe::ui
