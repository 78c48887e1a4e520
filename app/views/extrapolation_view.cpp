// ExtrapolationView: curves, table and loss by position from the runs' evaluation reports.
// Not here: evaluating (the CLI's `seqpe eval` / `seqpe compare` write the reports).
#include "extrapolation_view.h"
#include "figure_exporter.h"

#include "seqpe/comparisons.h"
#include "seqpe/report_summary.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/theme.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <map>
#include <set>

namespace seqpe::ui {

namespace {

QColor faded(QColor c) {
    c.setAlpha(60);
    return c;
}

} // namespace

double evalMetricValue(const EvalRow& r, const QString& metric) {
    if (metric == "ppl") return r.ppl;
    if (metric == "loss") return r.loss;
    if (metric == "bits_per_byte") return r.bits_per_byte; // compare across tokenizers (NaN: not recorded)
    if (metric == "word_ppl") return r.word_ppl;
    return r.accuracy; // accuracy (image) and exact match (qa) share the field
}

QString evalMetricName(const QString& metric) {
    if (metric == "ppl") return QObject::tr("perplexity");
    if (metric == "bits_per_byte") return QObject::tr("bits per byte");
    if (metric == "word_ppl") return QObject::tr("word-level perplexity");
    if (metric == "accuracy") return QObject::tr("top-1 accuracy");
    if (metric == "em") return QObject::tr("exact match");
    return QObject::tr("loss (nats)");
}

ExtrapolationView::ExtrapolationView(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_mode = new QComboBox;
    m_mode->setToolTip(tr("extend: positions continue past the training length; interpolate: positions are "
                          "scaled into the trained range"));
    m_metric = new QComboBox;
    m_depth = new QComboBox;
    m_depth->setToolTip(tr("Needle depth (QA): where in the context the answer is hidden"));
    m_depthLabel = new QLabel(tr("Depth"));
    m_seeds = new QComboBox;
    m_seeds->addItem(tr("each seed"), int(Seeds::Each));
    m_seeds->addItem(tr("mean, min-max band"), int(Seeds::MinMax));
    m_seeds->addItem(tr("mean, ±1 sd band"), int(Seeds::Sd));
    m_seeds->addItem(tr("mean, 95% CI band (t)"), int(Seeds::Ci));
    m_seeds->setItemData(3, tr("the t-based 95% interval of the mean over the seeds (n - 1 degrees of freedom)"),
                         Qt::ToolTipRole);
    m_seeds->setCurrentIndex(3);
    m_seeds->setToolTip(tr("Runs that differ only by seed: one curve each, or their mean with a band"));
    m_seedsLabel = new QLabel(tr("Seeds"));
    auto* exportButton = new QPushButton(tr("Export figure..."));
    bar->addWidget(new QLabel(tr("Mode")));
    bar->addWidget(m_mode);
    bar->addWidget(new QLabel(tr("Metric")));
    bar->addWidget(m_metric);
    bar->addWidget(m_depthLabel);
    bar->addWidget(m_depth);
    bar->addWidget(m_seedsLabel);
    bar->addWidget(m_seeds);
    m_reference = new QComboBox;
    m_reference->setToolTip(tr("The table marks with * each value that differs from this group's at the same "
                               "length: paired t-test over the seeds both have (else Welch), Holm over the column, "
                               "p < 0.05; the cell's tooltip gives the difference, its 95% interval and p"));
    m_referenceLabel = new QLabel(tr("vs"));
    bar->addWidget(m_referenceLabel);
    bar->addWidget(m_reference);
    m_clickHint = new QLabel(tr("click a row: highlight the run"));
    // Never widens the page (see ChartsPanel's hint): cut in a narrow window, whole in its tooltip.
    m_clickHint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_clickHint->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    bar->addWidget(m_clickHint, 1);
    bar->addWidget(exportButton);
    top->addLayout(bar);
    m_hint = new QLabel;
    m_hint->setWordWrap(true);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_hint);

