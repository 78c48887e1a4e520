// AttentionView: run choice, the shared input (test image, picture file or text window), layer
// and head, and the panes side by side. Not here: slicing and drawing attention (AttentionPane).
#include "attention_view.h"
#include "same_spot.h"

#include "checkpoint_picker.h"
#include "figure_exporter.h"
#include "seqpe/algorithmic.h"

#include "app_settings.h"

#include "attention_pane.h"

#include "seqpe/widgets/heat_map.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cstring>

namespace seqpe::ui {

AttentionView::AttentionView(Workbench& wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
    auto* top = new QHBoxLayout(this);
    auto* side = new QWidget;
    side->setFixedWidth(260);
    auto* form = new QVBoxLayout(side);
    form->setContentsMargins(0, 0, 0, 0);
    form->addWidget(new QLabel(tr("Runs (up to 3, same kind)")));
    m_list = new QListWidget;
    m_list->setMaximumHeight(140);
    form->addWidget(m_list);
    auto* at = new QHBoxLayout;
    at->addWidget(new QLabel(tr("Checkpoint")));
    m_checkpoint = new CheckpointPicker(wb);
    m_checkpoint->setToolTip(tr("The checkpoint of the run selected in the list that its pane shows"));
    at->addWidget(m_checkpoint, 1);
    form->addLayout(at);

    m_imageBox = new QWidget;
    auto* img = new QFormLayout(m_imageBox);
    img->setContentsMargins(0, 0, 0, 0);
    m_index = new QSpinBox;
    m_index->setRange(0, 1000000);
    m_index->setKeyboardTracking(false);
    m_index->setToolTip(tr("Index of an image of the run's test split"));
    img->addRow(tr("Test image"), m_index);
    m_open = new QPushButton(tr("Open image file..."));
    img->addRow(m_open);
    m_size = new QSpinBox;
    m_size->setKeyboardTracking(false);
    m_size->setSuffix(tr(" px"));
    m_size->setToolTip(tr("Resolution the image is resized to (a multiple of the patch size; any, also unseen in "
                          "training)"));
    img->addRow(tr("Resolution"), m_size);
    m_size2 = new QSpinBox;
    m_size2->setKeyboardTracking(false);
    m_size2->setSuffix(tr(" px"));
    m_size2->setSpecialValueText(tr("off"));
    m_size2->setToolTip(tr("Show the first checked run a second time at this resolution, beside the first one "
                           "(e.g. its training resolution and 3x it); the other checked runs wait while it is on"));
    img->addRow(tr("Also at"), m_size2);
    m_opacity = new QSlider(Qt::Horizontal);
    m_opacity->setRange(0, 100);
    m_opacity->setValue(60);
    img->addRow(tr("Map opacity"), m_opacity);
    form->addWidget(m_imageBox);

    m_textBox = new QWidget;
    auto* txt = new QFormLayout(m_textBox);
    txt->setContentsMargins(0, 0, 0, 0);
    m_offset = new QSpinBox;
    m_offset->setRange(0, 100000000);
    m_offset->setKeyboardTracking(false);
    m_offset->setToolTip(tr("First token of the window in the test split"));
    m_offsetLabel = new QLabel(tr("Offset"));
    txt->addRow(m_offsetLabel, m_offset);
    m_length = new QSpinBox;
    m_length->setRange(2, 1024);
    m_length->setKeyboardTracking(false);
    m_lengthLabel = new QLabel(tr("Tokens"));
    txt->addRow(m_lengthLabel, m_length);
    m_text = new QLineEdit;
    m_text->setPlaceholderText(tr("or type a text, Enter"));
    m_text->setClearButtonEnabled(true);
    m_text->setToolTip(tr("Your own text, tokenised with each run's tokenizer (at most 1024 tokens); empty: the "
                          "test split window above"));
    txt->addRow(tr("Text"), m_text);
    form->addWidget(m_textBox);

    auto* common = new QFormLayout;
    m_layer = new QComboBox;
    m_head = new QComboBox;
    common->addRow(tr("Layer"), m_layer);
    common->addRow(tr("Head"), m_head);
    m_scale = new QComboBox;
    m_scale->addItem(tr("linear"), int(AttentionPane::Scale::Linear));
    m_scale->addItem(tr("square root"), int(AttentionPane::Scale::Sqrt));
    m_scale->addItem(tr("log10"), int(AttentionPane::Scale::Log));
    m_scale->setToolTip(tr("Colour scale of the weights: a causal text map is dominated by a few large weights "
                           "(the first token, the diagonal); log10 shows the rest"));
    common->addRow(tr("Colours"), m_scale);
    m_rowNorm = new QCheckBox(tr("normalise rows"));
    m_rowNorm->setToolTip(tr("Each query's largest weight = 1: where every query looks, whatever its spread"));
    common->addRow(QString(), m_rowNorm);
    form->addLayout(common);
    m_source = new QLabel;
    m_source->setWordWrap(true);
    form->addWidget(m_source);
    m_hint = new QLabel;
    m_hint->setWordWrap(true); // fits the side panel's width
    form->addWidget(m_hint);
    form->addStretch();
    auto* exportButton = new QPushButton(tr("Export figure..."));
    form->addWidget(exportButton);
    top->addWidget(side);

    auto* split = new QSplitter(Qt::Horizontal);
    for (auto& p : m_panes) {
        p = new AttentionPane(wb);
        split->addWidget(p);
        p->hide();
    }
    m_frame = split;
    top->addWidget(split, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &AttentionView::refresh);
    connect(exportButton, &QPushButton::clicked, this, &AttentionView::exportFigure);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString f =
            QFileDialog::getOpenFileName(this, tr("Open an image"), AppSettings::dialogFolder("image", QString()),
                                         tr("Images (*.png *.jpg *.jpeg *.bmp *.pgm *.ppm)"));
        if (f.isEmpty()) return;
        AppSettings::setDialogFolder("image", f);
        openImageFile(f);
    });
    connect(m_index, &QSpinBox::valueChanged, this, [this] {
        m_fromFile = false; // back to the test split
        scheduleRefresh();
    });
    for (QSpinBox* s : {m_size, m_size2, m_offset, m_length})
        connect(s, &QSpinBox::valueChanged, this, &AttentionView::scheduleRefresh);
    connect(m_size2, &QSpinBox::valueChanged, this, &AttentionView::layoutPanes); // one run twice, or each run once
    connect(m_text, &QLineEdit::returnPressed, this, &AttentionView::refresh);
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString& t) {
        if (t.isEmpty()) scheduleRefresh(); // cleared: back to the test split
    });
    for (QSpinBox* s : {m_offset, m_length})
        connect(s, &QSpinBox::valueChanged, this, [this] { m_text->clear(); }); // the window again
    for (QComboBox* c : {m_layer, m_head})
        connect(c, &QComboBox::currentIndexChanged, this, &AttentionView::scheduleRefresh);
    auto applyScale = [this] {
        for (auto* p : m_panes)
            p->setColourScale(AttentionPane::Scale(m_scale->currentData().toInt()), m_rowNorm->isChecked());
    };
    connect(m_scale, &QComboBox::currentIndexChanged, this, applyScale);
    connect(m_rowNorm, &QCheckBox::toggled, this, applyScale);
    connect(m_opacity, &QSlider::valueChanged, this, [this](int v) {
        for (auto* p : m_panes) p->setOverlayOpacity(v / 100.0);
    });
    connect(m_list, &QListWidget::currentTextChanged, m_checkpoint, &CheckpointPicker::setRun);
    connect(&wb.probes(), &ProbeService::checkpointChanged, this, [this](const QString& run) {
        if (m_checked.contains(run)) scheduleRefresh();
    });
    connect(m_list, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        if (!m_updating) onChecked(item->text(), item->checkState() == Qt::Checked);
    });
    for (auto* p : m_panes) {
        connect(p, &AttentionPane::queryCellPicked, this, [this, p](int row, int col) {
            // Panes at another resolution get the cell over the same place of the picture.
            const auto index = [this](const AttentionPane* q) {
                return static_cast<int>(std::find(m_panes.begin(), m_panes.end(), q) - m_panes.begin());
            };
            const double from = paneResolution(index(p));
            for (auto* o : m_panes) {
                if (o == p) continue;
                const double to = paneResolution(index(o));
                o->setQueryCell(sameSpotCell(row, from, to), sameSpotCell(col, from, to));
            }
        });
        connect(p, &AttentionPane::mapShown, this, [this, p] {
            // The class name of the test image, once a model told us the class names.
            if (p == m_panes[0] && m_image && !m_fromFile && !p->map().classes.isEmpty() && m_label >= 0 &&
                m_label < p->map().classes.size())
                m_source->setText(tr("Test image %1: %2").arg(m_fetchedIndex).arg(p->map().classes[m_label]));
        });
    }
    connect(&wb.store(), &RunStore::runsChanged, this, &AttentionView::rebuildRunList);
    rebuildRunList();
}

