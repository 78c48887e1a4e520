#pragma once
// One run's attention in the Attention tab. Image runs: one query patch's attention over the patch
// grid, drawn over the image, with the share that goes to the class token; a click on a patch
// picks the query. Text runs: the query x key attention matrix of a token window, tokens as labels.
//
// One probe per forward pass (ProbeService); it returns one layer's (T, T) map, or the mean over
// the heads, so picking another query patch needs no probe. Older answers are dropped.
// GUI thread only.
#include "figure.h"
#include "workbench.h"

#include <QImage>
#include <QWidget>
#include <functional>

class QLabel;

namespace seqpe::ui {

class HeatMap;

// One layer of one forward pass, as the pane keeps it.
struct AttentionMap {
    int64_t tokens = 0; // T
    int64_t prefix = 0; // class token(s) before the patches (image)
    int64_t gridRows = 0, gridCols = 0;
    int64_t layer = 0, head = -1;  // head -1: mean over the heads
    int64_t layers = 0, heads = 0; // of the model
    QVector<float> probs;          // (T, T): query x key
    QStringList labels;            // text: one per token
    int64_t predicted = -1;        // image: predicted class
    QString answer;                // algorithmic: the answer read against the model's predictions
    QStringList classes;
    int64_t step = -1; // of the checkpoint (or live model) probed
};

// A test image of a run's dataset, as the probe worker reads it (Inspector::sample_image).
struct ImageSample {
    std::vector<uint8_t> pixels; // h x w x c
    int h = 0, w = 0, c = 0;
    int64_t label = -1;
};
QImage toImage(const std::vector<uint8_t>& pixels, int h, int w, int c);
// An algorithmic instance's answer read against the model's argmax before each answer token
// (rich text: wrong tokens marked); empty when the result has no answer (answer_start < 1).
QString algorithmicAnswerLine(const AttentionResult& a);

class AttentionPane : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPane(Workbench& wb, QWidget* parent = nullptr);

    void setRun(const QString& run);
    const QString& run() const { return m_run; }

    // An image (h x w x c bytes) resized by the engine to size x size; `picture` is drawn under
    // the map. layer: 0-based; head: -1 for the mean over the heads.
    void requestImage(std::vector<uint8_t> pixels, int height, int width, int channels, int size, int layer, int head,
                      const QImage& picture);
    // The test split's tokens offset .. offset + length - 1.
    void requestText(int64_t offset, int64_t length, int layer, int head);
    // A text of the user's, tokenised with the run's tokenizer (the run's own vocabulary).
    void requestCustomText(const QString& text, int layer, int head);
    void setOverlayOpacity(double opacity);
    // How weights become colours: linear, square root (power 0.5) or log10 (floor 1e-4); rows
    // normalised: each query's largest weight is 1. Exported tables keep the raw weights.
    enum class Scale { Linear, Sqrt, Log };
    void setColourScale(Scale scale, bool rowNormalised);
    QString scaleText() const; // "log10 scale, rows normalised" (for titles and colour bars)
    // The weights as drawn: rows (each `cols` long; 0: one row) normalised and scaled as asked.
    static QVector<float> colourValues(QVector<float> weights, int cols, Scale scale, bool rowNormalised);

    // Image runs: the query patch as (row, col) of the grid; clamped; (-1, -1): the centre.
    void setQueryCell(int row, int col);
    QPoint queryCell() const { return m_query; }  // QPoint(col, row)
    int imageSize() const { return m_imageSize; } // pixels of the last image request
    // Share of the query's attention that goes to the class token(s), 0..1 (NaN without a map).
    double classShare() const;

    bool hasMap() const { return !m_map.probs.isEmpty(); }
    const AttentionMap& map() const { return m_map; }
    HeatMap* heatMap() const { return m_heat; }
    QLabel* infoLabel() const { return m_info; }
    FigureTable table() const; // the data shown

Q_SIGNALS:
    void mapShown();
    void probeFailed(const QString& error);
    void queryCellPicked(int row, int col);

private:
    // Text runs: the attention of the tokens `tokens` gives on the probing thread.
    void requestTokens(std::function<std::vector<int64_t>(Inspector&)> tokens, int layer, int head);
    // The attention `attention` computes on the probe worker, sliced to a layer and head.
    void requestMap(std::function<AttentionResult(Inspector&)> attention, int layer, int head);
    void show(const AttentionMap& m);
    void refresh();
    void fail(const QString& error);

    Workbench& m_wb;
    QString m_run;
    AttentionMap m_map;
    QImage m_picture;
    double m_opacity = 0.6; // of the map over the picture
    Scale m_scale = Scale::Linear;
    bool m_rowNormalised = false;
    QPoint m_query{-1, -1};
    quint64 m_generation = 0; // answers to older requests are dropped
    HeatMap* m_heat = nullptr;
    QLabel* m_info = nullptr;
    int m_imageSize = 0;
};

} // namespace seqpe::ui