    auto* outer = new QSplitter(Qt::Vertical);
    auto* upper = new QSplitter(Qt::Horizontal);
    m_curves = new LineChart;
    m_curves->setMinimumSize(320, 220); // with the table: fits the 1000x700 window beside the config dock
    m_table = new QTableWidget;
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setMinimumWidth(220);
    upper->addWidget(m_curves);
    upper->addWidget(m_table);
    upper->setStretchFactor(0, 3);
    upper->setStretchFactor(1, 2);
    m_loss = new LineChart;
    m_loss->setMinimumSize(320, 160);
    m_loss->setAxisLabels(tr("position in the sequence"), tr("mean loss (nats)"));
    outer->addWidget(upper);
    outer->addWidget(m_loss);
    outer->setStretchFactor(0, 3);
    outer->setStretchFactor(1, 2);
    m_frame = outer;
    top->addWidget(outer, 1);

    connect(exportButton, &QPushButton::clicked, this, &ExtrapolationView::exportFigure);
    connect(m_reference, &QComboBox::activated, this, [this] { m_chosenReference = m_reference->currentText(); });
    for (QComboBox* c : {m_mode, m_metric, m_depth, m_seeds, m_reference})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updating) rebuild();
        });
    connect(m_metric, &QComboBox::activated, this, [this] { m_chosenMetric = m_metric->currentData().toString(); });
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (row >= 0 && row < m_score.runs.size()) highlightRun(m_score.runs[row]);
    });
    connect(&wb.store(), &RunStore::runsChanged, this, [this] {
        m_seen.clear();
        reload();
    });
    // Evaluations run in another process (the CLI): watch the report files.
    m_watch = new QTimer(this);
    m_watch->setInterval(2000);
    connect(m_watch, &QTimer::timeout, this, &ExtrapolationView::reload);
    m_watch->start();
    reload();
}

void ExtrapolationView::reload() {
    bool changed = false;
    for (const QString& name : m_wb.store().names()) {
        const RunView* v = m_wb.store().run(name);
        const QFileInfo fi(QString::fromStdString((RunPaths{v->dir}.eval() / "extrapolation.json").string()));
        const QDateTime t = fi.exists() ? fi.lastModified() : QDateTime();
        if (m_seen.contains(name) && m_seen.value(name) == t) continue;
        m_seen.insert(name, t);
        if (fi.exists()) m_wb.store().reloadReport(name);
        changed = true;
    }
    if (changed || m_score.runs.isEmpty()) {
        rebuildChoices();
        rebuild();
    }
}

void ExtrapolationView::rebuildChoices() {
    // The task shown: the one most evaluated runs have (a project normally has one).
    std::map<std::string, int> tasks;
    std::set<std::string> modes;
    std::set<int64_t> depths;
    std::string reportMetric;
    for (const QString& name : m_wb.store().names())
        if (const RunView* v = m_wb.store().run(name); v->report) ++tasks[v->report->task];
    m_task.clear();
    int best = 0;
    for (const auto& [t, n] : tasks)
        if (n > best) {
            best = n;
            m_task = QString::fromStdString(t);
        }
    for (const QString& name : m_wb.store().names()) {
        const RunView* v = m_wb.store().run(name);
        if (!v->report || QString::fromStdString(v->report->task) != m_task) continue;
        reportMetric = v->report->metric;
        for (const EvalRow& r : v->report->rows) {
            modes.insert(r.mode);
            if (r.depth >= 0) depths.insert(r.depth);
        }
    }
    m_updating = true;
    const QString mode = m_mode->currentText();
    const int64_t depth = m_depth->currentData().isValid() ? m_depth->currentData().toLongLong() : -1;
    m_mode->clear();
    for (const auto& md : modes) m_mode->addItem(QString::fromStdString(md));
    m_mode->setCurrentIndex(std::max(0, m_mode->findText(mode.isEmpty() ? QStringLiteral("extend") : mode)));
    m_metric->clear();
    if (!reportMetric.empty())
        m_metric->addItem(evalMetricName(QString::fromStdString(reportMetric)), QString::fromStdString(reportMetric));
    m_metric->addItem(evalMetricName("loss"), "loss");
    if (reportMetric == "ppl") { // text: the numbers that compare across tokenizers
        m_metric->addItem(evalMetricName("bits_per_byte"), "bits_per_byte");
        m_metric->addItem(evalMetricName("word_ppl"), "word_ppl");
    }
    // Reports can arrive after the first refresh: until the user picks one, follow the reports' metric.
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(m_chosenMetric)));
    m_depth->clear();
    m_depth->addItem(tr("all depths"), qint64(-1));
    for (int64_t d : depths) m_depth->addItem(tr("%1%").arg(d), qint64(d));
    m_depth->setCurrentIndex(std::max(0, m_depth->findData(qint64(depth))));
    m_depth->setVisible(!depths.empty());
    m_depthLabel->setVisible(!depths.empty());
    m_updating = false;
}

