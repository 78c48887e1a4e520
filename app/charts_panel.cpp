// ChartsPanel: the training and diagnostics charts, each run's new records appended, and the
// seed-group means.
#include "charts_panel.h"

#include "seqpe/widgets/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace seqpe::ui {

ChartsPanel::ChartsPanel(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    m_metrics = {
        {"Task loss", "cross-entropy", "train", {"loss_task"}, true},
        {"Validation", "metric", "eval", {"ppl", "accuracy", "em"}, false},
        {"SeqPE contrastive loss", "loss", "train", {"loss_contrastive"}, true},
        {"SeqPE distillation loss", "loss", "train", {"loss_distill"}, true},
        {"Learning rate", "lr", "train", {"lr"}, false},
        {"Throughput", "tokens/s", "train", {"tokens_per_s"}, false},
        // What tells whether the encoding is being used (train.diagnostics_every; docs/METHOD.md).
        {"PE share of the attention logits", "PE / content", "diag", {"pe_share", "pe_share_input"}, true, 1},
        {"Contrastive top-1 accuracy", "chance: 1/candidates", "diag", {"contrastive_acc"}, false, 1},
        {"PE gradient from the main task", "share of norms", "diag", {"share_main"}, false, 1},
        {"PE gradient from the contrastive loss", "share of norms", "diag", {"share_contrastive"}, false, 1},
        {"Rank correlation with distance", "Spearman", "diag", {"rank_corr"}, false, 1},
        {"First principal component of e(p)", "variance share", "diag", {"pc1_share"}, false, 1},
    };
    auto* top = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    m_group = new QComboBox;
    m_group->addItems({tr("Training"), tr("PE diagnostics")});
    m_group->setToolTip(tr("PE diagnostics: whether the runs use their positions (SeqPE: PE share of the attention "
                           "logits, contrastive accuracy, gradient shares; every run: rank correlation, PC1 share)"));
    bar->addWidget(m_group);
    bar->addWidget(new QLabel(tr("Smoothing")));
    m_smoothing = new QComboBox;
    m_smoothing->addItems({tr("none"), tr("EMA (bias-corrected)"), tr("moving average")});
    m_smoothing->setCurrentIndex(1);
    bar->addWidget(m_smoothing);
    m_amount = new QSlider(Qt::Horizontal);
    m_amount->setRange(0, 99);
    m_amount->setValue(90);
    m_amount->setMaximumWidth(160);
    m_amount->setToolTip(tr("EMA weight (0-0.99) or moving-average window"));
    bar->addWidget(m_amount);
    m_log = new QCheckBox(tr("log scale (losses)"));
    m_log->setChecked(true);
    bar->addWidget(m_log);
    m_seedMeans = new QCheckBox(tr("seed means"));
    m_seedMeans->setChecked(true);
    m_seedMeans->setToolTip(tr("Runs that differ only by seed: their mean in the group's colour, each seed faintly"));
    bar->addWidget(m_seedMeans);
    auto* hint = new QLabel(tr("wheel: zoom · drag: pan · double-click: reset · click legend: hide"));
    // Never widens the page (a wrapping label would make the scroll page height-for-width and
    // taller than the window): cut in a narrow window, whole in its tooltip.
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    hint->setToolTip(hint->text());
    bar->addWidget(hint, 1);
    top->addLayout(bar);
    m_pages = new QStackedWidget;
    QGridLayout* grids[2] = {nullptr, nullptr};
    int placed[2] = {0, 0};
    for (int g = 0; g < 2; ++g) {
        auto* page = new QWidget;
        grids[g] = new QGridLayout(page);
        grids[g]->setContentsMargins(0, 0, 0, 0);
        m_pages->addWidget(page);
    }
    for (size_t i = 0; i < m_metrics.size(); ++i) {
        auto* c = new LineChart;
        c->setTitle(m_metrics[i].title);
        c->setAxisLabels(tr("step"), m_metrics[i].yLabel);
        c->setLogY(m_metrics[i].logY);
        c->setMinimumSize(200, 150);
        const int g = m_metrics[i].group;
        grids[g]->addWidget(c, placed[g] / 3, placed[g] % 3);
        ++placed[g];
        m_charts.push_back(c);
    }
    top->addWidget(m_pages, 1);
    connect(m_group, &QComboBox::currentIndexChanged, this, &ChartsPanel::showGroup);
    auto apply = [this] {
        const int m = m_smoothing->currentIndex();
        const auto mode = m == 0   ? LineChart::Smoothing::None
                          : m == 1 ? LineChart::Smoothing::Ema
                                   : LineChart::Smoothing::MovingAverage;
        const double amount = m == 1 ? m_amount->value() / 100.0 : 1 + m_amount->value();
        setSmoothing(mode, amount);
    };
    connect(m_smoothing, &QComboBox::currentIndexChanged, this, apply);
    connect(m_amount, &QSlider::valueChanged, this, apply);
    connect(m_log, &QCheckBox::toggled, this, &ChartsPanel::setLogScale);
    connect(m_seedMeans, &QCheckBox::toggled, this, &ChartsPanel::setSeedMeans);
    apply();
    connect(&wb.store(), &RunStore::runsChanged, this, &ChartsPanel::rebuild);
    connect(&wb.store(), &RunStore::recordsAdded, this, [this](const QString& run, int) { append(run); });
    rebuild();
}

