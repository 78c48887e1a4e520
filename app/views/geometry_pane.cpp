// GeometryPane: one run's geometry (matrix, rank correlation, PCA) from a probe or a snapshot.
// Not here: choosing what to request (GeometryView) or when (live updates, the scrubber).
#include "geometry_pane.h"

#include "guided_heat_map.h"

#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"
#include "seqpe/widgets/theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QVBoxLayout>
#include <cmath>

namespace seqpe::ui {

int64_t geometryTrainExtent(const ResolvedConfig& c) {
    // Resolved (the store's configs are): an algorithmic run's training length follows from its
    // longest training instance.
    return c.task == "image" ? c.data.image_size / std::max<int64_t>(1, c.model.patch_size) : c.train.seq_len;
}
int64_t defaultGeometryCount(const ResolvedConfig& c) {
    return std::min<int64_t>(512, 2 * geometryTrainExtent(c));
}
int64_t defaultGeometryGrid(const ResolvedConfig& c) {
    return std::min<int64_t>(32, 2 * geometryTrainExtent(c));
}

bool isDefaultGeometryRequest(const GeometryRequest& r, const ResolvedConfig& c) {
    // The same normalisation as the engine: 0 means "the default extent".
    const bool positions = task_dims(c) == 1
                               ? r.first == 0 && (r.count == 0 || r.count == defaultGeometryCount(c))
                               : r.row0 == 0 && r.col0 == 0 && (r.rows == 0 || r.rows == defaultGeometryGrid(c)) &&
                                     (r.cols == 0 || r.cols == (r.rows == 0 ? defaultGeometryGrid(c) : r.rows));
    return positions && r.metric == "cosine" && r.layer < 0 && r.head < 0 && r.mode == "extend";
}

namespace {

struct GeometryProbe {
    GeometryResult g;
    int64_t step = 0;
};

QString number(double v) {
    return csvNumber(v);
}

bool sameRequest(const GeometryRequest& a, const GeometryRequest& b) {
    return a.first == b.first && a.count == b.count && a.rows == b.rows && a.cols == b.cols && a.row0 == b.row0 &&
           a.col0 == b.col0 && a.metric == b.metric && a.layer == b.layer && a.head == b.head && a.mode == b.mode;
}

} // namespace

GeometryPane::GeometryPane(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QVBoxLayout(this);
    top->setContentsMargins(2, 2, 2, 2);
    m_header = new QLabel;
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_header);
    m_heat = new GuidedHeatMap;
    m_heat->setMinimumSize(240, 220);
    // Heat map and PCA side by side in a wide pane, stacked in a tall one (resizeEvent): the
    // square matrix gets the larger share of whichever way the pane is long.
    m_body = new QBoxLayout(QBoxLayout::TopToBottom);
    m_body->addWidget(m_heat, 3);
    m_below = new QBoxLayout(QBoxLayout::LeftToRight);
    m_rank = new QLabel;
    m_rank->setWordWrap(true);
    m_rank->setFixedWidth(170);
    m_rank->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_rank->setToolTip(tr("Spearman rank correlation between the distance (or -similarity) of two positions' "
                          "encodings and the distance of the positions, over all pairs shown: 1 means farther "
                          "positions are always less similar."));
    m_below->addWidget(m_rank);
    m_scatter = new ScatterPlot;
    m_scatter->setMinimumSize(220, 170);
    m_scatter->setAxisLabels("PC1", "PC2");
    m_scatter->setPointSize(5);
    m_below->addWidget(m_scatter, 1);
    m_profile = new LineChart;
    m_profile->setMinimumSize(220, 170);
    m_profile->hide();
    m_below->addWidget(m_profile, 1);
    m_body->addLayout(m_below, 2);
    top->addLayout(m_body, 1);
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet("color: #c0392b");
    m_note->hide();
    top->addWidget(m_note);

    connect(m_heat, &HeatMap::cellClicked, this, [this](int row, int col) {
        if (!m_has || m_g.dims != 2 || m_g.cols <= 0) return;
        // Query mode: the clicked patch. Matrix mode: the patch of the clicked row.
        const int r = m_queryMode ? row : row / static_cast<int>(m_g.cols);
        const int c = m_queryMode ? col : row % static_cast<int>(m_g.cols);
        Q_EMIT queryCellPicked(r, c);
        setQueryCell(r, c);
        setQueryMode(true);
    });
    showMessage(tr("No run selected."));
}