QStringList ExtrapolationView::modes() const {
    QStringList out;
    for (int i = 0; i < m_mode->count(); ++i) out << m_mode->itemText(i);
    return out;
}
QString ExtrapolationView::mode() const {
    return m_mode->currentText();
}
void ExtrapolationView::setMode(const QString& mode) {
    m_mode->setCurrentIndex(std::max(0, m_mode->findText(mode)));
}
QString ExtrapolationView::metric() const {
    return m_metric->currentData().toString();
}
void ExtrapolationView::setMetric(const QString& metric) {
    m_chosenMetric = metric;
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(metric)));
}
void ExtrapolationView::setDepth(int64_t depth) {
    m_depth->setCurrentIndex(std::max(0, m_depth->findData(qint64(depth))));
}

void ExtrapolationView::highlightRun(const QString& run) {
    // A seed of a group shown as its mean highlights the group.
    const QString target = m_score.runs.contains(run) ? run : m_wb.document().groupOf(run);
    m_highlight = m_score.runs.contains(target) ? target : QString();
    rebuild();
}

QString ExtrapolationView::metricTitle() const {
    return evalMetricName(metric());
}

void ExtrapolationView::setSeeds(Seeds mode) {
    m_seeds->setCurrentIndex(std::max(0, m_seeds->findData(int(mode))));
}
ExtrapolationView::Seeds ExtrapolationView::seeds() const {
    return static_cast<Seeds>(m_seeds->currentData().toInt());
}

bool ExtrapolationView::hasSeedGroups() const {
    QHash<QString, int> members;
    for (const QString& name : m_wb.store().names())
        if (const RunView* v = m_wb.store().run(name); v->report && ++members[m_wb.document().groupOf(name)] > 1)
            return true;
    return false;
}

QString ExtrapolationView::hint() const {
    return m_hint->text();
}

