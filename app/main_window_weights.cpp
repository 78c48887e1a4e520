// MainWindow: checkpoints, weights export (the Checkpoints dialog) and import.
#include "main_window.h"

#include "app_settings.h"
#include "checkpoints_dialog.h"
#include "runs_model.h"
#include "views/attention_view.h"
#include "views/geometry_view.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>

namespace seqpe::ui {

void MainWindow::connectWeights() {
    m_transfer = new QProgressBar;
    m_transfer->setRange(0, 100);
    m_transfer->setMaximumWidth(260);
    m_transfer->hide();
    statusBar()->addPermanentWidget(m_transfer);
    // Exports report in their dialog; imports here (their dialog is only a file chooser).
    connect(&m_wb->weights(), &WeightsTransfer::progress, this, [this](const QString& stage, double f) {
        if (m_wb->weights().kind() != WeightsTransfer::Kind::Import) return;
        m_transfer->show();
        m_transfer->setValue(static_cast<int>(f * 100));
        m_transfer->setFormat(tr("importing: %1 %p%").arg(stage));
    });
    connect(
        &m_wb->weights(), &WeightsTransfer::finished, this, [this](bool ok, const QString& msg, const QString& result) {
            m_transfer->hide();
            const bool import = m_wb->weights().kind() == WeightsTransfer::Kind::Import;
            const QString source = import ? "import" : "export";
            if (ok) {
                report(source, 1,
                       import ? tr("created run directory %1").arg(result) : tr("exported weights to %1").arg(result));
                return;
            }
            report(source, 3, (import ? tr("import failed: %1") : tr("export failed: %1")).arg(msg));
            statusBar()->showMessage(import ? tr("Import failed (see the log)") : tr("Export failed (see the log)"),
                                     10000);
            if (import && m_prompts) QMessageBox::warning(this, tr("Import failed"), msg);
        });
    connect(m_wb, &Workbench::runImported, this, [this](const QString& run) {
        selectRun(run);
        statusBar()->showMessage(
            tr("Imported %1: Geometry and Attention probe it, Evaluate (Ctrl+Alt+E) measures it").arg(run), 10000);
    });
}

CheckpointsDialog* MainWindow::openCheckpoints(const QString& run) {
    if (run.isEmpty() || !m_wb->store().run(run)) return nullptr;
    auto* d = new CheckpointsDialog(
        *m_wb, run,
        [this](const QString& r, const QString& tab) {
            showTab(tab);
            if (tab == "geometry")
                m_geometry->setRun(r);
            else
                m_attention->setRuns({r});
        },
        this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    if (m_prompts) d->show();
    return d;
}

bool MainWindow::importWeights(const QString& file, const QString& config, const QString& name) {
    QString why;
    if (!m_wb->importWeights(file.toStdString(), config.toStdString(), name, &why)) {
        report("import", 3, tr("cannot import %1: %2").arg(file, why));
        if (m_prompts) QMessageBox::warning(this, tr("Cannot import"), why);
        return false;
    }
    m_transfer->setValue(0);
    m_transfer->show();
    return true;
}

void MainWindow::importWeightsInteractively() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Import weights (safetensors)"),
                                                      AppSettings::dialogFolder("weights", QString()),
                                                      tr("safetensors (*.safetensors)"));
    if (file.isEmpty()) return;
    AppSettings::setDialogFolder("weights", file);
    // The config `seqpe export` writes beside the weights, else one the user picks.
    const QFileInfo info(file);
    QString config = info.dir().filePath(info.completeBaseName() + ".config.json");
    if (!QFileInfo::exists(config)) {
        config = QFileDialog::getOpenFileName(this, tr("The run config of %1 (its model shape)").arg(info.fileName()),
                                              info.absolutePath(), tr("Run configs (*.json)"));
        if (config.isEmpty()) return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Import weights"),
                                               tr("Name of the new run (in %1; an existing run is never overwritten)")
                                                   .arg(QString::fromStdString(m_wb->importFolder().string())),
                                               QLineEdit::Normal, info.completeBaseName(), &ok);
    if (ok) importWeights(file, config, name);
}

} // namespace seqpe::ui
