// CheckpointPicker, and the checkpoint texts (step, time, size, state) it shares with the
// Checkpoints dialog.
#include "checkpoint_picker.h"

#include "seqpe/common/files.h"

#include <QLocale>
#include <QStandardItemModel>

namespace seqpe::ui {

QString checkpointStepText(const CheckpointInfo& c) {
    return QObject::tr("step %1").arg(QLocale().toString(qlonglong(c.step)));
}

QString checkpointSizeText(const CheckpointInfo& c) {
    return QString::fromStdString(human_bytes(static_cast<double>(c.bytes)));
}

QString checkpointTimeText(const CheckpointInfo& c) {
    // ISO-8601 UTC ("2026-12-03T14:02:11Z") -> "2026-12-03 14:02 UTC"
    const QString t = QString::fromStdString(c.time);
    return t.size() >= 16 ? t.left(10) + " " + t.mid(11, 5) + " UTC" : t;
}

QString checkpointStateText(const CheckpointInfo& c) {
    QString s = QString::fromUtf8(checkpoint_health_name(c.health));
    if (c.set_aside) s += QObject::tr(" (set aside)");
    return s;
}

CheckpointPicker::CheckpointPicker(Workbench& wb, QWidget* parent) : QComboBox(parent), m_wb(wb) {
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setToolTip(tr("The checkpoint the views probe: the newest (live while the run trains here) or an earlier one"));
    connect(this, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating || m_run.isEmpty()) return;
        m_wb.probes().setCheckpoint(m_run, currentData().toString().toStdString());
    });
    connect(&wb.store(), &RunStore::runUpdated, this, [this](const QString& run) {
        if (run == m_run) rebuild();
    });
    connect(&wb.store(), &RunStore::runsChanged, this, &CheckpointPicker::rebuild);
    connect(&wb.probes(), &ProbeService::checkpointChanged, this, [this](const QString& run) {
        if (run == m_run) rebuild();
    });
}

void CheckpointPicker::setRun(const QString& run) {
    if (run == m_run) return;
    m_run = run;
    rebuild();
}

void CheckpointPicker::rebuild() {
    m_updating = true;
    clear();
    addItem(tr("newest"), QString());
    const RunView* v = m_wb.store().run(m_run);
    const QString pinned = QString::fromStdString(m_wb.probes().checkpoint(m_run).string());
    bool found = pinned.isEmpty();
    if (v) {
        auto* items = qobject_cast<QStandardItemModel*>(model());
        for (const CheckpointInfo& c : v->checkpoints) {
            const QString dir = QString::fromStdString(c.dir.string());
            addItem(c.usable() ? checkpointStepText(c)
                               : tr("%1 (%2)").arg(checkpointStepText(c), checkpointStateText(c)),
                    dir);
            const int i = count() - 1;
            QString tip = checkpointTimeText(c) + " · " + checkpointSizeText(c) + " · " + checkpointStateText(c);
            if (!c.problem.empty()) tip += "\n" + QString::fromStdString(c.problem);
            setItemData(i, tip, Qt::ToolTipRole);
            if (!c.usable() && items) items->item(i)->setEnabled(false);
            if (dir == pinned) {
                setCurrentIndex(i);
                found = true;
            }
        }
    }
    if (!found)
        addItem(tr("%1 (gone)").arg(QString::fromStdString(m_wb.probes().checkpoint(m_run).filename().string())),
                pinned);
    if (!found) setCurrentIndex(count() - 1);
    if (pinned.isEmpty()) setCurrentIndex(0);
    setEnabled(v != nullptr);
    m_updating = false;
}

} // namespace seqpe::ui
