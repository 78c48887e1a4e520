#pragma once
// Live training curves: task loss, SeqPE's contrastive and distillation losses, the validation
// metric, learning rate and throughput, one line per run (overlaid, colours follow the runs
// table), with smoothing (raw curve drawn faintly behind), log scale, zoom and pan (LineChart).
// A second group holds the position-encoding diagnostics ("diag" records: PE share of the
// attention logits, contrastive accuracy, gradient shares, rank correlation, PC1 share).
// Only new records are appended on each update; the chart decimates for drawing. In a project with
// seeds, "seed means" draws each seed group's mean (over the steps every seed has reached) in the
// group's colour, its seeds faintly behind.
#include "workbench.h"

#include "seqpe/widgets/line_chart.h"

#include <QWidget>
#include <map>

class QComboBox;
class QSlider;
class QCheckBox;
class QStackedWidget;

namespace seqpe::ui {

class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(Workbench& wb, QWidget* parent = nullptr);
    struct Metric {
        QString title, yLabel;
        std::string kind;              // "train" | "eval" | "diag"
        std::vector<std::string> keys; // the first key a run has is plotted
        bool logY = false;
        int group = 0; // 0: training, 1: PE diagnostics
    };
    void showGroup(int group);
    const std::vector<Metric>& metrics() const { return m_metrics; }
    LineChart* chart(int i) const { return m_charts[static_cast<size_t>(i)]; }
    int chartCount() const { return static_cast<int>(m_charts.size()); }
    void setSmoothing(LineChart::Smoothing mode, double amount);
    void setLogScale(bool on);
    void setSeedMeans(bool on);
    bool hasSeedGroups() const { return !m_groups.empty(); }
    // The mean series of a seed group in chart i (-1 when none).
    int meanSeries(int chart, const QString& group) const;

private:
    void rebuild();
    void append(const QString& run);
    void updateMeans(const QString& group);
    std::map<QString, QStringList> m_groups;        // seed group -> its runs (groups of 2 or more)
    std::map<QString, QString> m_groupOf;           // run -> its seed group
    std::map<std::pair<int, QString>, int> m_means; // (chart, group) -> mean series
    QCheckBox* m_seedMeans = nullptr;
    Workbench& m_wb;
    std::vector<Metric> m_metrics;
    std::vector<LineChart*> m_charts;
    // (chart, run) -> series id; per run the number of records already plotted.
    std::map<std::pair<int, QString>, int> m_series;
    std::map<QString, size_t> m_consumed;
    QComboBox* m_smoothing = nullptr;
    QSlider* m_amount = nullptr;
    QCheckBox* m_log = nullptr;
    QComboBox* m_group = nullptr;
    QStackedWidget* m_pages = nullptr;
};

} // namespace seqpe::ui
