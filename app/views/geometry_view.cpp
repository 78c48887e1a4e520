// GeometryView: the controls of the Geometry tab. Snapshots and live probes: geometry_view_timeline.cpp.
// Not here: drawing and probing one run (GeometryPane).
#include "geometry_view.h"
#include "checkpoint_picker.h"
#include "figure_exporter.h"
#include "same_spot.h"

#include "seqpe/encodings.h"

#include "geometry_pane.h"
#include "guided_heat_map.h"

#include "seqpe/widgets/flow_layout.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace seqpe::ui {

namespace {

QSpinBox* spin(int lo, int hi, int value, const QString& tip) {
    auto* s = new QSpinBox;
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    s->setKeyboardTracking(false); // one request per finished edit, not per digit
    return s;
}

QLabel* caption(const QString& text) {
    return new QLabel(text);
}

} // namespace

GeometryView::GeometryView(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QVBoxLayout(this);
    m_run = new QComboBox;
    m_checkpoint = new CheckpointPicker(wb);
    m_compare = new QComboBox;
    m_metric = new QComboBox;
    m_metric->addItem(tr("centred cosine similarity"), "centred");
    m_metric->setItemData(0,
                          tr("cosine similarity after removing the mean over the shown positions: how positions "
                             "differ, without the component they all share"),
                          Qt::ToolTipRole);
    m_metric->addItem(tr("cosine similarity"), "cosine");
    m_metric->addItem(tr("dot product"), "dot");
    m_metric->addItem(tr("L2 distance"), "l2");
    m_read = new QComboBox;
    m_read->addItem(tr("extended"), "extend");
    m_read->addItem(tr("interpolated"), "interpolate");
    m_read->setToolTip(tr("How positions past the training range are read, as the evaluation modes read them: "
                          "extended (as they are) or interpolated (spread over the trained range: a resampled "
                          "table, scaled positions)"));
    m_layer = new QComboBox;
    m_head = new QComboBox;
    m_live = new QCheckBox(tr("live"));
    m_live->setChecked(true);
    m_live->setToolTip(tr("While the run trains, update on every geometry snapshot (train.snapshot_every)"));
    auto* exportButton = new QPushButton(tr("Export figure..."));
    m_first = spin(0, 1000000, 0, tr("First position (any: beyond the training length too)"));
    m_count = spin(2, 4096, 64, tr("Number of positions (at most 4096)"));
    m_rows = spin(1, 64, 14, tr("Grid rows (rows x cols at most 4096)"));
    m_cols = spin(1, 64, 14, tr("Grid columns"));
    m_row0 = spin(0, 1000, 0, tr("Row of the grid's first patch"));
    m_col0 = spin(0, 1000, 0, tr("Column of the grid's first patch"));
    m_side2 = spin(0, 64, 0,
                   tr("Show the run a second time on a grid of this side (in patches), beside the first: e.g. the "
                      "training grid beside 3x it. A comparison run takes that pane instead"));
    m_side2->setSpecialValueText(tr("off"));
    m_show = new QComboBox;
    m_show->addItem(tr("matrix (patch x patch)"));
    m_show->addItem(tr("query patch on the grid"));
    m_show->setToolTip(tr("Query patch: click a patch to see its similarity to every patch"));
    m_colorBy = new QComboBox;
    m_colorBy->addItem(tr("raster index"));
    m_colorBy->addItem(tr("distance from origin"));
    m_colorBy->setToolTip(tr("Colour of the PCA points: row*cols+col, or the distance of (row, col) from (0, 0)"));
    m_train = new QLabel;
    m_scrub = new QSlider(Qt::Horizontal);
    m_scrub->setMinimumWidth(180);
    m_scrub->setToolTip(tr("Geometry snapshots saved while training; the right end is the newest checkpoint (or "
                           "the live model)"));
    m_scrubLabel = new QLabel;
    m_scrubLabel->setMinimumWidth(150);
    auto* step = new QWidget;
    auto* stepRow = new QHBoxLayout(step);
    stepRow->setContentsMargins(0, 0, 0, 0);
    stepRow->addWidget(caption(tr("Step")));
    stepRow->addWidget(m_scrub, 1);
    stepRow->addWidget(m_scrubLabel);

    // One flow of controls: a single row on a wide screen, wrapped (never wider than the page) in a
    // 1000x700 window beside the config dock. Each label stays with its control.
    auto* bar = new FlowLayout;
    for (QWidget* w : {labelled(tr("Run"), m_run), labelled(tr("compare with"), m_compare),
                       labelled(tr("Measure"), m_metric), labelled(tr("Read"), m_read), labelled(tr("Layer"), m_layer),
                       labelled(tr("Head"), m_head), static_cast<QWidget*>(m_live)})
        bar->addWidget(w);
    m_items1d = {labelled(tr("Positions from"), m_first), labelled(tr("count"), m_count)};
    m_items2d = {labelled(tr("Grid"), m_rows),          labelled(tr("x"), m_cols),
                 labelled(tr("from row"), m_row0),      labelled(tr("col"), m_col0),
                 labelled(tr("beside it at"), m_side2), labelled(tr("Show"), m_show),
                 labelled(tr("PCA colour"), m_colorBy)};
    for (QWidget* w : m_items1d) bar->addWidget(w);
    for (QWidget* w : m_items2d) bar->addWidget(w);
    for (QWidget* w : {static_cast<QWidget*>(m_train), labelled(tr("Checkpoint"), m_checkpoint), step,
                       static_cast<QWidget*>(exportButton)})
        bar->addWidget(w);
    top->addLayout(bar);

    auto* split = new QSplitter(Qt::Horizontal);
    m_frame = split;
    for (auto& p : m_panes) {
        p = new GeometryPane(wb);
        split->addWidget(p);
    }
    m_panes[1]->hide();
    top->addWidget(split, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &GeometryView::refresh);
    m_liveTimer = new QTimer(this);
    m_liveTimer->setSingleShot(true);
    connect(m_liveTimer, &QTimer::timeout, this, &GeometryView::liveProbe);

    connect(exportButton, &QPushButton::clicked, this, &GeometryView::exportFigure);
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating) setRun(m_run->currentText());
    });
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating) setCompareRun(m_compare->currentIndex() <= 0 ? QString() : m_compare->currentText());
    });
    for (QComboBox* c : {m_metric, m_read, m_layer, m_head})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            if (m_updating) return;
            configureControls(); // the layer decides whether head and measure apply
            toNewestModel();     // a snapshot holds one request: another one is asked of the model
            scheduleRefresh();
        });
    connect(m_side2, &QSpinBox::valueChanged, this, [this] {
        if (m_updating) return;
        updateSecondPane();
        toNewestModel();
        scheduleRefresh();
    });
    for (QSpinBox* s : {m_first, m_count, m_rows, m_cols, m_row0, m_col0})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            if (m_updating) return;
            toNewestModel();
            scheduleRefresh();
        });
    connect(m_show, &QComboBox::currentIndexChanged, this, [this](int i) {
        for (auto* p : m_panes) p->setQueryMode(i == 1);
    });
    connect(m_colorBy, &QComboBox::currentIndexChanged, this, [this](int i) {
        for (auto* p : m_panes)
            p->setColorBy(i == 0 ? GeometryPane::ColorBy::RasterIndex : GeometryPane::ColorBy::DistanceFromOrigin);
    });
    connect(m_scrub, &QSlider::valueChanged, this, &GeometryView::showScrubbed);
    connect(m_live, &QCheckBox::toggled, this, [this](bool on) {
        if (on) scheduleRefresh();
    });
    // The same query patch in both panes: a click in one moves the other.
    for (size_t i = 0; i < m_panes.size(); ++i)
        connect(m_panes[i], &GeometryPane::queryCellPicked, this, [this, i](int row, int col) {
            // Another grid side: the cell over the same place of the image.
            const GeometryRequest from = requestFor(static_cast<int>(i)), to = requestFor(static_cast<int>(1 - i));
            m_panes[1 - i]->setQueryCell(
                sameSpotCell(row, static_cast<double>(from.rows), static_cast<double>(to.rows)),
                sameSpotCell(col, static_cast<double>(from.cols), static_cast<double>(to.cols)));
            m_panes[1 - i]->setQueryMode(true);
            const QSignalBlocker block(m_show);
            m_show->setCurrentIndex(1);
        });
    connect(&wb.probes(), &ProbeService::checkpointChanged, this, [this](const QString& run) {
        if (run != this->run() && run != compareRun()) return;
        toNewestModel(); // the scrubber's right end is the chosen checkpoint
        m_scrubLabel->setText(modelText());
        scheduleRefresh();
    });
    connect(&wb, &Workbench::snapshotAvailable, this, &GeometryView::onSnapshot);
    connect(&wb, &Workbench::sessionFinished, this, [this](const QString& run) {
        if (m_live->isChecked() && (run == this->run() || run == compareRun())) scheduleRefresh(); // the final model
    });
    connect(&wb.store(), &RunStore::runsChanged, this, &GeometryView::rebuildRunLists);
    rebuildRunLists();
}