void GeometryPane::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    const bool wide = width() > height() * 5 / 4;
    m_body->setDirection(wide ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
    m_below->setDirection(wide ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    m_rank->setFixedWidth(wide ? QWIDGETSIZE_MAX : 170);
    if (wide) m_rank->setMinimumWidth(0);
}

void GeometryPane::setRun(const QString& run) {
    if (run == m_run) return;
    m_run = run;
    m_has = false;
    m_g = {};
    m_query = {-1, -1};
    refresh();
}

void GeometryPane::request(const GeometryRequest& r) {
    if (m_run.isEmpty()) return;
    if (m_inFlight) {
        // The answer in flight will do when it is for the same request.
        if (sameRequest(r, m_sent) && m_sentRun == m_run)
            m_pending.reset();
        else
            m_pending = r;
        return;
    }
    send(r);
}

QString liveSource(Workbench& wb, const QString& run, int64_t step) {
    // A live view changes at the run's snapshots: say when, so "step 0" does not look stuck.
    const RunView* v = wb.store().run(run);
    const int64_t every = v && v->config ? v->config->train.snapshot_every : 0;
    return every > 0 ? GeometryPane::tr("live, step %1, updated every %2 steps").arg(step).arg(every)
                     : GeometryPane::tr("live, step %1").arg(step);
}

void GeometryPane::send(const GeometryRequest& r) {
    m_inFlight = true;
    m_sent = r;
    m_sentRun = m_run;
    m_pending.reset();
    const QString run = m_run;
    auto finish = [this, run](const std::function<void()>& show) {
        m_inFlight = false;
        if (m_pending) {
            send(*m_pending); // a newer request waits: this answer is already stale
            return;
        }
        if (run == m_run) show();
    };
    m_wb.probes().request<GeometryProbe>(
        run,
        [r](Inspector& in) {
            GeometryProbe p;
            p.g = in.geometry(r);
            p.step = in.step();
            return p;
        },
        this,
        [this, run, finish](const GeometryProbe& p) {
            finish([this, run, p] {
                const bool live = m_wb.isActive(run) && m_wb.probes().checkpoint(run).empty();
                showResult(p.g, live ? liveSource(m_wb, run, p.step) : tr("checkpoint step %1").arg(p.step));
            });
        },
        [this, run, r, finish](const QString& error) {
            finish([this, run, r, error] {
                const RunView* v = m_wb.store().run(run);
                if (v && v->config && isDefaultGeometryRequest(r, *v->config) && fallBackToSnapshot(error)) return;
                showProbeFailure(error);
            });
        });
}

bool GeometryPane::fallBackToSnapshot(const QString& why) {
    const RunView* v = m_wb.store().run(m_run);
    if (!v || v->snapshots.empty()) return false;
    const auto [step, file] = v->snapshots.back();
    const QString run = m_run;
    m_wb.probes().readSnapshot(
        file, this,
        [this, run, step, why](const GeometryResult& g) {
            if (run != m_run) return;
            showResult(g, tr("snapshot step %1").arg(step));
            m_note->setText(tr("No model to probe (%1): showing the newest snapshot.").arg(why));
            m_note->show();
        },
        [this, run, why](const QString&) {
            if (run == m_run) showProbeFailure(why);
        });
    return true;
}

void GeometryPane::showProbeFailure(const QString& error) {
    m_note->setText(tr("Probe failed: %1").arg(error));
    m_note->show();
    Q_EMIT probeFailed(error);
}

void GeometryPane::showResult(const GeometryResult& g, const QString& source) {
    m_g = g;
    m_has = g.matrix.shape.size() == 2 && g.matrix.shape[0] == g.matrix.shape[1];
    m_source = source;
    m_note->hide();
    refresh();
    Q_EMIT resultShown();
}

void GeometryPane::showMessage(const QString& text) {
    m_has = false;
    m_header->setText(text);
    // Nothing of the previous result stays: not its title, colour bar, axes (another run's).
    m_heat->setMatrix(0, 0, {});
    m_heat->setTitle({});
    m_heat->setColorBarLabel({});
    m_heat->setGuides(-1, -1, {});
    m_scatter->setPoints({}, {});
    m_scatter->setTitle({});
    m_scatter->setAxisLabels(QString(), QString());
    m_scatter->setColorBarLabel({});
    m_profile->clear();
    m_profile->setTitle({});
    m_profile->hide();
    m_scatter->show();
    m_rank->clear();
}

void GeometryPane::setQueryMode(bool on) {
    if (on == m_queryMode) return;
    m_queryMode = on;
    refresh();
}

void GeometryPane::setQueryCell(int row, int col) {
    m_query = QPoint(col, row);
    if (m_queryMode) refresh();
}

void GeometryPane::setColorBy(ColorBy c) {
    m_colorBy = c;
    refreshScatter();
}

QString GeometryPane::measureName() const {
    if (m_g.kind == "relative") return tr("score added to q·k");
    if (m_g.kind == "none") return tr("no position information");
    if (QString::fromStdString(m_g.description).contains("query-PE")) return tr("query-PE · key-PE");
    if (m_g.metric == "l2") return tr("L2 distance");
    if (m_g.metric == "dot") return tr("dot product");
    if (m_g.metric == "centred") return tr("centred cosine similarity");
    return tr("cosine similarity");
}

void GeometryPane::refresh() {
    if (!m_has) {
        showMessage(m_run.isEmpty() ? tr("No run selected.") : tr("%1: waiting for the geometry...").arg(m_run));
        return;
    }
    const int n = static_cast<int>(m_g.matrix.shape[0]);
    const bool grid = m_g.dims == 2 && m_g.rows * m_g.cols == n;
    auto pos = [&](int i, int axis) { return m_g.positions[static_cast<size_t>(i * m_g.dims + axis)]; };
    // Read interpolated past the training range: the positions are spread over the trained range.
    const int64_t shown = m_g.dims == 2 ? std::max(m_g.rows, m_g.cols) : (n > 0 ? pos(n - 1, 0) + 1 : 0);
    const bool stretched = m_g.mode == "interpolate" && shown > m_g.train_extent;
    const QString rho =
        std::isfinite(m_g.rank_correlation) ? QString::number(m_g.rank_correlation, 'f', 3) : QString("n/a");
    m_heat->setColorMap(m_g.metric == "l2" ? ColorMap::Viridis : ColorMap::Coolwarm);
    m_heat->setColorBarLabel(measureName());
    m_heat->setTitle(tr("%1: %2, %3, ρ = %4").arg(m_run, measureName(), m_source, rho));
    QString extent;
    if (grid && m_queryMode) {
        const int rows = static_cast<int>(m_g.rows), cols = static_cast<int>(m_g.cols);
        if (m_query.x() < 0 || m_query.y() < 0) m_query = QPoint(cols / 2, rows / 2);
        m_query = QPoint(std::clamp(m_query.x(), 0, cols - 1), std::clamp(m_query.y(), 0, rows - 1));
        const int q = m_query.y() * cols + m_query.x();
        QVector<float> row(m_g.matrix.data.begin() + static_cast<qsizetype>(q) * n,
                           m_g.matrix.data.begin() + static_cast<qsizetype>(q + 1) * n);
        m_heat->setMatrix(rows, cols, std::move(row));
        QStringList rl, cl;
        for (int r = 0; r < rows; ++r) rl << QString::number(pos(r * cols, 0));
        for (int c = 0; c < cols; ++c) cl << QString::number(pos(c, 1));
        m_heat->setRowLabels(rl);
        m_heat->setColumnLabels(cl);
        m_heat->setMarkedCell(m_query.y(), m_query.x());
        // The training grid ends at row/col train_extent (positions count from the grid origin).
        // Read interpolated, the whole grid is the training grid spread out: no border to mark.
        const int gr = stretched ? -1 : static_cast<int>(m_g.train_extent - pos(0, 0)),
                  gc = stretched ? -1 : static_cast<int>(m_g.train_extent - pos(0, 1));
        m_heat->setGuides(gr > 0 && gr < rows ? gr : -1, gc > 0 && gc < cols ? gc : -1, tr("train grid"));
        extent = tr("query patch (%1, %2) against every patch of a %3 x %4 grid; %5")
                     .arg(pos(q, 0))
                     .arg(pos(q, 1))
                     .arg(rows)
                     .arg(cols)
                     .arg((stretched ? tr("the %1 x %1 training grid spread over it")
                                     : tr("dashed: the %1 x %1 training grid"))
                              .arg(m_g.train_extent));
    } else {
        m_heat->setMatrix(n, n, QVector<float>(m_g.matrix.data.begin(), m_g.matrix.data.end()));
        QStringList labels;
        for (int i = 0; i < n; ++i)
            labels << (m_g.dims == 2 ? QString("%1,%2").arg(pos(i, 0)).arg(pos(i, 1)) : QString::number(pos(i, 0)));
        m_heat->setRowLabels(labels);
        m_heat->setColumnLabels(labels);
        m_heat->setMarkedCell(-1, -1);
        if (m_g.dims == 1 && n > 0) {
            const int k = stretched ? -1 : static_cast<int>(m_g.train_extent - pos(0, 0));
            m_heat->setGuides(k > 0 && k < n ? k : -1, k > 0 && k < n ? k : -1,
                              tr("train length %1").arg(m_g.train_extent));
            extent = tr("positions %1 to %2; training length %3%4")
                         .arg(pos(0, 0))
                         .arg(pos(n - 1, 0))
                         .arg(m_g.train_extent)
                         .arg(k > 0 && k < n ? tr(" (dashed: beyond it)") : QString());
        } else {
            m_heat->setGuides(-1, -1, {});
            extent = grid ? tr("%1 x %2 patches in raster order; training grid %3 x %3; click a row to see that "
                               "patch on the grid")
                                .arg(m_g.rows)
                                .arg(m_g.cols)
                                .arg(m_g.train_extent)
                          : tr("%1 positions").arg(n);
        }
    }
    m_header->setText(QString("<b>%1</b> — %2<br>%3")
                          .arg(m_run.toHtmlEscaped(), QString::fromStdString(m_g.description).toHtmlEscaped(),
                               extent.toHtmlEscaped()));
    m_rank->setText(tr("<span style='font-size:18pt; font-weight:600'>ρ = %1</span><br>Spearman rank correlation of "
                       "encoding distance with position distance (1: farther is always less similar)")
                        .arg(rho));
    refreshScatter();
}

void GeometryPane::refreshProfile() {
    // Where relative encodings differ: the score one query adds to keys at each distance, per head,
    // continued past the training length (the dashed line).
    const bool show = m_has && m_g.profile.shape.size() == 2 && m_g.profile.shape[1] > 1;
    m_profile->setVisible(show);
    m_scatter->setVisible(!show);
    if (!show) return;
    m_profile->clear();
    const int64_t H = m_g.profile.shape[0], D = m_g.profile.shape[1];
    QVector<QPointF> mean(static_cast<int>(D), QPointF(0, 0));
    for (int64_t h = 0; h < H; ++h) {
        QVector<QPointF> pts;
        for (int64_t d = 0; d < D; ++d) {
            const double v = m_g.profile.data[static_cast<size_t>(h * D + d)];
            pts.append(QPointF(static_cast<double>(d), v));
            mean[static_cast<int>(d)] = QPointF(static_cast<double>(d), mean[static_cast<int>(d)].y() + v / H);
        }
        QColor c = seriesColor(static_cast<int>(h));
        if (H > 1) c.setAlphaF(0.75f);
        m_profile->setPoints(m_profile->addSeries(H > 1 ? tr("head %1").arg(h) : tr("score"), c), pts);
    }
    if (H > 1) m_profile->setPoints(m_profile->addSeries(tr("mean"), palette().color(QPalette::WindowText)), mean);
    const QString query = m_g.dims == 2 ? tr("patch (0, 0) against patch (0, d)")
                                        : tr("query at position %1 against the key d before it").arg(m_g.profile_query);
    m_profile->setAxisLabels(m_g.dims == 2 ? tr("column distance d (patches)") : tr("distance d (tokens)"),
                             tr("score added to q·k"));
    m_profile->setTitle(tr("%1: score against distance, %2").arg(m_run, query));
    if (m_g.train_extent > 0 && m_g.train_extent < D && m_g.mode != "interpolate") // else all of it is trained
        m_profile->setMarker(static_cast<double>(m_g.train_extent), m_g.dims == 2
                                                                        ? tr("train grid %1").arg(m_g.train_extent)
                                                                        : tr("train length %1").arg(m_g.train_extent));
    else
        m_profile->clearMarker();
    m_profile->autoRange();
}

void GeometryPane::refreshScatter() {
    refreshProfile();
    if (!m_has) return;
    const int n = static_cast<int>(m_g.matrix.shape[0]);
    if (m_g.projection.shape.size() != 2 || m_g.projection.shape[0] != n || m_g.projection.shape[1] < 2) {
        m_scatter->setPoints({}, {});
        m_scatter->setTitle(m_g.kind == "embedding"
                                ? tr("PCA: not available")
                                : tr("PCA: no embedding vectors (%1 encoding)").arg(QString::fromStdString(m_g.kind)));
        m_scatter->setAxisLabels(QString(), QString()); // no axes of an earlier plot under "not available"
        return;
    }
    QVector<QPointF> pts;
    QVector<double> colour;
    QStringList names;
    const int64_t cols = std::max<int64_t>(1, m_g.cols);
    for (int i = 0; i < n; ++i) {
        pts.append(QPointF(m_g.projection.data[static_cast<size_t>(2 * i)],
                           m_g.projection.data[static_cast<size_t>(2 * i + 1)]));
        if (m_g.dims == 2) {
            const int64_t r = m_g.positions[static_cast<size_t>(2 * i)],
                          c = m_g.positions[static_cast<size_t>(2 * i + 1)];
            colour.append(m_colorBy == ColorBy::RasterIndex ? static_cast<double>(r * cols + c)
                                                            : std::hypot(double(r), double(c)));
            names << tr("patch (%1, %2)").arg(r).arg(c);
        } else {
            const int64_t p = m_g.positions[static_cast<size_t>(i)];
            colour.append(static_cast<double>(p));
            names << (p >= m_g.train_extent ? tr("position %1 (beyond training)") : tr("position %1")).arg(p);
        }
    }
    m_scatter->setColorMap(ColorMap::Viridis);
    m_scatter->setPoints(pts, colour);
    m_scatter->setPointLabels(names);
    m_scatter->setAutoColorRange();
    m_scatter->setColorBarLabel(m_g.dims == 1                       ? tr("position")
                                : m_colorBy == ColorBy::RasterIndex ? tr("patch row·%1 + col").arg(cols)
                                                                    : tr("distance from patch (0, 0)"));
    // A share that rounds to 0.0% is said in words: one direction holds (nearly) all the variance.
    auto share = [](const char* pc, double e) {
        return e < 0.0005 ? tr("%1 (under 0.05%: the points lie on one line)").arg(pc)
                          : tr("%1 (%2%)").arg(pc).arg(100 * e, 0, 'f', 1);
    };
    m_scatter->setAxisLabels(share("PC1", m_g.explained[0]), share("PC2", m_g.explained[1]));
    m_scatter->setTitle(tr("%1: PCA of the position embeddings").arg(m_run));
}

FigureTable GeometryPane::matrixTable() const {
    FigureTable t;
    if (!m_has) return t;
    const int rows = m_heat->rows(), cols = m_heat->columns();
    auto pos = [&](int i, int axis) {
        return QString::number(m_g.positions[static_cast<size_t>(i * m_g.dims + axis)]);
    };
    const QString measure =
        QString::fromStdString(m_g.description); // e.g. "centred cosine similarity of the position embeddings"
    if (m_g.dims == 2 && m_queryMode && rows * cols == m_g.matrix.shape[0]) {
        const int q = m_query.y() * cols + m_query.x();
        t.header = {"run", "measure", "query_row", "query_col", "row", "col", "value"};
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                t.rows.append({m_run, measure, pos(q, 0), pos(q, 1), pos(r * cols + c, 0), pos(r * cols + c, 1),
                               number(m_heat->valueAt(r, c))});
    } else if (m_g.dims == 2) {
        t.header = {"run", "measure", "i", "j", "row_i", "col_i", "row_j", "col_j", "value"};
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j)
                t.rows.append({m_run, measure, QString::number(i), QString::number(j), pos(i, 0), pos(i, 1), pos(j, 0),
                               pos(j, 1), number(m_heat->valueAt(i, j))});
    } else {
        t.header = {"run", "measure", "i", "j", "position_i", "position_j", "value"};
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j)
                t.rows.append({m_run, measure, QString::number(i), QString::number(j), pos(i, 0), pos(j, 0),
                               number(m_heat->valueAt(i, j))});
    }
    return t;
}

