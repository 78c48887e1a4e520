// AttentionPane: probe one forward pass, keep one layer's (T, T) map, show a query's row.
// Not here: choosing the image, text window, layer or runs (AttentionView).
#include "attention_pane.h"
#include "same_spot.h"

#include "seqpe/widgets/heat_map.h"

#include <QLabel>
#include <QVBoxLayout>
#include <cmath>
#include <cstring>

namespace seqpe::ui {

namespace {

// On the probe thread: one layer (or the mean of its heads) of the (L, H, T, T) probabilities, so
// only T x T floats cross to the GUI thread.
AttentionMap slice(const AttentionResult& a, int layer, int head) {
    AttentionMap m;
    if (a.probs.shape.size() != 4) return m;
    const int64_t L = a.probs.shape[0], H = a.probs.shape[1], T = a.probs.shape[2];
    m.layers = L;
    m.heads = H;
    m.tokens = T;
    m.layer = std::clamp<int64_t>(layer, 0, L - 1);
    m.head = head >= 0 ? std::min<int64_t>(head, H - 1) : -1;
    m.prefix = a.prefix;
    m.gridRows = a.grid_rows;
    m.gridCols = a.grid_cols;
    m.predicted = a.predicted_class;
    for (const auto& c : a.classes) m.classes << QString::fromStdString(c);
    for (const auto& t : a.tokens) m.labels << QString::fromStdString(t);
    m.answer = algorithmicAnswerLine(a);
    m.probs.resize(static_cast<qsizetype>(T * T));
    const float* base = a.probs.data.data() + m.layer * H * T * T;
    for (int64_t i = 0; i < T * T; ++i) {
        if (m.head >= 0) {
            m.probs[i] = base[m.head * T * T + i];
            continue;
        }
        double s = 0;
        for (int64_t h = 0; h < H; ++h) s += base[h * T * T + i];
        m.probs[i] = static_cast<float>(s / static_cast<double>(H));
    }
    return m;
}

} // namespace

// Algorithmic instances: the answer tokens against the model's argmax at the positions before them
// (teacher-forced: each prediction sees the right answer so far), and whether it then ends.
QString algorithmicAnswerLine(const AttentionResult& a) {
    const int64_t T = static_cast<int64_t>(a.tokens.size());
    if (a.answer_start < 1 || a.answer_start > T || a.predicted.size() != a.tokens.size()) return {};
    const auto tok = [&](const std::vector<std::string>& v, int64_t i) {
        return QString::fromStdString(v[static_cast<size_t>(i)]);
    };
    if (a.answer_start == T) return QObject::tr("the model's next token: <b>%1</b>").arg(tok(a.predicted, T - 1));
    QString target, model;
    int64_t right = 0;
    for (int64_t i = a.answer_start; i < T; ++i) {
        const QString want = tok(a.tokens, i), got = tok(a.predicted, i - 1);
        target += want;
        const bool ok = want == got;
        right += ok;
        model += ok ? got : QStringLiteral("<span style='color:#c0392b'><u>%1</u></span>").arg(got.toHtmlEscaped());
    }
    const QString end = tok(a.predicted, T - 1);
    const int64_t A = T - a.answer_start;
    const bool exact = right == A && end == QStringLiteral("</s>");
    return QObject::tr("answer %1 · model %2 then %3 · %4 of %5 right%6")
        .arg(target.toHtmlEscaped(), model, end.toHtmlEscaped())
        .arg(right)
        .arg(A)
        .arg(exact ? QObject::tr(", exact match") : QString());
}

AttentionPane::AttentionPane(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QVBoxLayout(this);
    top->setContentsMargins(2, 2, 2, 2);
    m_heat = new HeatMap;
    m_heat->setMinimumSize(300, 300); // smaller, a token map is unreadable: the page scrolls instead
    m_heat->setColorMap(ColorMap::Magma);
    m_heat->setColorBarLabel(tr("attention"));
    top->addWidget(m_heat, 1);
    m_info = new QLabel;
    m_info->setTextFormat(Qt::RichText); // labels such as <s> are escaped where they appear
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_info);
    connect(m_heat, &HeatMap::cellClicked, this, [this](int row, int col) {
        if (m_map.gridRows > 0) {
            setQueryCell(row, col);
            Q_EMIT queryCellPicked(row, col);
        } else {
            m_heat->setMarkedCell(row, col); // text: read the cell under the marker
            refresh();
        }
    });
}

