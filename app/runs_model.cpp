// RunsModel: the runs table's cells, tooltips and colours, refreshed from the run store, the project
// document and the training queue.
#include "runs_model.h"

#include "seqpe/widgets/theme.h"

#include <QColor>
#include <QLocale>

namespace seqpe::ui {

RunsModel::RunsModel(Workbench& wb, QObject* parent) : QAbstractTableModel(parent), m_wb(wb) {
    auto reset = [this] {
        beginResetModel();
        m_names = m_wb.store().names();
        endResetModel();
    };
    connect(&m_wb.store(), &RunStore::runsChanged, this, reset);
    connect(&m_wb.store(), &RunStore::runUpdated, this, &RunsModel::refreshRun);
    connect(&m_wb.store(), &RunStore::recordsAdded, this, [this](const QString& r, int) { refreshRun(r); });
    connect(&m_wb.document(), &ProjectDocument::changed, this, [this] {
        if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    });
    connect(&m_wb, &Workbench::queueChanged, this, [this] {
        if (rowCount() > 0) Q_EMIT dataChanged(index(0, Status), index(rowCount() - 1, Status));
    });
    reset();
}

int RunsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : m_names.size();
}
int RunsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}
QString RunsModel::runAt(int row) const {
    return row >= 0 && row < m_names.size() ? m_names[row] : QString();
}
int RunsModel::rowOf(const QString& run) const {
    return m_names.indexOf(run);
}

void RunsModel::refreshRun(const QString& run) {
    const int row = m_names.indexOf(run);
    if (row >= 0) Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {"Run", "Encoding", "Status", "Step", "Loss", "Valid", "tok/s", "Differs from base"};
    return section >= 0 && section < ColumnCount ? QVariant(names[section]) : QVariant();
}

QVariant RunsModel::data(const QModelIndex& idx, int role) const {
    if (!idx.isValid()) return {};
    const QString name = m_names.value(idx.row());
    const RunView* v = m_wb.store().run(name);
    if (!v) return {};
    if (role == Qt::DecorationRole && idx.column() == Name)
        return seriesColor(m_wb.store().colourOf(name)); // kept through removals
    const CheckpointInfo* damaged = v->damagedCheckpoint();
    if (role == Qt::ToolTipRole && idx.column() == Status) {
        QString tip = QString::fromStdString(v->status.message);
        if (damaged)
            tip += (tip.isEmpty() ? "" : "\n") +
                   tr("Checkpoint %1 is damaged (%2). Resume and evaluation use the newest complete checkpoint; "
                      "a resume sets the damaged one aside.")
                       .arg(QString::fromStdString(damaged->dir.filename().string()),
                            QString::fromStdString(damaged->problem));
        return tip;
    }
    if (role == Qt::ForegroundRole && idx.column() == Status && damaged) return QColor(0xb0, 0x3a, 0x2e);
    if (role == Qt::ToolTipRole && idx.column() == Rate) return tr("tokens per second over the last 20 logged steps");
    if (role == Qt::ToolTipRole && idx.column() == Step)
        return tr("steps done / the run's budget (the project's budget in brackets when the run on disk was "
                  "trained with another)");
    if (role == Qt::TextAlignmentRole && idx.column() >= Step && idx.column() <= Rate)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    QLocale loc;
    const Record* train = v->lastOf("train");
    const Record* eval = v->lastOf("eval");
    switch (idx.column()) {
    case Name:
        return name;
    case Encoding:
        return v->config ? QString::fromStdString(v->config->position_encoding.type) : QString("?");
    case Status: {
        const QString state = v->stateText(m_wb.isQueued(name));
        return damaged ? tr("%1 · damaged checkpoint (step %2)").arg(state).arg(damaged->step) : state;
    }
    case Step: {
        // The run's own budget; the project's beside it when the run on disk was trained with another.
        const int64_t step = train ? train->step : v->status.step;
        const int64_t project = v->config ? v->config->train.steps : 0;
        if (project > 0 && v->budget() != project)
            return QString("%1/%2 (project: %3)").arg(step).arg(v->budget()).arg(project);
        return QString("%1/%2").arg(step).arg(v->budget());
    }
    case Loss:
        return train && train->get("loss_task") ? QString::number(*train->get("loss_task"), 'f', 4) : QString();
    case Valid: {
        if (!eval) return {};
        if (auto p = eval->get("ppl")) return "ppl " + QString::number(*p, 'f', 2);
        if (auto a = eval->get("accuracy")) return QString::number(100 * *a, 'f', 2) + "%";
        if (auto e = eval->get("em")) return "EM " + QString::number(100 * *e, 'f', 1) + "%";
        return {};
    }
    case Rate: {
        const double rate = v->recentTokensPerS();
        return rate > 0 ? loc.toString(qRound64(rate)) : QString();
    }
    case Differs:
        return m_wb.document().differences(name);
    }
    return {};
}

} // namespace seqpe::ui
