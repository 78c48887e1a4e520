// ExtrapolationView's charts: titles, axes, the training marker and shading, the hints above, and
// the lower chart (loss by position, QA accuracy by needle depth, algorithmic accuracy by answer
// position) with its figure.
#include "extrapolation_view.h"
#include "figure_exporter.h"

#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/theme.h"

#include <QLabel>
#include <algorithm>
#include <map>

namespace seqpe::ui {

// Titles, axes, the training-length marker and the shaded extrapolation region of both charts (the
// algorithmic tasks: the training range shaded, linear lengths).
void ExtrapolationView::decorateCharts(const QString& md, const QString& mt, int64_t depth, int64_t lossLength) {
    const bool image = m_task == "image", algorithmic = m_task == "algorithmic";
    const QString unit = !m_unit.isEmpty() ? m_unit : image ? tr("pixels") : tr("tokens");
    const QString lengthAxis =
        image ? tr("evaluation resolution (pixels)")
              : (algorithmic ? tr("instance length (%1)") : tr("evaluation length (%1)")).arg(unit);
    m_score.trainLength = std::isfinite(m_marker) ? static_cast<int64_t>(m_marker) : 0;
    m_score.trainMinLength = algorithmic ? m_trainMin : 0;
    const QString depthText = depth >= 0 ? tr(", needle depth %1%").arg(depth) : QString();
    m_score.title = tr("%1 by %2 (%3%4)").arg(metricTitle(), m_score.lengthName, md, depthText);
    m_curves->setTitle(
        tr("%1 against %2 (%3%4)").arg(metricTitle(), image ? tr("resolution") : tr("length"), md, depthText));
    m_curves->setAxisLabels(lengthAxis, metricTitle());
    m_curves->setLogX(!image && !algorithmic); // text lengths double from one evaluation to the next
    m_curves->setLogY(mt == "ppl" || mt == "word_ppl");
    if (std::isfinite(m_marker) && algorithmic) {
        const int64_t lo = m_trainMin > 0 ? m_trainMin : m_score.trainLength;
        m_curves->clearMarker(); // the shaded range says it (a marker's label would sit on the range's)
        // Half a length either side: the shading covers the trained lengths' points, not only between them.
        m_curves->setShadedRange(static_cast<double>(lo) - 0.5, m_marker + 0.5,
                                 tr("trained lengths %1-%2").arg(lo).arg(m_score.trainLength));
    } else if (std::isfinite(m_marker)) {
        const QString what = image ? tr("train resolution %1 px") : tr("train length %1");
        m_curves->setMarker(m_marker, what.arg(m_score.trainLength));
        m_curves->setShadedFrom(m_marker, md == "interpolate" ? tr("interpolated") : tr("extrapolation"));
        m_loss->setMarker(m_marker, what.arg(m_score.trainLength));
        m_loss->setShadedFrom(m_marker, tr("beyond training"));
    } else {
        m_curves->clearMarker();
        m_curves->clearShading();
        m_loss->clearMarker();
        m_loss->clearShading();
    }
    m_curves->autoRange();
    if (m_task == "qa") {
        showDepthProfile(md, mt);
    } else if (algorithmic) {
        showAnswerProfile(md);
    } else {
        // Per-position losses are noisy: a centred moving average, the raw curve faintly behind.
        m_loss->setSmoothing(LineChart::Smoothing::MovingAverage, std::max<int64_t>(1, lossLength / 64));
        m_loss->setAxisLabels(tr("position in the sequence"), tr("mean loss (nats)"));
        m_loss->setTitle(lossLength > 0 ? tr("Loss by position (longest extend evaluation, %1 tokens)").arg(lossLength)
                                        : tr("Loss by position (text runs, after `seqpe eval`)"));
        // Reports record loss by position for their longest extend evaluation only: say which.
        m_clickHint->setText(
            lossLength > 0
                ? tr("click a row: highlight the run (loss by position: the %1-token evaluation)").arg(lossLength)
                : tr("click a row: highlight the run"));
        m_clickHint->setToolTip(m_clickHint->text());
    }
    m_loss->autoRange();
}

// What is not shown and why: runs without an evaluation, runs of another task.
void ExtrapolationView::showHints(const QStringList& missing, const QStringList& otherTask) {
    QStringList hints;
    // A study's many runs: the first few named, the rest counted.
    const QString names = missing.size() <= 6
                              ? missing.join(", ")
                              : tr("%1 and %2 more").arg(missing.mid(0, 5).join(", ")).arg(missing.size() - 5);
    if (!missing.isEmpty())
        hints
            << tr("No evaluation yet for %1: Run &gt; Evaluate (Ctrl+Alt+E) evaluates the selected runs, Evaluate All "
                  "every trained run; a run evaluates itself when its training completes (eval.after_training). "
                  "From a terminal: <code>seqpe compare %2</code>.")
                   .arg(names,
                        m_wb.document().fileName().isEmpty() ? tr("&lt;project&gt;") : m_wb.document().fileName());
    if (!otherTask.isEmpty()) hints << tr("Not shown (another task): %1.").arg(otherTask.join(", "));
    m_hint->setText(hints.join(" "));
    m_hint->setVisible(!hints.isEmpty());
}

QVector<const EvalReport*> ExtrapolationView::highlightedReports() const {
    const QString run = m_highlight.isEmpty() && !m_score.runs.isEmpty() ? m_score.runs.front() : m_highlight;
    QVector<const EvalReport*> out;
    if (run.isEmpty()) return out;
    for (const QString& name : m_wb.store().names()) {
        // The run itself, or the members of the seed group it names.
        if (name != run && m_wb.document().groupOf(name) != run) continue;
        if (const RunView* v = m_wb.store().run(name); v && v->report) out << &*v->report;
        if (name == run) break;
    }
    return out;
}

// QA: where in the context the needle was against whether it was found, one curve per context
// length, for the highlighted run (the first one until a cell is clicked).
void ExtrapolationView::showDepthProfile(const QString& md, const QString& mt) {
    m_loss->clear();
    m_loss->clearMarker();
    m_loss->clearShading();
    m_loss->setSmoothing(LineChart::Smoothing::None, 1);
    const QString run = m_highlight.isEmpty() && !m_score.runs.isEmpty() ? m_score.runs.front() : m_highlight;
    const RunView* v = run.isEmpty() ? nullptr : m_wb.store().run(run);
    std::map<int64_t, QVector<QPointF>> byLength;
    if (v && v->report)
        for (const EvalRow& r : v->report->rows)
            if (QString::fromStdString(r.mode) == md && r.depth >= 0)
                byLength[r.length].append(QPointF(static_cast<double>(r.depth), evalMetricValue(r, mt)));
    int k = 0;
    for (auto& [len, pts] : byLength) {
        std::sort(pts.begin(), pts.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
        const bool trained = m_score.trainLength > 0 && len <= m_score.trainLength;
        m_loss->setPoints(
            m_loss->addSeries(trained ? tr("%1 tokens (train)").arg(len) : tr("%1 tokens").arg(len), seriesColor(k++)),
            pts);
    }
    m_loss->setAxisLabels(tr("needle depth (% of the context; 100 = next to the question)"), metricTitle());
    m_loss->setTitle(run.isEmpty() ? tr("%1 by needle depth").arg(metricTitle())
                                   : tr("%1 by needle depth: %2 (%3)").arg(metricTitle(), run, md));
    m_clickHint->setText(tr("click a cell: highlight the run and show its %1 by needle depth").arg(metricTitle()));
}

// Algorithmic: the accuracy at each position of the answer (teacher-forced), one curve per
// evaluated length, for the highlighted run or seed group (its mean over the seeds).
void ExtrapolationView::showAnswerProfile(const QString& md) {
    m_loss->clear();
    m_loss->clearMarker();
    m_loss->clearShading();
    m_loss->setSmoothing(LineChart::Smoothing::None, 1);
    const QVector<const EvalReport*> reports = highlightedReports();
    std::map<int64_t, std::vector<double>> sum; // length -> summed accuracy by position
    std::map<int64_t, int> runs;
    for (const EvalReport* rep : reports)
        for (const EvalRow& r : rep->rows) {
            if (QString::fromStdString(r.mode) != md || r.by_position.empty()) continue;
            auto& s = sum[r.length];
            if (s.empty()) s.assign(r.by_position.size(), 0.0);
            if (s.size() != r.by_position.size()) continue; // another task's answer length
            for (size_t k = 0; k < s.size(); ++k) s[k] += r.by_position[k];
            ++runs[r.length];
        }
    int colour = 0;
    for (const auto& [len, s] : sum) {
        QVector<QPointF> pts;
        for (size_t k = 0; k < s.size(); ++k) pts.append(QPointF(static_cast<double>(k), s[k] / runs[len]));
        const QString name = m_score.trained(len) ? tr("length %1 (train)").arg(len) : tr("length %1").arg(len);
        m_loss->setPoints(m_loss->addSeries(name, seriesColor(colour++)), pts);
    }
    const QString run = m_highlight.isEmpty() && !m_score.runs.isEmpty() ? m_score.runs.front() : m_highlight;
    m_loss->setAxisLabels(tr("position in the answer (0 = its first token)"), tr("token accuracy"));
    m_loss->setTitle(
        run.isEmpty()
            ? tr("Accuracy by answer position")
            : tr("Accuracy by answer position, teacher-forced: %1 (%2%3)")
                  .arg(run, md, reports.size() > 1 ? tr(", mean of %1 seeds").arg(reports.size()) : QString()));
    m_clickHint->setText(tr("click a row: highlight the run and show its accuracy by answer position"));
    m_clickHint->setToolTip(m_clickHint->text());
}

QString ExtrapolationView::lowerX() const {
    return m_task == "qa"            ? QStringLiteral("depth")
           : m_task == "algorithmic" ? QStringLiteral("answer_position")
                                     : QStringLiteral("position");
}
QString ExtrapolationView::lowerY() const {
    return m_task == "qa" ? metric() : m_task == "algorithmic" ? QStringLiteral("accuracy") : QStringLiteral("loss");
}

QString ExtrapolationView::lowerSuffix() const {
    return m_task == "qa"            ? QStringLiteral("by-depth")
           : m_task == "algorithmic" ? QStringLiteral("by-answer-position")
                                     : QStringLiteral("loss-by-position");
}

Figure ExtrapolationView::lossFigure() const {
    Figure f;
    if (m_loss->seriesCount() == 0) return f;
    f.stem = "extrapolation-all-" + lowerSuffix();
    f.title = m_loss->title();
    f.description = configHashes(m_wb, m_shownMembers);
    f.size = m_loss->isVisible() ? QSizeF(m_loss->size()) : QSizeF(760, 420);
    f.render = widgetRender(m_loss);
    f.tables = {lineChartTable(*m_loss, lowerX(), lowerY())};
    return f;
}

} // namespace seqpe::ui
