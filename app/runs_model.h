#pragma once
// The runs table: name, encoding, status, step, losses, validation metric, throughput, and how the
// run's config differs from the project's base.
#include "workbench.h"

#include <QAbstractTableModel>

namespace seqpe::ui {

class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Encoding, Status, Step, Loss, Valid, Rate, Differs, ColumnCount };
    explicit RunsModel(Workbench& wb, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    QString runAt(int row) const;
    int rowOf(const QString& run) const;

private:
    void refreshRun(const QString& run);
    Workbench& m_wb;
    QStringList m_names;
};

} // namespace seqpe::ui
