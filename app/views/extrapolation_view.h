#pragma once
// The Extrapolation tab: every evaluated run's metric (perplexity, accuracy or exact match, per
// task; or the loss) against evaluation length or resolution on one chart, the training length
// marked and the region beyond it shaded (algorithmic tasks: the training range shaded), for the
// "extend" or "interpolate" evaluation; the encoding x length table with cells coloured by value; a
// click on a cell highlights that run and shows its loss by position (QA: accuracy by needle
// depth; algorithmic: accuracy by answer position). extrapolation_charts.cpp: the charts' decoration
// and the lower chart. Reports are the runs' eval/extrapolation.json (written by
// `seqpe eval` / `seqpe compare`), re-read when they change on disk.
#include "figure.h"
#include "score_table.h"
#include "workbench.h"

#include <QDateTime>
#include <QHash>
#include <QWidget>
#include <cmath>
#include <map>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;
class QTimer;

namespace seqpe::ui {

class LineChart;

// A report row's value of `metric` (ppl, loss, bits_per_byte, word_ppl, accuracy, em) and its name.
double evalMetricValue(const EvalRow& r, const QString& metric);
QString evalMetricName(const QString& metric);

class ExtrapolationView : public QWidget {
    Q_OBJECT
public:
    explicit ExtrapolationView(Workbench& wb, QWidget* parent = nullptr);

    QStringList modes() const;         // the evaluation modes found in the reports
    void setMode(const QString& mode); // extend | interpolate
    QString mode() const;
    void setMetric(const QString& metric); // ppl | accuracy | em | loss
    QString metric() const;
    void setDepth(int64_t depth); // QA needle depth in percent; -1: all depths
    // Runs that differ only by seed (a project with "seeds"): each seed as its own curve, or one
    // curve per group (the mean) with a band: min-max or +-1 sample standard deviation.
    enum class Seeds { Each, MinMax, Sd, Ci }; // Ci: the t-based 95% interval of the mean
    void setSeeds(Seeds s);
    Seeds seeds() const;
    bool hasSeedGroups() const; // some group holds more than one evaluated run
    // The group the table tests the others against ("": none); the first group by default.
    void setReference(const QString& group);
    QString reference() const;
    void highlightRun(const QString& run); // "" for none
    QString highlightedRun() const { return m_highlight; }

    LineChart* curves() const { return m_curves; }
    LineChart* lossByPosition() const { return m_loss; }
    QTableWidget* table() const { return m_table; }
    const ScoreTable& scoreTable() const { return m_score; }
    QStringList shownRuns() const { return m_score.runs; }
    double markerX() const { return m_marker; } // the training length marked; NaN when none
    QString hint() const;

    void reload(); // re-reads changed reports and redraws

    Figure figure() const; // the tab as shown: curves, table, loss by position
    Figure curvesFigure() const;
    Figure tableFigure() const;
    Figure lossFigure() const;
    void exportFigure();

Q_SIGNALS:
    void rebuilt();

private:
    struct SeedGroup { // runs that differ only by seed, drawn as one curve
        QString name;
        int colourIndex = 0;
        std::map<int64_t, std::vector<double>> values;
        std::map<int64_t, std::vector<std::string>> runsAt; // the run of each value (seeds pair by name)
        QStringList runs;
        std::vector<double> loss; // summed loss by position of its runs
        int lossRuns = 0;
    };
    void rebuild();
    std::map<int64_t, double> addGroupCurves(const SeedGroup& g);
    // The table's marks: each group against the reference per length (paired over shared seeds,
    // else Welch; Holm within the column), seqpe/comparisons.h.
    void markDifferences(const std::vector<SeedGroup>& groups);
    void decorateCharts(const QString& mode, const QString& metric, int64_t depth, int64_t lossLength);
    void showHints(const QStringList& missing, const QStringList& otherTask);
    void rebuildChoices();
    void showDepthProfile(const QString& mode, const QString& metric); // QA: the lower chart
    void showAnswerProfile(const QString& mode);                       // algorithmic: the lower chart
    // The highlighted run's report rows, or a highlighted seed group's (every member's).
    QVector<const EvalReport*> highlightedReports() const;
    QString lowerX() const; // the lower chart's x column name for CSV: position or depth
    QString lowerY() const;
    QString lowerSuffix() const; // the lower chart's figure and CSV name: loss-by-position, by-depth, ...
    QString metricTitle() const;

    Workbench& m_wb;
    QComboBox* m_mode = nullptr;
    QComboBox* m_metric = nullptr;
    QComboBox* m_depth = nullptr;
    QComboBox* m_seeds = nullptr;
    QLabel* m_seedsLabel = nullptr;
    QComboBox* m_reference = nullptr; // the seed group the table's marks test every other against
    QLabel* m_referenceLabel = nullptr;
    // Per group shown (grouped modes): the band and the per-seed values, for the figure's CSVs.
    struct Band {
        QString group;
        int64_t length;
        double mean, lower, upper;
        int n;
    };
    QVector<Band> m_bands;
    QStringList m_shownMembers;          // the runs behind the curves (figure metadata: their config hashes)
    QVector<QVector<QString>> m_perSeed; // run, group, length, value
    QLabel* m_depthLabel = nullptr;
    QLabel* m_hint = nullptr;
    LineChart* m_curves = nullptr;
    QTableWidget* m_table = nullptr;
    LineChart* m_loss = nullptr; // loss by position (LM) or the metric by needle depth (QA)
    QLabel* m_clickHint = nullptr;
    QWidget* m_frame = nullptr;
    QTimer* m_watch = nullptr;
    QHash<QString, QDateTime> m_seen; // report file times, to notice new evaluations
    ScoreTable m_score;
    QString m_task;         // the task whose runs are shown (lm, image, qa, algorithmic)
    int64_t m_trainMin = 0; // algorithmic: the shortest training length (the range is shaded)
    QString m_unit;         // what a length counts (the reports' length_unit)
    QString m_highlight;
    double m_marker = std::nan("");
    bool m_updating = false;
    QString m_chosenMetric;    // the user's pick; empty: the reports' own metric (ppl, accuracy, em)
    QString m_chosenReference; // the user's pick of the table's reference; empty: the first group
};

} // namespace seqpe::ui