const ResolvedConfig* GeometryView::config(const QString& run) const {
    const RunView* v = m_wb.store().run(run);
    return v && v->config ? &*v->config : nullptr;
}

QString GeometryView::run() const {
    return m_panes[0]->run();
}
QString GeometryView::compareRun() const {
    return m_compareRun;
}
bool GeometryView::isLive() const {
    return m_live->isChecked();
}

void GeometryView::rebuildRunLists() {
    m_updating = true;
    const QStringList names = m_wb.store().names();
    m_run->clear();
    m_run->addItems(names);
    m_compare->clear();
    m_compare->addItem(tr("(none)"));
    m_compare->addItems(names);
    m_updating = false;
    QString primary = run();
    if (!names.contains(primary)) primary = names.isEmpty() ? QString() : names.front();
    const QString other = names.contains(compareRun()) ? compareRun() : QString();
    m_panes[0]->setRun({}); // force the controls to be rebuilt for the (possibly new) config
    setRun(primary);
    setCompareRun(other);
}

void GeometryView::setRun(const QString& run) {
    if (run == this->run() && !run.isEmpty()) return;
    m_panes[0]->setRun(run);
    m_checkpoint->setRun(run);
    {
        m_updating = true;
        m_run->setCurrentText(run);
        m_updating = false;
    }
    if (run == compareRun()) setCompareRun({});
    updateSecondPane(); // the run on the second grid follows the primary run
    const ResolvedConfig* c = config(run);
    if (c) {
        m_updating = true;
        const bool image = task_dims(*c) == 2;
        for (QWidget* w : m_items1d) w->setVisible(!image);
        for (QWidget* w : m_items2d) w->setVisible(image);
        // Another kind of run or training extent: back to the default request (which the
        // snapshots hold). The same kind keeps what the user asked for, to compare runs.
        const int64_t shape = (image ? -1 : 1) * geometryTrainExtent(*c);
        const bool shape_changed = shape != m_shape || QString::fromStdString(c->position_encoding.type) != m_type;
        m_type = QString::fromStdString(c->position_encoding.type);
        if (shape_changed) {
            m_shape = shape;
            setDefaultPositions(*c);
        }
        // Layers (the encodings table says what a layer can show): an encoding acting on q/k per
        // layer compares a layer's query-PE with its key-PE; learned rotary frequencies differ per
        // layer. Everything else has one encoding for all layers.
        const RunConfig& r = *c;
        const EncodingInfo* info = find_encoding(r.position_encoding.type);
        const std::string probe = info ? info->layer_probe : "";
        m_layer->clear();
        m_layer->addItem(tr("position embeddings"), -1);
        if (probe == "qk-pe" && r.position_encoding.seqpe.apply != "input_add")
            for (int64_t l = 0; l < r.model.n_layer; ++l)
                m_layer->addItem(tr("layer %1: query-PE · key-PE").arg(l), int(l));
        if (probe == "frequencies") {
            m_layer->setItemText(0, tr("layer 0 frequencies")); // -1 and 0 are the same layer
            for (int64_t l = 1; l < r.model.n_layer; ++l) m_layer->addItem(tr("layer %1 frequencies").arg(l), int(l));
        }
        m_head->clear();
        m_head->addItem(tr("mean over heads"), -1);
        for (int64_t h = 0; h < r.model.n_head; ++h) m_head->addItem(tr("head %1").arg(h), int(h));
        if (shape_changed)
            m_metric->setCurrentIndex(
                std::max(0, m_metric->findData(QString::fromStdString(default_geometry_metric(r)))));
        m_train->setText(image ? tr("training grid %1 x %1 patches").arg(geometryTrainExtent(*c))
                               : tr("training length %1").arg(geometryTrainExtent(*c)));
        m_updating = false;
    }
    configureControls();
    reloadSnapshots();
    refresh();
}

