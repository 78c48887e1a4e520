// AttentionExport: fixed inputs per run, one hidden AttentionPane per figure, figures when all answered.
#include "attention_export.h"

#include "attention_pane.h"

#include "seqpe/widgets/heat_map.h"

#include <QTimer>
#include <QWidget>
#include <algorithm>

namespace seqpe::ui {

namespace {
constexpr int kTestImages = 3;       // test images 0..2 at the training resolution
constexpr int64_t kTextTokens = 256; // the tab's own cap of a text window
} // namespace

AttentionExport::AttentionExport(Workbench& wb, QWidget* host, QObject* parent)
    : QObject(parent), m_wb(wb), m_host(host) {}

void AttentionExport::start(const QStringList& runs) {
    m_jobs.clear();
    m_notes.clear();
    m_waiting = 1; // held until every run has started its jobs
    for (const QString& run : runs) {
        const RunView* v = m_wb.store().run(run);
        if (!v || !v->config) continue;
        if (!v->hasUsableCheckpoint() && !m_wb.isActive(run)) {
            m_notes << tr("attention of %1 skipped: no checkpoint to probe").arg(run);
            continue;
        }
        if (v->config->task == "image")
            startImageRun(run);
        else
            startTextRun(run);
    }
    QTimer::singleShot(0, this, &AttentionExport::settle); // the hold above: done() never fires inside start()
}

void AttentionExport::watch(Job job) {
    ++m_waiting;
    const QString stem = job.stem;
    connect(job.pane, &AttentionPane::mapShown, this, &AttentionExport::settle, Qt::SingleShotConnection);
    connect(
        job.pane, &AttentionPane::probeFailed, this,
        [this, stem](const QString& e) {
            m_notes << tr("%1 skipped: %2").arg(stem, e);
            settle();
        },
        Qt::SingleShotConnection);
    m_jobs.push_back(std::move(job));
}

void AttentionExport::settle() {
    if (--m_waiting == 0) Q_EMIT done();
}

void AttentionExport::startTextRun(const QString& run) {
    const RunConfig& c = *m_wb.store().run(run)->config;
    if (c.task == "algorithmic") { // test instance 0 of the longest trained length and of the longest evaluated
        int64_t longest = c.algo.train_max_len;
        for (const int64_t l : c.algo.eval_lengths) longest = std::max(longest, l);
        for (const int64_t n : {c.algo.train_max_len, longest}) {
            auto* pane = new AttentionPane(m_wb, m_host);
            pane->setRun(run);
            pane->setColourScale(AttentionPane::Scale::Log, false);
            pane->heatMap()->resize(700, 640);
            watch(Job{pane, QString("attention-%1-instance-0-length-%2").arg(run).arg(n),
                      tr("test instance 0 of length %1, layer 0, mean over the heads, log10 colours").arg(n)});
            pane->requestText(0, n, 0, -1);
            if (longest == c.algo.train_max_len) break;
        }
        return;
    }
    const int64_t n = std::min<int64_t>(c.train.seq_len, kTextTokens);
    auto* pane = new AttentionPane(m_wb, m_host);
    pane->setRun(run);
    pane->setColourScale(AttentionPane::Scale::Log, false); // the tab's default for text
    pane->heatMap()->resize(700, 640);
    Job job{pane, QString("attention-%1-tokens-0-%2").arg(run).arg(n - 1),
            tr("tokens 0 to %1 of the test split, layer 0, mean over the heads, log10 colours").arg(n - 1)};
    watch(std::move(job));
    pane->requestText(0, n, 0, -1);
}

void AttentionExport::startImageRun(const QString& run) {
    const RunConfig& c = *m_wb.store().run(run)->config;
    const int train = static_cast<int>(c.data.image_size);
    int large = 0;
    for (const int64_t s : c.eval.image_sizes) large = std::max(large, static_cast<int>(s));
    if (large <= train) large = 2 * train;
    const int patch = static_cast<int>(std::max<int64_t>(1, c.model.patch_size));
    large = std::max(patch, large / patch * patch);
    // Each test image comes from the run's own dataset (on the probe worker), then one pane per size.
    for (int index = 0; index < kTestImages; ++index) {
        std::vector<int> sizes{train};
        if (index == 0) sizes.push_back(large);
        ++m_waiting; // the sample
        m_wb.probes().request<ImageSample>(
            run,
            [index](Inspector& in) {
                ImageSample s;
                s.pixels = in.sample_image(index, &s.h, &s.w, &s.c, &s.label);
                return s;
            },
            this,
            [this, run, index, sizes](const ImageSample& s) {
                const QImage picture = toImage(s.pixels, s.h, s.w, s.c);
                for (const int size : sizes) {
                    auto* pane = new AttentionPane(m_wb, m_host);
                    pane->setRun(run);
                    pane->heatMap()->resize(640, 600);
                    Job job{pane, QString("attention-%1-test%2-%3px").arg(run).arg(index).arg(size),
                            tr("test image %1 (class %2) at %3 px, centre patch as the query, layer 0, mean over the "
                               "heads, linear colours")
                                .arg(index)
                                .arg(s.label)
                                .arg(size)};
                    watch(std::move(job));
                    pane->requestImage(s.pixels, s.h, s.w, s.c, size, 0, -1, picture);
                }
                settle();
            },
            [this, run, index](const QString& e) {
                m_notes << tr("attention of %1 on test image %2 skipped: %3").arg(run).arg(index).arg(e);
                settle();
            });
    }
}

QVector<Figure> AttentionExport::figures() const {
    QVector<Figure> out;
    for (const Job& j : m_jobs) {
        if (!j.pane->hasMap()) continue;
        Figure f;
        f.stem = j.stem;
        f.title = tr("Attention of %1: %2").arg(j.pane->run(), j.inputs);
        f.description = tr("inputs: %1; %2").arg(j.inputs, configHashes(m_wb, {j.pane->run()}));
        f.size = QSizeF(j.pane->heatMap()->size());
        f.render = widgetRender(j.pane->heatMap());
        f.tables = {j.pane->table()};
        out << f;
    }
    return out;
}

} // namespace seqpe::ui
