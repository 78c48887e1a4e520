#include "charts_panel.h"

#include "seqpe/widgets/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
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
    };
    auto* top = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
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
    bar->addStretch();
    bar->addWidget(new QLabel(tr("wheel: zoom · drag: pan · double-click: reset · click legend: hide")));
    top->addLayout(bar);
    auto* grid = new QGridLayout;
    for (size_t i = 0; i < m_metrics.size(); ++i) {
        auto* c = new LineChart;
        c->setTitle(m_metrics[i].title);
        c->setAxisLabels(tr("step"), m_metrics[i].yLabel);
        c->setLogY(m_metrics[i].logY);
        c->setMinimumSize(260, 180);
        grid->addWidget(c, static_cast<int>(i / 3), static_cast<int>(i % 3));
        m_charts.push_back(c);
    }
    top->addLayout(grid, 1);
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

void ChartsPanel::setSmoothing(LineChart::Smoothing mode, double amount) {
    for (size_t i = 0; i < m_charts.size(); ++i)
        if (m_metrics[i].kind == "train" && m_metrics[i].keys[0] != "lr") m_charts[i]->setSmoothing(mode, amount);
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
