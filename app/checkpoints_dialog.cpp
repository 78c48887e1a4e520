// CheckpointsDialog: the checkpoint table, export through WeightsTransfer with progress, and the
// Show in Geometry / Attention buttons that pin those views to a checkpoint.
#include "checkpoints_dialog.h"

#include "app_settings.h"
#include "views/checkpoint_picker.h"
#include "views/figure.h"
#include "views/figure_exporter.h"

#include "seqpe/safetensors_file.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace seqpe::ui {

CheckpointsDialog::CheckpointsDialog(Workbench& wb, const QString& run,
                                     std::function<void(const QString&, const QString&)> showIn, QWidget* parent)
    : QDialog(parent), m_wb(wb), m_run(run), m_showIn(std::move(showIn)) {
    setWindowTitle(tr("Checkpoints of %1").arg(run));
    auto* top = new QVBoxLayout(this);
    const RunView* v = wb.store().run(run);
    auto* heading = new QLabel(
        tr("<b>%1</b> &nbsp; %2")
            .arg(run.toHtmlEscaped(),
                 v ? QString::fromStdString(v->dir.lexically_normal().string()).toHtmlEscaped() : QString()));
    heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(heading);
    m_table = new QTableWidget(0, 5);
    m_table->setHorizontalHeaderLabels({tr("Step"), tr("Written"), tr("Size"), tr("State"), tr("Problem")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    top->addWidget(m_table, 1);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 100);
    m_progress->hide();
    top->addWidget(m_progress);
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_message);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_export = buttons->addButton(tr("Export Weights..."), QDialogButtonBox::ActionRole);
    m_export->setToolTip(
        tr("The checkpoint's weights as safetensors with the run's config beside it (as `seqpe export`)"));
    m_geometry = buttons->addButton(tr("Show in Geometry"), QDialogButtonBox::ActionRole);
    m_attention = buttons->addButton(tr("Show in Attention"), QDialogButtonBox::ActionRole);
    top->addWidget(buttons);
    resize(720, 360);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_export, &QPushButton::clicked, this, &CheckpointsDialog::exportInteractively);
    for (auto [button, tab] :
         {std::pair{m_geometry, QStringLiteral("geometry")}, std::pair{m_attention, QStringLiteral("attention")}})
        connect(button, &QPushButton::clicked, this, [this, tab] {
            const CheckpointInfo* c = checkpointAt(selectedRow());
            if (!c || !c->usable()) return;
            // The newest row pins nothing: it follows the run (live while it trains).
            m_wb.probes().setCheckpoint(m_run, selectedRow() == 0 ? std::filesystem::path() : c->dir);
            if (m_showIn) m_showIn(m_run, tab);
        });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &CheckpointsDialog::updateButtons);
    connect(&wb.store(), &RunStore::runUpdated, this, [this](const QString& r) {
        if (r == m_run) rebuild();
    });
    connect(&wb.weights(), &WeightsTransfer::progress, this, [this](const QString& stage, double f) {
        if (!m_mine) return;
        m_progress->setValue(static_cast<int>(f * 100));
        m_progress->setFormat(stage + " %p%");
    });
    connect(&wb.weights(), &WeightsTransfer::finished, this, [this](bool ok, const QString& msg, const QString& file) {
        if (!m_mine) return;
        m_mine = false;
        m_progress->hide();
        m_message->setText(
            ok ? tr("Wrote %1 and %2.")
                     .arg(file, QString::fromStdString(safetensors_config_path(file.toStdString()).string()))
               : tr("<span style='color:#c0392b'>Export failed: %1</span>").arg(msg.toHtmlEscaped()));
        updateButtons();
        Q_EMIT exported(ok, msg, file);
    });
    rebuild();
}

const CheckpointInfo* CheckpointsDialog::checkpointAt(int row) const {
    return row >= 0 && row < static_cast<int>(m_checkpoints.size()) ? &m_checkpoints[static_cast<size_t>(row)]
                                                                    : nullptr;
}

int CheckpointsDialog::selectedRow() const {
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.front().row();
}

void CheckpointsDialog::selectRow(int row) {
    m_table->selectRow(row);
}

QString CheckpointsDialog::message() const {
    return m_message->text();
}

void CheckpointsDialog::rebuild() {
    const int keep = selectedRow();
    const RunView* v = m_wb.store().run(m_run);
    m_checkpoints = v ? v->checkpoints : std::vector<CheckpointInfo>{};
    m_table->setRowCount(static_cast<int>(m_checkpoints.size()));
    int firstUsable = -1;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const CheckpointInfo& c = m_checkpoints[static_cast<size_t>(r)];
        const QStringList cells = {checkpointStepText(c), checkpointTimeText(c), checkpointSizeText(c),
                                   checkpointStateText(c), QString::fromStdString(c.problem)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            item->setToolTip(QString::fromStdString(c.dir.string()) + (c.problem.empty() ? "" : "\n" + cells[4]));
            if (!c.usable()) item->setForeground(QColor(0xc0, 0x39, 0x2b));
            m_table->setItem(r, col, item);
        }
        if (firstUsable < 0 && c.usable()) firstUsable = r;
    }
    m_table->resizeColumnsToContents();
    selectRow(keep >= 0 && keep < m_table->rowCount() ? keep : std::max(0, firstUsable));
    if (m_checkpoints.empty()) m_message->setText(tr("%1 has no checkpoint yet: train it first.").arg(m_run));
    updateButtons();
}

void CheckpointsDialog::updateButtons() {
    const CheckpointInfo* c = checkpointAt(selectedRow());
    const bool usable = c && c->usable();
    m_export->setEnabled(c && !m_wb.weights().isBusy()); // a damaged one is refused with its reason
    m_geometry->setEnabled(usable);
    m_attention->setEnabled(usable);
}

bool CheckpointsDialog::exportTo(int row, const QString& file) {
    const CheckpointInfo* c = checkpointAt(row);
    if (!c) return false;
    QString why;
    if (!m_wb.exportWeights(m_run, c->dir, file.toStdString(), &why)) {
        m_message->setText(tr("<span style='color:#c0392b'>Cannot export: %1</span>").arg(why.toHtmlEscaped()));
        return false;
    }
    m_mine = true;
    m_progress->setValue(0);
    m_progress->show();
    m_message->setText(tr("Exporting step %1 to %2...").arg(c->step).arg(file));
    updateButtons();
    return true;
}

void CheckpointsDialog::exportInteractively() {
    const int row = selectedRow();
    const CheckpointInfo* c = checkpointAt(row);
    if (!c) return;
    if (!c->usable()) { // refused before asking for a file
        exportTo(row, QString());
        return;
    }
    const QString folder = AppSettings::dialogFolder(
        "weights", QString::fromStdString((m_wb.document().project().output_path() / "exports").string()));
    const QString suggested = QDir(folder).filePath(fileSlug(m_run) + QString("-step-%1.safetensors").arg(c->step));
    const QString file = QFileDialog::getSaveFileName(this, tr("Export weights as safetensors"), suggested,
                                                      tr("safetensors (*.safetensors)"));
    if (file.isEmpty()) return;
    AppSettings::setDialogFolder("weights", file);
    QDir().mkpath(QFileInfo(file).absolutePath());
    exportTo(row, file);
}

} // namespace seqpe::ui