FigureTable GeometryPane::profileTable() const {
    FigureTable t;
    t.suffix = "distance";
    if (!m_has || m_g.profile.shape.size() != 2) return t;
    const int64_t H = m_g.profile.shape[0], D = m_g.profile.shape[1];
    t.header = {"run", "head", "distance", "score"};
    for (int64_t h = 0; h < H; ++h)
        for (int64_t d = 0; d < D; ++d)
            t.rows.append({m_run, QString::number(h), QString::number(d),
                           number(m_g.profile.data[static_cast<size_t>(h * D + d)])});
    return t;
}

FigureTable GeometryPane::projectionTable() const {
    FigureTable t;
    t.suffix = "pca";
    const int n = m_scatter->pointCount();
    if (!m_has || n == 0) return t;
    t.header = m_g.dims == 2 ? QStringList{"run", "index", "row", "col", "pc1", "pc2", "colour_value"}
                             : QStringList{"run", "index", "position", "pc1", "pc2", "colour_value"};
    for (int i = 0; i < n; ++i) {
        QVector<QString> row{m_run, QString::number(i)};
        for (int a = 0; a < m_g.dims; ++a) row << QString::number(m_g.positions[static_cast<size_t>(i * m_g.dims + a)]);
        const double colour = m_g.dims == 2 && m_colorBy == ColorBy::DistanceFromOrigin
                                  ? std::hypot(double(m_g.positions[static_cast<size_t>(2 * i)]),
                                               double(m_g.positions[static_cast<size_t>(2 * i + 1)]))
                              : m_g.dims == 2
                                  ? double(m_g.positions[static_cast<size_t>(2 * i)] * std::max<int64_t>(1, m_g.cols) +
                                           m_g.positions[static_cast<size_t>(2 * i + 1)])
                                  : double(m_g.positions[static_cast<size_t>(i)]);
        row << number(m_g.projection.data[static_cast<size_t>(2 * i)])
            << number(m_g.projection.data[static_cast<size_t>(2 * i + 1)]) << number(colour);
        t.rows.append(row);
    }
    return t;
}