void GeometryView::setCompareRun(const QString& run) {
    const QString other = run == this->run() ? QString() : run;
    m_compareRun = other;
    m_updating = true;
    m_compare->setCurrentIndex(other.isEmpty() ? 0 : m_compare->findText(other));
    m_updating = false;
    updateSecondPane();
    if (m_panes[1]->run().isEmpty()) return;
    if (m_scrub->value() < snapshotCount())
        showScrubbed();
    else if (isVisible())
        m_panes[1]->request(requestFor(1)); // the primary pane has its answer
    else
        m_stale = true;
}

void GeometryView::configureControls() {
    const ResolvedConfig* c = config(run());
    if (!c) return;
    const std::string type = c->position_encoding.type;
    const EncodingInfo* info = find_encoding(type);
    const bool relative = info && info->relative; // the encodings table knows, not the view
    const bool qk = info && std::string(info->layer_probe) == "qk-pe" && m_layer->currentData().toInt() >= 0;
    m_layer->setEnabled(m_layer->count() > 1);
    m_head->setEnabled(relative || qk);
    m_metric->setEnabled(!relative && !qk && info && info->has_positions());
}

void GeometryView::updateSecondPane() {
    const ResolvedConfig* c = config(run());
    const bool image = c && task_dims(*c) == 2;
    const QString second = !m_compareRun.isEmpty() ? m_compareRun : image && m_side2->value() > 0 ? run() : QString();
    m_panes[1]->setRun(second);
    m_panes[1]->setVisible(!second.isEmpty());
    m_panes[1]->setQueryMode(m_show->currentIndex() == 1);
}

