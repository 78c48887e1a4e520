// SweepView: the sweep grid's rows (seed means from each run's evaluation report), the sortable and
// filterable table, the chart of a metric against a swept option, and its figure.
#include "sweep_view.h"

#include "figure_exporter.h"

#include "seqpe/report_summary.h"
#include "seqpe/stats.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/theme.h"

#include <QComboBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace seqpe::ui {

namespace {

double mean(const QVector<double>& v) {
    return spread_of(std::vector<double>(v.begin(), v.end())).mean;
}

// Sorts by the number it shows (Qt's default compares text: "10" < "9").
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double value) : QTableWidgetItem(text) { setData(Qt::UserRole, value); }
    bool operator<(const QTableWidgetItem& o) const override {
        const double a = data(Qt::UserRole).toDouble(), b = o.data(Qt::UserRole).toDouble();
        if (std::isnan(a) || std::isnan(b)) return !std::isnan(a) && std::isnan(b); // blanks last
        return a < b;
    }
};

// A swept value as a number for the x axis, when it is one.
std::optional<double> number(const QString& v) {
    bool ok = false;
    const double d = v.toDouble(&ok);
    return ok && std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

} // namespace

SweepView::SweepView(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_what = new QComboBox;
    m_x = new QComboBox;
    m_lines = new QComboBox;
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter rows (text in any cell)"));
    m_filter->setClearButtonEnabled(true);
    auto* exportButton = new QPushButton(tr("Export figure..."));
    bar->addWidget(new QLabel(tr("Metric")));
    bar->addWidget(m_what);
    bar->addWidget(new QLabel(tr("against")));
    bar->addWidget(m_x);
    bar->addWidget(new QLabel(tr("lines by")));
    bar->addWidget(m_lines);
    m_band = new QComboBox;
    m_band->addItem(tr("95% CI (t)"), "ci");
    m_band->addItem(tr("±1 sd"), "sd");
    m_band->addItem(tr("min-max"), "minmax");
    m_band->setToolTip(tr("The band around each point's mean over its seeds: the t-based 95% interval of the "
                          "mean (n - 1 degrees of freedom), one sample standard deviation, or the range"));
    bar->addWidget(new QLabel(tr("band")));
    bar->addWidget(m_band);
    bar->addWidget(m_filter, 1);
    bar->addWidget(exportButton);
    top->addLayout(bar);
    m_hint = new QLabel;
    m_hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // never widens the page
    top->addWidget(m_hint);
    auto* split = new QSplitter(Qt::Horizontal);
    m_chart = new LineChart;
    m_chart->setMinimumSize(360, 260);
    m_table = new QTableWidget;
    m_table->setSortingEnabled(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setMinimumWidth(420); // the swept values, seeds and metrics without scrolling in a common window
    split->addWidget(m_chart);
    split->addWidget(m_table);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    top->addWidget(split, 1);

    for (QComboBox* c : {m_what, m_x, m_lines, m_band})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updating) rebuildChart();
        });
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        for (int r = 0; r < m_table->rowCount(); ++r) {
            bool match = text.isEmpty();
            for (int c = 0; c < m_table->columnCount() && !match; ++c)
                if (const auto* it = m_table->item(r, c)) match = it->text().contains(text, Qt::CaseInsensitive);
            m_table->setRowHidden(r, !match);
        }
    });
    connect(exportButton, &QPushButton::clicked, this, &SweepView::exportFigure);
    connect(&wb.store(), &RunStore::runsChanged, this, &SweepView::reload);
    connect(&wb, &Workbench::evaluationFinished, this, &SweepView::reload);
    connect(&wb, &Workbench::sessionFinished, this, &SweepView::reload);
    reload();
}