Figure GeometryPane::heatFigure(const QString& stem) const {
    Figure f;
    if (!m_has) return f;
    f.stem = stem;
    f.title = tr("Geometry of %1: %2 (%3)").arg(m_run, measureName(), m_source);
    f.description = configHashes(m_wb, {m_run});
    f.size = m_heat->size().isEmpty() ? QSizeF(640, 580) : QSizeF(m_heat->size());
    f.render = widgetRender(m_heat);
    f.tables = {matrixTable()};
    return f;
}

Figure GeometryPane::pcaFigure(const QString& stem) const {
    Figure f;
    if (m_has && m_profile->isVisibleTo(this)) { // a relative encoding: its distance profile instead
        FigureTable t = profileTable();
        t.suffix.clear();
        f.stem = QString(stem).replace("-pca", "-distance");
        f.title = tr("Score against distance of %1 (%2)").arg(m_run, m_source);
        f.description = configHashes(m_wb, {m_run});
        f.size = m_profile->size().isEmpty() ? QSizeF(560, 460) : QSizeF(m_profile->size());
        f.render = widgetRender(m_profile);
        f.tables = {t};
        return f;
    }
    if (!m_has || m_scatter->pointCount() == 0) return f;
    FigureTable t = projectionTable();
    t.suffix.clear(); // the figure's own table
    f.stem = stem;
    f.title = tr("PCA of the position embeddings of %1 (%2)").arg(m_run, m_source);
    f.description = configHashes(m_wb, {m_run});
    f.size = m_scatter->size().isEmpty() ? QSizeF(560, 460) : QSizeF(m_scatter->size());
    f.render = widgetRender(m_scatter);
    f.tables = {t};
    return f;
}

} // namespace seqpe::ui