int AttentionView::patchSize() const {
    const RunView* v = m_checked.isEmpty() ? nullptr : m_wb.store().run(m_checked.front());
    return v && v->config ? static_cast<int>(std::max<int64_t>(1, v->config->model.patch_size)) : 4;
}

void AttentionView::rebuildRunList() {
    m_updating = true;
    m_list->clear();
    const QStringList names = m_wb.store().names();
    QStringList keep;
    for (const QString& r : m_checked)
        if (names.contains(r)) keep << r;
    m_checked = keep;
    for (const QString& n : names) {
        auto* item = new QListWidgetItem(n, m_list);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(m_checked.contains(n) ? Qt::Checked : Qt::Unchecked);
    }
    m_updating = false;
    if (!m_checked.isEmpty()) m_list->setCurrentItem(m_list->findItems(m_checked.front(), Qt::MatchExactly).value(0));
    if (m_checked.isEmpty() && !names.isEmpty())
        addRun(names.front());
    else {
        configure();
        layoutPanes();
    }
}

void AttentionView::addRun(const QString& run) {
    const auto items = m_list->findItems(run, Qt::MatchExactly);
    if (items.isEmpty()) return;
    if (items.front()->checkState() == Qt::Checked) return;
    items.front()->setCheckState(Qt::Checked); // -> onChecked
}