void SweepView::reload() {
    const RunPlan& plan = m_wb.document().plan();
    m_options.clear();
    for (const auto& [path, values] : plan.project.sweep) m_options << QString::fromStdString(path);
    m_rows.clear();
    m_metric.clear();
    std::map<QString, int> index;
    std::set<qint64> lengths;
    for (const auto& pr : plan.runs) {
        const QString g = QString::fromStdString(pr.group);
        auto [it, fresh] = index.emplace(g, m_rows.size());
        if (fresh) {
            Row row;
            row.group = g;
            row.run = QString::fromStdString(pr.run);
            for (const auto& [path, v] : pr.swept) row.values << QString::fromStdString(sweep_value_label(v));
            m_rows.append(row);
        }
        Row& row = m_rows[it->second];
        ++row.planned;
        const RunView* v = m_wb.store().run(QString::fromStdString(pr.name));
        if (!v) continue;
        if (const Record* e = v->lastOf("eval")) {
            if (auto p = e->get("ppl"))
                row.valid << *p;
            else if (auto a = e->get("accuracy"))
                row.valid << 100 * *a;
            else if (auto m = e->get("em"))
                row.valid << 100 * *m;
        }
        if (!v->report) continue;
        ++row.evaluated;
        m_metric = v->report->metric;
        const bool hasExtend = std::any_of(v->report->rows.begin(), v->report->rows.end(),
                                           [](const EvalRow& r) { return r.mode == "extend"; });
        for (const EvalRow& r : v->report->rows)
            if (r.depth < 0 && (r.mode == "extend" || !hasExtend)) {
                row.at[r.length] << (v->report->metric == "ppl" ? r.ppl : 100 * r.accuracy);
                lengths.insert(r.length);
            }
    }
    m_lengths = QVector<qint64>(lengths.begin(), lengths.end());
    if (m_metric.empty()) m_metric = m_wb.document().config(QString()).task == "lm" ? "ppl" : "accuracy";

    m_updating = true;
    const QString what = m_what->currentData().toString(), x = m_x->currentData().toString(),
                  lines = m_lines->currentData().toString();
    const bool first = m_lines->count() <= 1; // no sweep shown yet: take the defaults
    m_what->clear();
    m_what->addItem(tr("final validation %1").arg(metricName()), "valid");
    for (qint64 l : m_lengths) m_what->addItem(tr("%1 at %2").arg(metricName()).arg(l), QString("L=%1").arg(l));
    m_x->clear();
    m_lines->clear();
    m_lines->addItem(tr("(project run)"), QString());
    for (const QString& o : m_options) {
        m_x->addItem(o, o);
        m_lines->addItem(o, o);
    }
    m_what->setCurrentIndex(std::max(0, m_what->findData(what)));
    m_x->setCurrentIndex(std::max(0, m_x->findData(x)));
    // First view of a grid of two or more options: the first on the axis, the second as the lines.
    m_lines->setCurrentIndex(first && m_options.size() >= 2 ? 2 : std::max(0, m_lines->findData(lines)));
    m_updating = false;
    m_hint->setText(
        m_options.isEmpty()
            ? tr("This project has no sweep. Add \"sweep\": {\"optim.lr\": [0.001, 0.002]} to the project "
                 "file (docs/CONFIG.md): every combination of the values becomes a run.")
            : tr("%1 grid points x %2 project run(s); each value is the mean over the evaluated seeds, with "
                 "the chosen band; options on neither axis are pooled into the points.")
                  .arg(m_rows.size() / std::max<qsizetype>(1, plan.project.runs.size()))
                  .arg(plan.project.runs.size()));
    m_hint->setToolTip(m_hint->text());
    rebuildTable();
    rebuildChart();
}

QString SweepView::metricName() const {
    return m_metric == "ppl" ? tr("perplexity") : m_metric == "em" ? tr("exact match %") : tr("accuracy %");
}

void SweepView::rebuildTable() {
    m_table->setSortingEnabled(false);
    QStringList header{tr("run")};
    for (const QString& o : m_options) header << o.section('.', -1);
    header << tr("seeds") << tr("valid %1").arg(metricName());
    for (qint64 l : m_lengths) header << QString::number(l);
    m_table->clear();
    m_table->setColumnCount(header.size());
    m_table->setHorizontalHeaderLabels(header);
    for (int i = 0; i < m_options.size(); ++i) m_table->horizontalHeaderItem(1 + i)->setToolTip(m_options[i]);
    m_table->setRowCount(m_rows.size());
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row& row = m_rows[r];
        int c = 0;
        m_table->setItem(r, c++, new QTableWidgetItem(row.run));
        for (const QString& v : row.values) {
            const auto n = number(v);
            m_table->setItem(r, c++, n ? new NumberItem(v, *n) : new QTableWidgetItem(v));
        }
        m_table->setItem(r, c++, new NumberItem(QString("%1/%2").arg(row.evaluated).arg(row.planned), row.evaluated));
        const double valid = mean(row.valid);
        m_table->setItem(r, c++, new NumberItem(std::isnan(valid) ? QString() : QString::number(valid, 'f', 2), valid));
        for (qint64 l : m_lengths) {
            const double m = mean(row.at.value(l));
            m_table->setItem(r, c++, new NumberItem(std::isnan(m) ? QString() : QString::number(m, 'f', 2), m));
        }
    }
    m_table->setSortingEnabled(true);
    m_table->resizeColumnsToContents();
    Q_EMIT m_filter->textChanged(m_filter->text()); // keep the filter applied
}

