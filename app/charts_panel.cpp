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
        const auto mode = m == 0 ? LineChart::Smoothing::None : m == 1 ? LineChart::Smoothing::Ema : LineChart::Smoothing::MovingAverage;
        const double amount = m == 1 ? m_amount->value() / 100.0 : 1 + m_amount->value();
        setSmoothing(mode, amount);
    };
    connect(m_smoothing, &QComboBox::currentIndexChanged, this, apply);
    connect(m_amount, &QSlider::valueChanged, this, apply);
    connect(m_log, &QCheckBox::toggled, this, &ChartsPanel::setLogScale);
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

void ChartsPanel::rebuild() {
    for (auto* c : m_charts) c->clear();
    m_series.clear();
    m_consumed.clear();
    const QStringList names = m_wb.store().names();
    for (int r = 0; r < names.size(); ++r)
        for (int i = 0; i < chartCount(); ++i) m_series[{i, names[r]}] = m_charts[static_cast<size_t>(i)]->addSeries(names[r], seriesColor(r));
    for (const QString& n : names) append(n);
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
}

} // namespace seqpe::ui