void AttentionView::setRuns(const QStringList& runs) {
    m_updating = true;
    for (int i = 0; i < m_list->count(); ++i) m_list->item(i)->setCheckState(Qt::Unchecked);
    m_updating = false;
    m_checked.clear();
    for (const QString& r : runs) addRun(r);
}

QStringList AttentionView::runs() const {
    return m_checked;
}

void AttentionView::onChecked(const QString& run, bool on) {
    m_checked.removeAll(run);
    if (on) {
        // One kind at a time: images, text windows, algorithmic instances.
        const auto kind = [this](const QString& r) {
            const RunView* v = m_wb.store().run(r);
            const std::string t = v && v->config ? v->config->task : std::string();
            return t == "image" ? 0 : t == "algorithmic" ? 1 : 2;
        };
        QStringList drop;
        for (const QString& r : m_checked)
            if (kind(r) != kind(run)) drop << r;
        while (m_checked.size() - drop.size() >= 3) drop << m_checked[drop.size()]; // the oldest go first
        m_updating = true;
        for (const QString& r : drop) {
            m_checked.removeAll(r);
            for (auto* item : m_list->findItems(r, Qt::MatchExactly)) item->setCheckState(Qt::Unchecked);
        }
        m_updating = false;
        m_checked << run;
        m_list->setCurrentItem(m_list->findItems(run, Qt::MatchExactly).value(0));
    }
    configure();
    layoutPanes();
    refresh();
}