void SweepView::setXOption(const QString& path) {
    m_x->setCurrentIndex(std::max(0, m_x->findData(path)));
}
void SweepView::setLinesBy(const QString& path) {
    m_lines->setCurrentIndex(std::max(0, m_lines->findData(path)));
}
void SweepView::setMetric(const QString& key) {
    m_what->setCurrentIndex(std::max(0, m_what->findData(key)));
}
QString SweepView::hint() const {
    return m_hint->text();
}

void SweepView::rebuildChart() {
    m_chart->clear();
    const int xi = static_cast<int>(m_options.indexOf(m_x->currentData().toString()));
    const int li = static_cast<int>(m_options.indexOf(m_lines->currentData().toString()));
    const QString what = m_what->currentData().toString();
    m_chart->setTitle(tr("%1 against %2").arg(m_what->currentText(), xi >= 0 ? m_options[xi] : tr("(no sweep)")));
    m_chart->setAxisLabels(xi >= 0 ? m_options[xi] : QString(), metricName());
    if (xi < 0) return;
    // x: the value itself when every value is a number, else its position in the sweep's list.
    const auto& sweep = m_wb.document().plan().project.sweep;
    QStringList xValues;
    for (const auto& v : sweep[static_cast<size_t>(xi)].second) xValues << QString::fromStdString(sweep_value_label(v));
    const bool numeric =
        std::all_of(xValues.begin(), xValues.end(), [](const QString& v) { return number(v).has_value(); });
    bool positive = numeric;
    for (const QString& v : xValues) positive = positive && *number(v) > 0;
    // Lines: project run (and the lines-by value); points: the x value; samples: every seed's value.
    std::map<QString, std::map<double, QVector<double>>> lines;
    QStringList order;
    for (const Row& row : m_rows) {
        const QString key =
            row.run + (li >= 0 ? QString(" %1=%2").arg(m_options[li].section('.', -1), row.values[li]) : QString());
        if (!lines.count(key)) order << key;
        const double x = numeric ? *number(row.values[xi]) : static_cast<double>(xValues.indexOf(row.values[xi]));
        const QVector<double>& samples = what == "valid" ? row.valid : row.at.value(what.mid(2).toLongLong());
        lines[key][x] << samples;
    }
    for (int i = 0; i < order.size(); ++i) {
        QVector<QPointF> mid, lo, hi;
        for (const auto& [x, samples] : lines[order[i]]) {
            if (samples.isEmpty()) continue;
            const SeedSummary sp = summarize_seeds(std::vector<double>(samples.begin(), samples.end()));
            const QString band = m_band->currentData().toString();
            double l = sp.min, h = sp.max;
            if (band == "sd") {
                l = sp.mean - sp.sd;
                h = sp.mean + sp.sd;
            } else if (band == "ci") { // one seed: no interval from seeds, no band
                l = std::isfinite(sp.ci95.lo) ? sp.ci95.lo : sp.mean;
                h = std::isfinite(sp.ci95.hi) ? sp.ci95.hi : sp.mean;
            }
            mid.append(QPointF(x, sp.mean));
            lo.append(QPointF(x, l));
            hi.append(QPointF(x, h));
        }
        if (mid.isEmpty()) continue;
        const int id = m_chart->addSeries(order[i], seriesColor(i));
        m_chart->setPoints(id, mid);
        if (std::any_of(lines[order[i]].begin(), lines[order[i]].end(),
                        [](const auto& p) { return p.second.size() > 1; }))
            m_chart->setBand(id, lo, hi);
    }
    // Learning rates and scales span decades: a log axis when the values are positive and do.
    double lo = INFINITY, hi = 0;
    for (const QString& v : xValues)
        if (positive) lo = std::min(lo, *number(v)), hi = std::max(hi, *number(v));
    m_chart->setLogX(positive && hi / lo >= 10);
    m_chart->setLogY(m_metric == "ppl");
    m_chart->autoRange();
}

