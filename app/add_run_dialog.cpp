// AddRunDialog: task and encoding of a new run.
#include "add_run_dialog.h"

#include "seqpe/encodings.h"
#include "seqpe/options.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <nlohmann/json.hpp>

namespace seqpe::ui {

namespace {

// "lm", "image", "qa", and "algorithmic:<task>" for each algorithmic task (option table choices).
QStringList taskEntries() {
    QStringList out;
    const OptionInfo* task = find_option("task");
    const OptionInfo* algo = find_option("algo.task");
    for (const std::string& t : task ? task->choices : std::vector<std::string>{"lm"}) {
        if (t != "algorithmic" || !algo) {
            out << QString::fromStdString(t);
            continue;
        }
        for (const std::string& a : algo->choices) out << QString::fromStdString("algorithmic:" + a);
    }
    return out;
}

QString entryOf(const RunConfig& c) {
    return QString::fromStdString(c.task == "algorithmic" ? "algorithmic:" + c.algo.task : c.task);
}

} // namespace

AddRunDialog::AddRunDialog(const RunConfig& base, QWidget* parent) : QDialog(parent), m_base(base) {
    setWindowTitle(tr("Add run"));
    auto* form = new QFormLayout(this);
    m_task = new QComboBox;
    for (const QString& e : taskEntries()) {
        const QString shown = e.startsWith("algorithmic:") ? tr("algorithmic: %1").arg(e.mid(12)) : e;
        m_task->addItem(shown, e);
    }
    m_task->setCurrentIndex(std::max(0, m_task->findData(entryOf(base))));
    m_task->setToolTip(tr("The project's task by default; another task makes the run override it"));
    m_encoding = new QComboBox;
    m_note = new QLabel;
    m_note->setWordWrap(true);
    form->addRow(tr("Task"), m_task);
    form->addRow(tr("Position encoding"), m_encoding);
    form->addRow(m_note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_task, &QComboBox::currentIndexChanged, this, &AddRunDialog::fillEncodings);
    fillEncodings();
}

void AddRunDialog::fillEncodings() {
    // The encodings the chosen task can use: 2D for images, 1D otherwise (the encodings table).
    const bool image = m_task->currentData().toString() == "image";
    const QString keep = m_encoding->currentText();
    m_encoding->clear();
    for (const EncodingInfo& e : encoding_table())
        if (image ? e.image : e.text) m_encoding->addItem(QString::fromUtf8(e.name));
    m_encoding->setCurrentIndex(std::max(0, m_encoding->findText(keep)));
    const bool other = m_task->currentData().toString() != entryOf(m_base);
    m_note->setText(other ? tr("<small>The run overrides the project's task (%1); its other settings are the "
                               "project's.</small>")
                                .arg(entryOf(m_base))
                          : QString());
}

void AddRunDialog::choose(const QString& task, const QString& encoding) {
    m_task->setCurrentIndex(std::max(0, m_task->findData(task)));
    m_encoding->setCurrentIndex(std::max(0, m_encoding->findText(encoding)));
}

QString AddRunDialog::encoding() const {
    return m_encoding->currentText();
}

QString AddRunDialog::runName() const {
    const QString entry = m_task->currentData().toString();
    if (entry == entryOf(m_base)) return encoding();
    return QString(entry).replace("algorithmic:", "") + "-" + encoding();
}

std::vector<std::pair<std::string, std::string>> AddRunDialog::overrides() const {
    std::vector<std::pair<std::string, std::string>> out;
    const QString entry = m_task->currentData().toString();
    const std::string task = entry.startsWith("algorithmic:") ? "algorithmic" : entry.toStdString();
    if (task != m_base.task) out.emplace_back("task", nlohmann::json(task).dump());
    if (task == "algorithmic") {
        const std::string algo = entry.mid(12).toStdString();
        if (algo != m_base.algo.task || m_base.task != "algorithmic")
            out.emplace_back("algo.task", nlohmann::json(algo).dump());
    }
    return out;
}

} // namespace seqpe::ui