void ExtrapolationView::rebuild() {
    const QString md = mode(), mt = metric();
    const int64_t depth = m_depth->currentData().isValid() ? m_depth->currentData().toLongLong() : -1;
    const bool image = m_task == "image";
    m_score = {};
    m_score.metric = mt;
    m_score.lengthName = image ? "resolution" : "length";
    m_curves->clear();
    m_loss->clear();
    m_marker = std::nan("");
    QStringList missing, otherTask;
    std::set<int64_t> lengths;
    std::vector<std::map<int64_t, double>> perRun;
    const QStringList names = m_wb.store().names();
    int64_t lossLength = 0;
    // Seed groups (the run plan's): in a grouped mode each group is one curve, its mean, with a band.
    const bool groupsShown = hasSeedGroups();
    m_seeds->setVisible(groupsShown);
    m_seedsLabel->setVisible(groupsShown);
    const bool grouped = groupsShown && seeds() != Seeds::Each;
    std::vector<SeedGroup> groups;
    m_bands.clear();
    m_perSeed.clear();
    m_shownMembers.clear();
    for (int i = 0; i < names.size(); ++i) {
        const RunView* v = m_wb.store().run(names[i]);
        if (!v->report) {
            missing << names[i];
            continue;
        }
        if (QString::fromStdString(v->report->task) != m_task) {
            otherTask << names[i];
            continue;
        }
        const EvalReport& rep = *v->report;
        std::map<int64_t, double> values;
        for (const EvalRow& r : rep.rows)
            if (QString::fromStdString(r.mode) == md && r.depth == depth) values[r.length] = evalMetricValue(r, mt);
        if (values.empty()) continue;
        if (!std::isfinite(m_marker)) {
            m_marker = static_cast<double>(rep.train_length);
            m_trainMin = rep.train_min_length;
            m_unit = QString::fromStdString(rep.length_unit);
        }
        m_shownMembers << names[i];
        if (grouped) {
            const QString g = m_wb.document().groupOf(names[i]);
            auto it = std::find_if(groups.begin(), groups.end(), [&](const SeedGroup& x) { return x.name == g; });
            // The group takes its first run's colour: the runs table's swatch of that seed.
            if (it == groups.end())
                it = groups.insert(groups.end(), SeedGroup{g, m_wb.store().colourOf(names[i]), {}, {}, {}, {}, 0});
            it->runs << names[i];
            for (const auto& [len, val] : values) {
                it->values[len].push_back(val);
                it->runsAt[len].push_back(names[i].toStdString());
                lengths.insert(len);
                m_perSeed.append({names[i], g, QString::number(len), QString::number(val, 'g', 8)});
            }
            if (!rep.loss_by_position.empty()) { // summed here, one mean curve per group below
                if (it->loss.empty()) it->loss.assign(rep.loss_by_position.size(), 0.0);
                if (it->loss.size() == rep.loss_by_position.size()) {
                    for (size_t k = 0; k < it->loss.size(); ++k) it->loss[k] += rep.loss_by_position[k];
                    ++it->lossRuns;
                }
                lossLength = std::max(lossLength, rep.loss_by_position_length);
            }
            continue;
        }
        const QColor colour = seriesColor(m_wb.store().colourOf(names[i]));
        const bool dim = !m_highlight.isEmpty() && m_highlight != names[i];
        QVector<QPointF> pts;
        for (const auto& [len, val] : values) {
            pts.append(QPointF(static_cast<double>(len), val));
            lengths.insert(len);
        }
        m_curves->setPoints(m_curves->addSeries(names[i], dim ? faded(colour) : colour), pts);
        m_score.runs << names[i];
        perRun.push_back(values);
        if (!rep.loss_by_position.empty()) {
            QVector<QPointF> lp;
            lp.reserve(static_cast<qsizetype>(rep.loss_by_position.size()));
            for (size_t k = 0; k < rep.loss_by_position.size(); ++k)
                lp.append(QPointF(static_cast<double>(k), rep.loss_by_position[k]));
            m_loss->setPoints(m_loss->addSeries(names[i], dim ? faded(colour) : colour), lp);
            lossLength = std::max(lossLength, rep.loss_by_position_length);
        }
    }
    for (const SeedGroup& g : groups) perRun.push_back(addGroupCurves(g));
    m_score.lengths = QVector<int64_t>(lengths.begin(), lengths.end());
    for (const auto& values : perRun) {
        QVector<double> row;
        for (int64_t l : m_score.lengths) row << (values.count(l) ? values.at(l) : std::nan(""));
        m_score.values << row;
    }
    decorateCharts(md, mt, depth, lossLength); // sets the training length the marks' notes cite
    markDifferences(groups);
    fillTableWidget(m_table, m_score);
    if (const int row = static_cast<int>(m_score.runs.indexOf(m_highlight)); row >= 0) m_table->selectRow(row);

    showHints(missing, otherTask);
    Q_EMIT rebuilt();
}