int64_t GeometryView::secondGrid() const {
    return m_side2->value();
}

void GeometryView::setSecondGrid(int64_t side) {
    m_side2->setValue(static_cast<int>(side)); // valueChanged: the second pane, then a refresh
}

GeometryRequest GeometryView::requestFor(int pane) const {
    GeometryRequest r = currentRequest();
    if (pane == 1 && m_compareRun.isEmpty() && m_side2->value() > 0 && r.rows > 0) r.rows = r.cols = m_side2->value();
    return r;
}

GeometryRequest GeometryView::currentRequest() const {
    GeometryRequest r;
    r.metric = m_metric->currentData().toString().toStdString();
    r.mode = m_read->currentData().toString().toStdString();
    r.layer = m_layer->count() > 0 ? m_layer->currentData().toInt() : -1;
    r.head = m_head->isEnabled() && m_head->count() > 0 ? m_head->currentData().toInt() : -1;
    const ResolvedConfig* c = config(run());
    if (c && task_dims(*c) == 2) {
        r.rows = m_rows->value();
        r.cols = m_cols->value();
        r.row0 = m_row0->value();
        r.col0 = m_col0->value();
    } else {
        r.first = m_first->value();
        r.count = m_count->value();
    }
    return r;
}

void GeometryView::setMetric(const QString& metric) {
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(metric)));
}
void GeometryView::setReadMode(const QString& mode) {
    m_read->setCurrentIndex(std::max(0, m_read->findData(mode)));
}
void GeometryView::setPositions(int64_t first, int64_t count) {
    m_first->setValue(static_cast<int>(first));
    m_count->setValue(static_cast<int>(count));
}
void GeometryView::setGrid(int64_t rows, int64_t cols) {
    m_rows->setValue(static_cast<int>(rows));
    m_cols->setValue(static_cast<int>(cols));
}
void GeometryView::setLayer(int64_t layer) {
    m_layer->setCurrentIndex(std::max(0, m_layer->findData(int(layer))));
}
void GeometryView::setHead(int64_t head) {
    m_head->setCurrentIndex(std::max(0, m_head->findData(int(head))));
}
void GeometryView::setQueryMode(bool on) {
    m_show->setCurrentIndex(on ? 1 : 0);
}
void GeometryView::setLive(bool on) {
    m_live->setChecked(on);
}

void GeometryView::scheduleRefresh() {
    if (!m_updating) m_debounce->start();
}

void GeometryView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) refresh();
}

void GeometryView::refresh() {
    m_debounce->stop();
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    if (m_scrub->value() < snapshotCount()) {
        showScrubbed();
        return;
    }
    for (int i = 0; i < 2; ++i)
        if (!m_panes[static_cast<size_t>(i)]->run().isEmpty()) m_panes[static_cast<size_t>(i)]->request(requestFor(i));
}

Figure GeometryView::figure() const {
    Figure f;
    if (!m_panes[0]->hasResult()) return f;
    QStringList runs;
    FigureTable matrices, pca;
    QList<QPair<const QWidget*, RenderFunction>> parts;
    for (auto* p : m_panes) {
        if (p->run().isEmpty() || !p->hasResult() || !p->isVisibleTo(m_frame)) continue;
        runs << p->run();
        // The hidden one of scatter and distance profile is skipped (renderAsShown).
        parts << qMakePair(static_cast<const QWidget*>(p->heatMap()), RenderFunction())
              << qMakePair(static_cast<const QWidget*>(p->scatter()), RenderFunction())
              << qMakePair(static_cast<const QWidget*>(p->profileChart()), RenderFunction());
        const FigureTable m = p->matrixTable(), s = p->projectionTable();
        matrices.header = m.header;
        matrices.rows += m.rows;
        pca.header = s.header.isEmpty() ? pca.header : s.header;
        pca.rows += s.rows;
    }
    pca.suffix = "pca";
    f.stem = "geometry-" + runs.join("-vs-") + "-" + fileSlug(m_panes[0]->queryMode() ? "query-patch" : "matrix");
    f.title = tr("Position-embedding geometry: %1").arg(runs.join(tr(" vs ")));
    f.description = configHashes(m_wb, runs);
    f.size = m_frame->size();
    f.render = renderAsShown(m_frame, parts);
    f.tables = {matrices};
    if (!pca.rows.isEmpty()) f.tables << pca;
    return f;
}

void GeometryView::exportFigure() {
    exportFigureInteractively(this, figure(), FigureExporter::defaultDirectory(m_wb));
}

} // namespace seqpe::ui
