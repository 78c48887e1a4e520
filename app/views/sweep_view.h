#pragma once
// The Sweep tab: a project's sweep grid (seqpe/run_plan.h) as a table, one row per grid point and
// project run (its seeds pooled): the swept values, how many seeds were evaluated, the final
// validation metric and the metric at every evaluated length or resolution (extend mode), each the
// mean over seeds; sortable and filterable. Beside it a chart of a chosen metric against a chosen
// swept option, one line per value of another option (and per project run), the seeds' min-max as
// a band; options on neither axis are pooled into the points and their bands.
#include "figure.h"
#include "workbench.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace seqpe::ui {

class LineChart;

class SweepView : public QWidget {
    Q_OBJECT
public:
    explicit SweepView(Workbench& wb, QWidget* parent = nullptr);

    void reload(); // re-reads the plan and the runs' records and reports

    // One grid point of one project run, its seeds pooled.
    struct Row {
        QString group;      // "seqpe/lr=0.001,scalar_scale=8"
        QString run;        // "seqpe"
        QStringList values; // one per swept option, in the plan's order
        int planned = 0, evaluated = 0;
        QVector<double> valid;            // final validation metric per seed that has one
        QMap<qint64, QVector<double>> at; // evaluation length -> per-seed metric (extend)
    };
    const QVector<Row>& rows() const { return m_rows; }
    QStringList sweptOptions() const { return m_options; }
    QTableWidget* table() const { return m_table; }
    LineChart* chart() const { return m_chart; }
    QLineEdit* filter() const { return m_filter; }

    void setXOption(const QString& path);
    void setLinesBy(const QString& path); // "" for one line per project run
    void setMetric(const QString& key);   // "valid" or "L=<length>"
    QString hint() const;

    Figure figure() const; // chart and table together
    Figure chartFigure() const;
    Figure tableFigure() const;
    void exportFigure();

private:
    void rebuildTable();
    void rebuildChart();
    QString metricName() const;
    bool lowerIsBetter() const { return m_metric == "ppl"; }

    Workbench& m_wb;
    QComboBox* m_x = nullptr;
    QComboBox* m_lines = nullptr;
    QComboBox* m_what = nullptr;
    QComboBox* m_band = nullptr; // ci | sd | minmax
    QLineEdit* m_filter = nullptr;
    QLabel* m_hint = nullptr;
    QTableWidget* m_table = nullptr;
    LineChart* m_chart = nullptr;
    QVector<Row> m_rows;
    QStringList m_options; // swept option paths
    QVector<qint64> m_lengths;
    std::string m_metric; // ppl | accuracy | em
    bool m_updating = false;
};

} // namespace seqpe::ui