// One seed group's curve: the mean over its seeds with a band (min-max, or mean +- sample sd),
// and its mean loss by position; returns the means by length for the score table.
std::map<int64_t, double> ExtrapolationView::addGroupCurves(const SeedGroup& g) {
    // Mean curve with its band: min-max, or mean +- sample sd (n - 1).
    const QColor colour = seriesColor(g.colourIndex);
    const bool dim = !m_highlight.isEmpty() && m_highlight != g.name;
    QVector<QPointF> mean, lo, hi;
    std::map<int64_t, double> row;
    for (const auto& [len, vals] : g.values) {
        const SeedSummary sp = summarize_seeds(vals); // NaN values (a diverged seed) left out
        const double m = sp.mean;
        double l = sp.min, h = sp.max;
        if (seeds() == Seeds::Sd) {
            l = m - sp.sd;
            h = m + sp.sd;
        } else if (seeds() == Seeds::Ci) { // one seed has no interval from seeds: no band
            l = std::isfinite(sp.ci95.lo) ? sp.ci95.lo : m;
            h = std::isfinite(sp.ci95.hi) ? sp.ci95.hi : m;
        }
        // A band never claims values the metric cannot take (three bimodal seeds: 67 +- 143%).
        const Interval cut = within_metric_range({l, h}, m_metric->currentData().toString().toStdString());
        l = cut.lo;
        h = cut.hi;
        mean.append(QPointF(static_cast<double>(len), m));
        lo.append(QPointF(static_cast<double>(len), l));
        hi.append(QPointF(static_cast<double>(len), h));
        row[len] = m;
        m_bands.append({g.name, len, m, l, h, static_cast<int>(vals.size())});
    }
    const int id =
        m_curves->addSeries(QString("%1 (n=%2)").arg(g.name).arg(g.runs.size()), dim ? faded(colour) : colour);
    m_curves->setPoints(id, mean);
    m_curves->setBand(id, lo, hi);
    if (g.lossRuns > 0) {
        QVector<QPointF> lp;
        for (size_t k = 0; k < g.loss.size(); ++k) lp.append(QPointF(static_cast<double>(k), g.loss[k] / g.lossRuns));
        m_loss->setPoints(
            m_loss->addSeries(QString("%1 (mean of %2)").arg(g.name).arg(g.lossRuns), dim ? faded(colour) : colour),
            lp);
    }
    m_score.runs << g.name;
    return row;
}

void ExtrapolationView::markDifferences(const std::vector<SeedGroup>& groups) {
    m_score.marks.clear();
    m_score.notes.clear();
    m_score.note.clear();
    // The reference choices: the groups shown (kept across rebuilds when still there).
    {
        const QSignalBlocker block(m_reference);
        const QString keep = m_chosenReference.isEmpty() && !groups.empty() ? groups.front().name : m_chosenReference;
        m_reference->clear();
        m_reference->addItem(tr("(none)"));
        for (const SeedGroup& g : groups) m_reference->addItem(g.name);
        m_reference->setCurrentIndex(std::max(0, m_reference->findText(keep)));
    }
    m_reference->setVisible(groups.size() > 1);
    m_referenceLabel->setVisible(groups.size() > 1);
    const QString ref = reference();
    if (ref.isEmpty() || groups.size() < 2) return;
    std::vector<GroupSummary> summaries;
    for (const SeedGroup& g : groups) {
        GroupSummary s;
        s.group = g.name.toStdString();
        s.metric = m_metric->currentData().toString().toStdString();
        for (const auto& [len, vals] : g.values) {
            SummaryCell c;
            c.mode = "shown";
            c.length = len;
            c.values = vals;
            c.runs = g.runsAt.at(len);
            const SeedSummary st = summarize_seeds(vals);
            c.mean = st.mean;
            s.cells.push_back(c);
        }
        summaries.push_back(s);
    }
    m_score.marks = QVector<QVector<QString>>(m_score.runs.size(), QVector<QString>(m_score.lengths.size()));
    m_score.notes = m_score.marks;
    const int refRow = static_cast<int>(m_score.runs.indexOf(ref));
    for (const PairComparison& c : compare_against(summaries, ref.toStdString())) {
        const int row = static_cast<int>(m_score.runs.indexOf(QString::fromStdString(c.b)));
        const int col = static_cast<int>(m_score.lengths.indexOf(c.length));
        if (row < 0 || col < 0) continue;
        if (c.stats.p_adjusted < 0.05) m_score.marks[row][col] = QStringLiteral("*");
        PairComparison flipped = c; // read from the marked row's side: "b < a" or "b > a"
        std::swap(flipped.a, flipped.b);
        flipped.stats.diff = -c.stats.diff;
        flipped.stats.ci95 = {-c.stats.ci95.hi, -c.stats.ci95.lo};
        flipped.mode = m_mode->currentText().toStdString();
        m_score.notes[row][col] = QString::fromStdString(comparison_line(flipped, m_score.trainLength));
        if (refRow >= 0) m_score.notes[refRow][col] = tr("the reference of the marks in this column");
    }
    m_score.note =
        tr("* differs from %1 (paired t-test over shared seeds, else Welch; Holm per column; p < 0.05)").arg(ref);
}