void AttentionView::configure() {
    const RunView* v = m_checked.isEmpty() ? nullptr : m_wb.store().run(m_checked.front());
    if (!v || !v->config) return;
    const RunConfig& c = *v->config;
    const bool image = c.task == "image";
    m_updating = true;
    const QSignalBlocker b1(m_size), b2(m_layer), b3(m_head), b4(m_length);
    if (image != m_image || m_size->value() < patchSize()) {
        const int p = patchSize();
        m_size->setRange(p, std::min(1024, p * 40));
        m_size->setSingleStep(p);
        m_size2->setRange(0, std::min(1024, p * 40)); // 0: off
        m_size2->setSingleStep(p);
        m_size->setValue(static_cast<int>(c.data.image_size));
        m_length->setValue(static_cast<int>(std::min<int64_t>(c.train.seq_len, 256)));
    }
    if (image != m_image || !m_kindSet) {
        // Text maps read best in log10 (one large weight per row), image maps over the picture linearly.
        m_scale->setCurrentIndex(
            m_scale->findData(int(image ? AttentionPane::Scale::Linear : AttentionPane::Scale::Log)));
        m_kindSet = true;
    }
    if (c.task == "algorithmic") {
        // A test instance (algo.seed) of a length, by default the first evaluated past the training range.
        if (!m_algorithmic) {
            int64_t n = c.algo.train_max_len;
            for (const int64_t l : c.algo.eval_lengths)
                if (l > c.algo.train_max_len) {
                    n = l;
                    break;
                }
            m_length->setRange(1, 1000);
            m_length->setValue(static_cast<int>(n));
        }
        m_offsetLabel->setText(tr("Instance"));
        m_offset->setToolTip(tr("Which test instance of that length (the same instances every run is scored on)"));
        m_lengthLabel->setText(tr("Length"));
        m_length->setToolTip(tr("Instance length in %1 (trained on %2-%3)")
                                 .arg(QString::fromStdString(algo_length_unit(c.algo)))
                                 .arg(c.algo.train_min_len)
                                 .arg(c.algo.train_max_len));
        m_text->setPlaceholderText(tr("or type an instance, e.g. 3142|2413, Enter"));
        m_text->setToolTip(tr("One character per token: digits, a-z, + = and | (the separator); <s> is added"));
    } else if (m_algorithmic) {
        m_offsetLabel->setText(tr("Offset"));
        m_offset->setToolTip(tr("First token of the window in the test split"));
        m_lengthLabel->setText(tr("Tokens"));
        m_length->setToolTip(QString());
        m_length->setRange(2, 1024);
        m_length->setValue(static_cast<int>(std::min<int64_t>(c.train.seq_len, 256)));
        m_text->setPlaceholderText(tr("or type a text, Enter"));
        m_text->setToolTip(tr("Your own text, tokenised with each run's tokenizer (at most 1024 tokens); empty: the "
                              "test split window above"));
    }
    m_algorithmic = c.task == "algorithmic";
    m_image = image;
    m_imageBox->setVisible(image);
    m_textBox->setVisible(!image);
    m_hint->setText(image ? tr("<small>Click a patch to choose the query; every pane follows.</small>")
                          : tr("<small>Rows are queries, columns keys (causal: nothing right of the diagonal). "
                               "Click a cell to read its two tokens.</small>"));
    const int layer = std::max(0, m_layer->currentIndex()), head = m_head->currentIndex();
    m_layer->clear();
    for (int64_t l = 0; l < c.model.n_layer; ++l) m_layer->addItem(tr("layer %1").arg(l), int(l));
    m_layer->setCurrentIndex(std::min(layer, m_layer->count() - 1));
    m_head->clear();
    m_head->addItem(tr("mean over heads"), -1);
    for (int64_t h = 0; h < c.model.n_head; ++h) m_head->addItem(tr("head %1").arg(h), int(h));
    m_head->setCurrentIndex(std::clamp(head, 0, m_head->count() - 1));
    m_updating = false;
}