void ChartsPanel::showGroup(int group) {
    m_pages->setCurrentIndex(group);
    if (m_group->currentIndex() != group) m_group->setCurrentIndex(group);
}

void ChartsPanel::setSmoothing(LineChart::Smoothing mode, double amount) {
    for (size_t i = 0; i < m_charts.size(); ++i)
        if ((m_metrics[i].kind == "train" || m_metrics[i].kind == "diag") && m_metrics[i].keys[0] != "lr")
            m_charts[i]->setSmoothing(mode, amount);
}

void ChartsPanel::setLogScale(bool on) {
    for (size_t i = 0; i < m_charts.size(); ++i)
        if (m_metrics[i].logY) m_charts[i]->setLogY(on);
}

void ChartsPanel::setSeedMeans(bool on) {
    if (m_seedMeans->isChecked() != on)
        m_seedMeans->setChecked(on);
    else
        rebuild();
}

int ChartsPanel::meanSeries(int chart, const QString& group) const {
    const auto it = m_means.find({chart, group});
    return it == m_means.end() ? -1 : it->second;
}

void ChartsPanel::rebuild() {
    for (auto* c : m_charts) c->clear();
    m_series.clear();
    m_consumed.clear();
    m_means.clear();
    m_groups.clear();
    m_groupOf.clear();
    const QStringList names = m_wb.store().names();
    for (const QString& n : names)
        if (const QString g = m_wb.document().groupOf(n); g != n) m_groups[g] << n;
    for (auto it = m_groups.begin(); it != m_groups.end();)
        it = it->second.size() > 1 ? std::next(it) : m_groups.erase(it);
    for (const auto& [g, runs] : m_groups)
        for (const QString& r : runs) m_groupOf[r] = g;
    m_seedMeans->setVisible(!m_groups.empty());
    const bool means = !m_groups.empty() && m_seedMeans->isChecked();
    // The means first: the legend lists them before the faint seeds.
    if (means)
        for (int r = 0; r < names.size(); ++r) { // in the runs table's order, at each group's first run
            const auto g = m_groupOf.find(names[r]);
            if (g == m_groupOf.end() || m_groups[g->second].front() != names[r]) continue;
            for (int i = 0; i < chartCount(); ++i)
                m_means[{i, g->second}] = m_charts[static_cast<size_t>(i)]->addSeries(
                    tr("%1 (mean of %2)").arg(g->second).arg(m_groups[g->second].size()),
                    seriesColor(m_wb.store().colourOf(names[r])));
        }
    for (int r = 0; r < names.size(); ++r) {
        // With seed means, a seed is drawn faintly in its group's colour (its first run's swatch).
        QColor c = seriesColor(m_wb.store().colourOf(names[r]));
        if (means && m_groupOf.count(names[r])) {
            c = seriesColor(m_wb.store().colourOf(m_groups[m_groupOf[names[r]]].front()));
            c.setAlphaF(0.25f);
        }
        for (int i = 0; i < chartCount(); ++i)
            m_series[{i, names[r]}] = m_charts[static_cast<size_t>(i)]->addSeries(names[r], c);
    }
    for (const QString& n : names) append(n);
}

void ChartsPanel::updateMeans(const QString& group) {
    // The mean at the steps every seed has logged (a seed still training bounds the curve).
    const QStringList& runs = m_groups[group];
    for (int i = 0; i < chartCount(); ++i) {
        const auto id = m_means.find({i, group});
        if (id == m_means.end()) continue;
        std::map<double, std::pair<double, int>> at; // step -> (sum, count)
        for (const QString& r : runs)
            for (const QPointF& p : m_charts[static_cast<size_t>(i)]->points(m_series[{i, r}])) {
                auto& [sum, n] = at[p.x()];
                sum += p.y();
                ++n;
            }
        QVector<QPointF> mean;
        for (const auto& [step, sn] : at)
            if (sn.second == runs.size()) mean.append(QPointF(step, sn.first / sn.second));
        m_charts[static_cast<size_t>(i)]->setPoints(id->second, mean);
    }
}

void ChartsPanel::append(const QString& run) {
    const RunView* v = m_wb.store().run(run);
    if (!v) return;
    size_t& done = m_consumed[run];
    if (done > v->records.size()) { // the run's records were reloaded (a resume rewrote them)
        for (int i = 0; i < chartCount(); ++i) m_charts[static_cast<size_t>(i)]->setPoints(m_series[{i, run}], {});
        done = 0;
    }
    for (int i = 0; i < chartCount(); ++i) {
        const Metric& m = m_metrics[static_cast<size_t>(i)];
        QVector<QPointF> pts;
        for (size_t k = done; k < v->records.size(); ++k) {
            const Record& r = v->records[k];
            if (r.kind != m.kind) continue;
            for (const auto& key : m.keys)
                if (auto val = r.get(key)) {
                    pts.append(QPointF(static_cast<double>(r.step), *val));
                    break;
                }
        }
        if (!pts.isEmpty()) m_charts[static_cast<size_t>(i)]->appendPoints(m_series[{i, run}], pts);
    }
    done = v->records.size();
    if (const auto g = m_groupOf.find(run); g != m_groupOf.end() && !m_means.empty()) updateMeans(g->second);
}

} // namespace seqpe::ui