Figure SweepView::chartFigure() const {
    Figure f;
    if (m_chart->seriesCount() == 0) return f;
    f.stem = "sweep-chart-" + fileSlug(m_what->currentData().toString() + "-" + m_x->currentText());
    f.title = m_chart->title();
    f.size = m_chart->isVisible() ? QSizeF(m_chart->size()) : QSizeF(760, 480);
    f.render = widgetRender(m_chart);
    f.tables = {lineChartTable(*m_chart, m_x->currentText(), m_what->currentData().toString())};
    // Every seed's value behind the points, so that the bands can be recomputed.
    FigureTable perSeed{"per-seed", {"group"}, {}};
    for (const QString& o : m_options) perSeed.header << o;
    perSeed.header << "metric"
                   << "value";
    for (const Row& row : m_rows) {
        auto add = [&](const QString& metric, const QVector<double>& values) {
            for (double v : values) {
                QVector<QString> line{row.group};
                for (const QString& x : row.values) line << x;
                line << metric << csvNumber(v);
                perSeed.rows << line;
            }
        };
        add("valid", row.valid);
        for (auto it = row.at.begin(); it != row.at.end(); ++it) add(QString("L=%1").arg(it.key()), it.value());
    }
    f.tables << perSeed;
    return f;
}

Figure SweepView::tableFigure() const {
    Figure f;
    if (m_rows.isEmpty()) return f;
    f.stem = "sweep-table";
    f.title = tr("Sweep: mean over seeds");
    FigureTable t{QString(), {}, {}};
    for (int c = 0; c < m_table->columnCount(); ++c) t.header << m_table->horizontalHeaderItem(c)->text();
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->isRowHidden(r)) continue;
        QVector<QString> line;
        for (int c = 0; c < m_table->columnCount(); ++c)
            line << (m_table->item(r, c) ? m_table->item(r, c)->text() : QString());
        t.rows << line;
    }
    f.tables = {t};
    const QFontMetricsF fm(font());
    QVector<double> widths;
    for (int c = 0; c < t.header.size(); ++c) {
        double w = fm.horizontalAdvance(t.header[c]);
        for (const auto& line : t.rows) w = std::max(w, fm.horizontalAdvance(line[c]));
        widths << w + 16;
    }
    double total = 0;
    for (double w : widths) total += w;
    const double lineH = fm.height() + 6;
    f.size = QSizeF(total + 8, lineH * (t.rows.size() + 1) + 8);
    const QFont font = this->font();
    f.render = [t, widths, lineH, font, total](QPainter& p, const QRectF& r) {
        p.save();
        p.translate(r.topLeft());
        p.scale(r.width() / (total + 8), r.height() / (lineH * (t.rows.size() + 1) + 8));
        p.setFont(font);
        p.fillRect(QRectF(0, 0, total + 8, lineH * (t.rows.size() + 1) + 8), Qt::white);
        p.setPen(Qt::black);
        double y = 4;
        auto drawLine = [&](const QVector<QString>& cells, bool bold) {
            QFont ft = font;
            ft.setBold(bold);
            p.setFont(ft);
            double x = 4;
            for (int c = 0; c < cells.size(); ++c) {
                p.drawText(QRectF(x, y, widths[c], lineH),
                           c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter, cells[c]);
                x += widths[c];
            }
            y += lineH;
        };
        drawLine(QVector<QString>(t.header.begin(), t.header.end()), true);
        for (const auto& line : t.rows) drawLine(line, false);
        p.restore();
    };
    return f;
}

Figure SweepView::figure() const {
    return chartFigure();
}

void SweepView::exportFigure() {
    exportFigureInteractively(this, figure(), FigureExporter::defaultDirectory(m_wb));
}

} // namespace seqpe::ui