QImage toImage(const std::vector<uint8_t>& px, int h, int w, int c) {
    QImage img(w, h, c == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        std::memcpy(img.scanLine(y), px.data() + static_cast<size_t>(y) * w * c, static_cast<size_t>(w) * c);
    return img;
}

void AttentionPane::setRun(const QString& run) {
    if (run == m_run) return;
    m_run = run;
    m_map = {};
    ++m_generation;
    refresh();
}

void AttentionPane::requestImage(std::vector<uint8_t> pixels, int height, int width, int channels, int size, int layer,
                                 int head, const QImage& picture) {
    if (m_run.isEmpty()) return;
    m_picture = picture.scaled(size, size); // what the model sees: the engine resizes to size x size
    m_imageSize = size;
    requestMap([pixels = std::move(pixels), height, width, channels,
                size](Inspector& in) { return in.image_attention(pixels, height, width, channels, size); },
               layer, head);
}

void AttentionPane::requestText(int64_t offset, int64_t length, int layer, int head) {
    requestTokens([offset, length](Inspector& in) { return in.sample_tokens(offset, length); }, layer, head);
}

void AttentionPane::requestCustomText(const QString& text, int layer, int head) {
    requestTokens(
        [utf8 = text.toStdString()](Inspector& in) {
            std::vector<int64_t> tokens = in.encode_text(utf8);
            if (tokens.size() > 1024) tokens.resize(1024); // the view's limit, as for the test split
            return tokens;
        },
        layer, head);
}

void AttentionPane::requestTokens(std::function<std::vector<int64_t>(Inspector&)> tokens, int layer, int head) {
    if (m_run.isEmpty()) return;
    m_picture = QImage();
    requestMap([tokens = std::move(tokens)](Inspector& in) { return in.text_attention(tokens(in)); }, layer, head);
}

void AttentionPane::requestMap(std::function<AttentionResult(Inspector&)> attention, int layer, int head) {
    const quint64 gen = ++m_generation; // answers to earlier requests are dropped
    m_wb.probes().request<AttentionMap>(
        m_run,
        [attention = std::move(attention), layer, head](Inspector& in) {
            AttentionMap m = slice(attention(in), layer, head);
            m.step = in.step();
            return m;
        },
        this,
        [this, gen](const AttentionMap& m) {
            if (gen == m_generation) show(m);
        },
        [this, gen](const QString& e) {
            if (gen == m_generation) fail(e);
        });
}

void AttentionPane::setOverlayOpacity(double opacity) {
    m_opacity = opacity;
    if (!m_picture.isNull()) m_heat->setBackgroundImage(m_picture, opacity);
}

void AttentionPane::show(const AttentionMap& m) {
    // Another resolution: keep the query on the same spot of the picture.
    if (m_map.gridRows > 0 && m.gridRows > 0 && m_query.x() >= 0 &&
        (m.gridRows != m_map.gridRows || m.gridCols != m_map.gridCols))
        m_query = QPoint(sameSpotCell(m_query.x(), m_map.gridCols, m.gridCols),
                         sameSpotCell(m_query.y(), m_map.gridRows, m.gridRows));
    m_map = m;
    refresh();
    Q_EMIT mapShown();
}

void AttentionPane::fail(const QString& error) {
    m_map = {};
    refresh();
    m_info->setText(tr("<span style='color:#c0392b'>%1: %2</span>").arg(m_run.toHtmlEscaped(), error.toHtmlEscaped()));
    Q_EMIT probeFailed(error);
}

void AttentionPane::setQueryCell(int row, int col) {
    m_query = QPoint(col, row);
    refresh();
}

void AttentionPane::setColourScale(Scale scale, bool rowNormalised) {
    if (scale == m_scale && rowNormalised == m_rowNormalised) return;
    m_scale = scale;
    m_rowNormalised = rowNormalised;
    refresh();
}

QString AttentionPane::scaleText() const {
    QString s = m_scale == Scale::Log    ? tr("log10 scale")
                : m_scale == Scale::Sqrt ? tr("square-root scale")
                                         : tr("linear scale");
    if (m_rowNormalised) s += tr(", rows normalised");
    return s;
}

QVector<float> AttentionPane::colourValues(QVector<float> w, int cols, Scale scale, bool rowNormalised) {
    if (rowNormalised && cols > 0)
        for (qsizetype r = 0; r + cols <= w.size(); r += cols) {
            float hi = 0;
            for (int c = 0; c < cols; ++c) hi = std::max(hi, w[r + c]);
            if (hi > 0)
                for (int c = 0; c < cols; ++c) w[r + c] /= hi;
        }
    for (float& v : w) {
        if (scale == Scale::Sqrt)
            v = std::sqrt(std::max(v, 0.0f));
        else if (scale == Scale::Log)
            v = std::log10(std::max(v, 1e-4f)); // masked (0) keys at the floor
    }
    return w;
}

double AttentionPane::classShare() const {
    if (!hasMap() || m_map.gridRows <= 0 || m_query.x() < 0) return std::nan("");
    const int64_t T = m_map.tokens, q = m_map.prefix + m_query.y() * m_map.gridCols + m_query.x();
    double s = 0;
    for (int64_t k = 0; k < m_map.prefix; ++k) s += m_map.probs[static_cast<qsizetype>(q * T + k)];
    return s;
}

void AttentionPane::refresh() {
    const QString head = m_map.head >= 0 ? tr("head %1").arg(m_map.head) : tr("mean of %1 heads").arg(m_map.heads);
    if (!hasMap()) {
        m_heat->setMatrix(0, 0, {});
        m_heat->setBackgroundImage(QImage(), 0);
        m_heat->setTitle(m_run);
        m_info->setText(m_run.isEmpty() ? QString() : tr("%1: waiting for the model...").arg(m_run));
        return;
    }
    const int64_t T = m_map.tokens;
    if (m_map.gridRows > 0) {
        const int rows = static_cast<int>(m_map.gridRows), cols = static_cast<int>(m_map.gridCols);
        if (m_query.x() < 0 || m_query.y() < 0) m_query = QPoint(cols / 2, rows / 2);
        m_query = QPoint(std::clamp(m_query.x(), 0, cols - 1), std::clamp(m_query.y(), 0, rows - 1));
        const int64_t q = m_map.prefix + m_query.y() * cols + m_query.x();
        QVector<float> row(rows * cols);
        for (int k = 0; k < rows * cols; ++k) row[k] = m_map.probs[static_cast<qsizetype>(q * T + m_map.prefix + k)];
        m_heat->setMatrix(rows, cols,
                          colourValues(std::move(row), 0, m_scale, false)); // one query: nothing to normalise per row
        m_heat->setMarkedCell(m_query.y(), m_query.x());
        m_heat->setRowLabels({});
        m_heat->setColumnLabels({});
        m_heat->setBackgroundImage(m_picture, m_opacity);
        const double share = classShare();
        m_heat->setTitle(tr("%1 at %8 px (step %7): layer %2, %3, query (%4, %5), class token %6%")
                             .arg(m_run)
                             .arg(m_map.layer)
                             .arg(head)
                             .arg(m_query.y())
                             .arg(m_query.x())
                             .arg(100 * share, 0, 'f', 1)
                             .arg(m_map.step)
                             .arg(m_imageSize));
        m_heat->setColorBarLabel(m_scale == Scale::Linear ? tr("attention") : tr("attention (%1)").arg(scaleText()));
        QString predicted;
        if (m_map.predicted >= 0)
            predicted = tr(" · predicted: %1")
                            .arg(m_map.predicted < m_map.classes.size() ? m_map.classes[m_map.predicted]
                                                                        : QString::number(m_map.predicted));
        m_info->setText(tr("<b>class token: %1%</b> of the query patch's attention%2 · grid %3 x %4 (%5 px)")
                            .arg(100 * share, 0, 'f', 1)
                            .arg(predicted)
                            .arg(rows)
                            .arg(cols)
                            .arg(m_picture.width()));
    } else {
        m_heat->setBackgroundImage(QImage(), 0);
        m_heat->setMatrix(static_cast<int>(T), static_cast<int>(T),
                          colourValues(m_map.probs, static_cast<int>(T), m_scale, m_rowNormalised));
        m_heat->setRowLabels(m_map.labels);
        m_heat->setColumnLabels(m_map.labels);
        m_heat->setTitle(tr("%1 (step %2): layer %3, %4 (query x key), %5")
                             .arg(m_run)
                             .arg(m_map.step)
                             .arg(m_map.layer)
                             .arg(head, scaleText()));
        m_heat->setColorBarLabel(tr("attention (%1)").arg(scaleText()));
        const QPoint c = m_heat->markedCell();
        const QString cell = c.x() >= 0 ? m_heat->cellText(c.y(), c.x()).toHtmlEscaped()
                                        : tr("%1 tokens; click a cell to read it").arg(T);
        m_info->setText(m_map.answer.isEmpty() ? cell : m_map.answer + "<br>" + cell);
    }
}

FigureTable AttentionPane::table() const {
    FigureTable t;
    if (!hasMap()) return t;
    // The raw weights, whatever the colour scale (query q, key k over all tokens).
    const int64_t T = m_map.tokens;
    auto rawAt = [&](int64_t q, int64_t k) {
        return static_cast<double>(m_map.probs[static_cast<qsizetype>(q * T + k)]);
    };
    const QString layer = QString::number(m_map.layer), head = m_map.head >= 0 ? QString::number(m_map.head) : "mean";
    if (m_map.gridRows > 0) {
        t.header = {"run", "layer", "head", "query_row", "query_col", "key_row", "key_col", "attention"};
        const QString qr = QString::number(m_query.y()), qc = QString::number(m_query.x());
        t.rows.append({m_run, layer, head, qr, qc, "class", "class", csvNumber(classShare())});
        for (int r = 0; r < m_heat->rows(); ++r)
            for (int c = 0; c < m_heat->columns(); ++c)
                t.rows.append({m_run, layer, head, qr, qc, QString::number(r), QString::number(c),
                               csvNumber(rawAt(m_map.prefix + (m_query.y() * m_heat->columns() + m_query.x()),
                                               m_map.prefix + r * m_heat->columns() + c))});
    } else {
        t.header = {"run", "layer", "head", "query", "key", "query_token", "key_token", "attention"};
        for (int q = 0; q < m_heat->rows(); ++q)
            for (int k = 0; k < m_heat->columns(); ++k)
                t.rows.append({m_run, layer, head, QString::number(q), QString::number(k), m_map.labels.value(q),
                               m_map.labels.value(k), csvNumber(rawAt(q, k))});
    }
    return t;
}

} // namespace seqpe::ui