void AttentionView::layoutPanes() {
    const bool twice = m_image && secondResolution() > 0 && !m_checked.isEmpty();
    for (size_t i = 0; i < m_panes.size(); ++i) {
        QString run = i < static_cast<size_t>(m_checked.size()) ? m_checked[static_cast<qsizetype>(i)] : QString();
        if (twice) run = i < 2 ? m_checked.front() : QString(); // one run at two resolutions
        m_panes[i]->setRun(run);
        m_panes[i]->setVisible(!run.isEmpty());
    }
}

int AttentionView::paneCount() const {
    if (m_image && secondResolution() > 0 && !m_checked.isEmpty()) return 2;
    return static_cast<int>(std::min<qsizetype>(3, m_checked.size()));
}

int AttentionView::secondResolution() const {
    if (m_size2->value() <= 0) return 0;
    const int p = patchSize();
    return std::max(p, (m_size2->value() + p / 2) / p * p);
}

void AttentionView::setSecondResolution(int pixels) {
    m_size2->setValue(std::max(0, pixels)); // valueChanged: panes laid out again, then a refresh
}

int AttentionView::paneResolution(int pane) const {
    return pane == 1 && paneCount() == 2 && secondResolution() > 0 && m_image ? secondResolution() : resolution();
}

void AttentionView::scheduleRefresh() {
    if (!m_updating) m_debounce->start();
}

void AttentionView::setTestImage(int index) {
    m_fromFile = false;
    m_index->setValue(index);
}

void AttentionView::setImage(const QImage& picture) {
    // Grayscale pictures stay one channel; the engine converts to the model's channels.
    const bool gray = picture.allGray();
    const QImage img = picture.convertToFormat(gray ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    m_h = img.height();
    m_w = img.width();
    m_c = gray ? 1 : 3;
    m_pixels.resize(static_cast<size_t>(m_h) * m_w * m_c);
    for (int y = 0; y < m_h; ++y)
        std::memcpy(m_pixels.data() + static_cast<size_t>(y) * m_w * m_c, img.constScanLine(y),
                    static_cast<size_t>(m_w) * m_c);
    m_picture = img;
    m_fromFile = true;
    m_source->setText(tr("Picture %1 x %2 (%3)").arg(m_w).arg(m_h).arg(gray ? tr("grayscale") : tr("RGB")));
    Q_EMIT imageReady();
    refresh();
}

bool AttentionView::openImageFile(const QString& file) {
    QImage img(file);
    if (img.isNull()) {
        m_source->setText(tr("Cannot read %1 as an image").arg(file));
        return false;
    }
    setImage(img);
    return true;
}

void AttentionView::setResolution(int pixels) {
    m_size->setValue(pixels);
}

int AttentionView::resolution() const {
    const int p = patchSize();
    return std::max(p, (m_size->value() + p / 2) / p * p);
}

void AttentionView::setLayer(int layer) {
    m_layer->setCurrentIndex(std::max(0, m_layer->findData(layer)));
}
void AttentionView::setHead(int head) {
    m_head->setCurrentIndex(std::max(0, m_head->findData(head)));
}
void AttentionView::setTextWindow(int64_t offset, int64_t length) {
    m_offset->setValue(static_cast<int>(offset));
    m_length->setValue(static_cast<int>(length));
}

void AttentionView::setQueryCell(int row, int col) {
    for (auto* p : m_panes) p->setQueryCell(row, col);
}

void AttentionView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) refresh();
}