void ExtrapolationView::setReference(const QString& group) {
    m_chosenReference = group.isEmpty() ? tr("(none)") : group; // empty is the default: the first group
    rebuild();
}

QString ExtrapolationView::reference() const {
    return m_reference->currentIndex() > 0 ? m_reference->currentText() : QString();
}

Figure ExtrapolationView::curvesFigure() const {
    Figure f;
    if (m_score.runs.isEmpty()) return f;
    const int64_t depth = m_depth->currentData().isValid() ? m_depth->currentData().toLongLong() : -1;
    f.stem =
        "extrapolation-all-curves-" + fileSlug(mode()) + (depth >= 0 ? QString("-depth-%1").arg(depth) : QString());
    f.title = m_curves->title();
    f.description = configHashes(m_wb, m_shownMembers);
    f.size = m_curves->isVisible() ? QSizeF(m_curves->size()) : QSizeF(760, 480);
    f.render = widgetRender(m_curves);
    f.tables = {lineChartTable(*m_curves, m_score.lengthName, metric())};
    if (!m_bands.isEmpty()) {
        // The band of each curve and the values it summarises, beside the curves' own CSV.
        const bool sd = seeds() == Seeds::Sd, ci = seeds() == Seeds::Ci;
        FigureTable bands{"bands",
                          {"group", m_score.lengthName, "n", "mean",
                           sd   ? "mean_minus_sd"
                           : ci ? "ci95_lo"
                                : "min",
                           sd   ? "mean_plus_sd"
                           : ci ? "ci95_hi"
                                : "max"},
                          {}};
        for (const Band& b : m_bands)
            bands.rows.append({b.group, QString::number(b.length), QString::number(b.n),
                               QString::number(b.mean, 'g', 8), QString::number(b.lower, 'g', 8),
                               QString::number(b.upper, 'g', 8)});
        f.tables.append(bands);
        f.tables.append(FigureTable{"per-seed", {"run", "group", m_score.lengthName, metric()}, m_perSeed});
    }
    return f;
}

Figure ExtrapolationView::tableFigure() const {
    Figure f;
    if (m_score.runs.isEmpty()) return f;
    f.stem = "extrapolation-all-table-" + fileSlug(mode());
    f.title = m_score.title;
    f.description = configHashes(m_wb, m_shownMembers);
    f.size = scoreTableSize(m_score, *this);
    const ScoreTable table = m_score;
    f.render = [table, this](QPainter& p, const QRectF& r) { renderScoreTable(p, r, table, *this); };
    FigureTable csv = m_score.csv();
    csv.suffix.clear();
    f.tables = {csv};
    return f;
}

Figure ExtrapolationView::figure() const {
    Figure f = curvesFigure();
    if (f.isNull()) return f;
    f.stem = "extrapolation-all-" + fileSlug(mode());
    f.size = m_frame->size();
    const ScoreTable table = m_score;
    f.render = renderAsShown(m_frame, {qMakePair(static_cast<const QWidget*>(m_curves), RenderFunction()),
                                       qMakePair(static_cast<const QWidget*>(m_table),
                                                 RenderFunction([table, this](QPainter& p, const QRectF& r) {
                                                     renderScoreTable(p, r, table, *this);
                                                 })),
                                       qMakePair(static_cast<const QWidget*>(m_loss), RenderFunction())});
    f.tables << m_score.csv();
    if (m_loss->seriesCount() > 0) {
        FigureTable loss = lineChartTable(*m_loss, lowerX(), lowerY());
        loss.suffix = lowerSuffix();
        f.tables << loss;
    }
    return f;
}

void ExtrapolationView::exportFigure() {
    exportFigureInteractively(this, figure(), FigureExporter::defaultDirectory(m_wb));
}

} // namespace seqpe::ui