void AttentionView::refresh() {
    m_debounce->stop();
    if (m_checked.isEmpty()) return;
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    if (!m_image) {
        m_source->setText(
            !m_text->text().trimmed().isEmpty() ? tr("Your text (%1 characters)").arg(m_text->text().size())
            : m_algorithmic ? tr("Test instance %1 of length %2").arg(m_offset->value()).arg(m_length->value())
                            : tr("Tokens %1 to %2 of the test split")
                                  .arg(m_offset->value())
                                  .arg(m_offset->value() + m_length->value() - 1));
        probeAll();
        return;
    }
    if (m_size->value() != resolution()) {
        const QSignalBlocker block(m_size);
        m_size->setValue(resolution());
    }
    const int index = m_index->value();
    if (m_fromFile || (!m_pixels.empty() && m_fetchedIndex == index && m_fetchedFrom == m_checked.front())) {
        probeAll();
        return;
    }
    // The test image comes from the first run's dataset; every pane then sees the same pixels.
    const QString from = m_checked.front();
    m_wb.probes().request<ImageSample>(
        from,
        [index](Inspector& in) {
            ImageSample s;
            s.pixels = in.sample_image(index, &s.h, &s.w, &s.c, &s.label);
            return s;
        },
        this,
        [this, index, from](const ImageSample& s) {
            if (m_fromFile || index != m_index->value()) return; // superseded meanwhile
            m_pixels = s.pixels;
            m_h = s.h;
            m_w = s.w;
            m_c = s.c;
            m_picture = toImage(m_pixels, m_h, m_w, m_c);
            m_fetchedIndex = index;
            m_fetchedFrom = from;
            m_label = s.label;
            m_source->setText(tr("Test image %1: class %2").arg(index).arg(s.label));
            Q_EMIT imageReady();
            probeAll();
        },
        [this](const QString& e) {
            m_source->setText(tr("<span style='color:#c0392b'>No test image: %1</span>").arg(e.toHtmlEscaped()));
        });
}

void AttentionView::setCustomText(const QString& text) {
    const QSignalBlocker block(m_text);
    m_text->setText(text);
    refresh();
}

void AttentionView::probeAll() {
    const int layer = m_layer->currentData().toInt(), head = m_head->currentData().toInt();
    for (int i = 0; i < paneCount(); ++i) {
        if (m_image)
            m_panes[static_cast<size_t>(i)]->requestImage(m_pixels, m_h, m_w, m_c, paneResolution(i), layer, head,
                                                          m_picture);
        else if (!m_text->text().trimmed().isEmpty())
            m_panes[static_cast<size_t>(i)]->requestCustomText(m_text->text(), layer, head);
        else
            m_panes[static_cast<size_t>(i)]->requestText(m_offset->value(), m_length->value(), layer, head);
    }
}

Figure AttentionView::figure() const {
    Figure f;
    QList<QPair<const QWidget*, RenderFunction>> parts;
    FigureTable all;
    QStringList runs;
    for (int i = 0; i < paneCount(); ++i) {
        const AttentionPane* p = m_panes[static_cast<size_t>(i)];
        if (!p->hasMap()) continue;
        runs << p->run();
        parts << qMakePair(static_cast<const QWidget*>(p->heatMap()), RenderFunction());
        const FigureTable t = p->table();
        all.header = t.header;
        all.rows += t.rows;
    }
    if (runs.isEmpty()) return f;
    const QString at = secondResolution() > 0 && paneCount() == 2 && m_image
                           ? QString("-%1px-and-%2px").arg(resolution()).arg(secondResolution())
                           : QString("-%1px").arg(resolution());
    if (at.contains("-and-")) runs = QStringList{runs.front()}; // one run at two resolutions
    f.stem = "attention-" + runs.join("-vs-") + (m_image ? at : QString("-tokens-%1").arg(m_offset->value()));
    f.title = tr("Attention: %1").arg(runs.join(tr(" vs ")));
    f.description = configHashes(m_wb, runs);
    f.size = m_frame->size();
    f.render = renderAsShown(m_frame, parts);
    f.tables = {all};
    return f;
}

void AttentionView::exportFigure() {
    exportFigureInteractively(this, figure(), FigureExporter::defaultDirectory(m_wb));
}

} // namespace seqpe::ui
