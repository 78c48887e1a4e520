#pragma once
// The Attention tab: up to three runs side by side on the same input. Image runs: a test image of
// the run's dataset (by index) or a picture file, at any resolution that is a multiple of the
// patch size (unseen resolutions included); a click on a patch picks the query in every pane.
// Text runs (LM, QA): the attention matrix of a window of the test split.
//
// Wiring only: the image sample and every forward pass go through ProbeService.
#include "figure.h"
#include "workbench.h"

#include <QImage>
#include <QWidget>
#include <array>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;
class QTimer;

namespace seqpe::ui {

class AttentionPane;
class CheckpointPicker;

class AttentionView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionView(Workbench& wb, QWidget* parent = nullptr);

    // Checks `run` (and unchecks runs of another kind, or the oldest beyond three).
    void addRun(const QString& run);
    void setRuns(const QStringList& runs);
    QStringList runs() const; // checked, in order of checking
    bool imageMode() const { return m_image; }

    void setTestImage(int index);
    void setImage(const QImage& picture); // a picture instead of a test image
    bool openImageFile(const QString& file);
    void setResolution(int pixels); // rounded to a multiple of the patch size
    int resolution() const;
    // Image runs: the first checked run also at `pixels` in a second pane (0: off), to compare one
    // model at the training resolution and beyond it. Other checked runs wait while it is on.
    void setSecondResolution(int pixels);
    int secondResolution() const; // 0 when off
    void setLayer(int layer);
    void setHead(int head); // -1: mean over the heads
    void setTextWindow(int64_t offset, int64_t length);
    void setCustomText(const QString& text); // as if typed into Text and Enter pressed ("" = the window)
    void setQueryCell(int row, int col);     // image runs, every pane

    void refresh(); // fetch the image if needed, then probe every pane
    AttentionPane* pane(int i) const { return m_panes[static_cast<size_t>(i)]; }
    int paneCount() const;

    Figure figure() const;
    void exportFigure();

Q_SIGNALS:
    void imageReady(); // the image to probe is known (test sample fetched or file opened)

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rebuildRunList();
    void onChecked(const QString& run, bool on);
    void configure(); // controls from the first checked run's config
    void layoutPanes();
    int paneResolution(int pane) const; // the resolution pane `pane` shows
    void probeAll();
    void scheduleRefresh();
    int patchSize() const;

    Workbench& m_wb;
    std::array<AttentionPane*, 3> m_panes{};
    QWidget* m_frame = nullptr;
    QListWidget* m_list = nullptr;
    CheckpointPicker* m_checkpoint = nullptr; // of the list's current run
    QStringList m_checked;
    bool m_image = false;
    QWidget* m_imageBox = nullptr;
    QWidget* m_textBox = nullptr;
    QSpinBox* m_index = nullptr;
    QPushButton* m_open = nullptr;
    QSpinBox* m_size = nullptr;
    QSpinBox* m_size2 = nullptr; // "also at": 0 = off
    QSpinBox* m_offset = nullptr;
    QSpinBox* m_length = nullptr;
    QLabel* m_offsetLabel = nullptr;
    QLabel* m_lengthLabel = nullptr;
    bool m_algorithmic = false; // the first checked run's task: the window is a test instance
    QComboBox* m_layer = nullptr;
    QComboBox* m_scale = nullptr;
    QCheckBox* m_rowNorm = nullptr;
    QLabel* m_hint = nullptr;
    QLineEdit* m_text = nullptr; // the user's own text (text runs)
    bool m_kindSet = false;
    QComboBox* m_head = nullptr;
    QSlider* m_opacity = nullptr;
    QLabel* m_source = nullptr;
    QTimer* m_debounce = nullptr;
    // The image every pane sees: pixels (h x w x c) and the picture drawn under the maps.
    std::vector<uint8_t> m_pixels;
    int m_h = 0, m_w = 0, m_c = 0;
    QImage m_picture;
    bool m_fromFile = false;
    int m_fetchedIndex = -1;
    int64_t m_label = -1; // class of the test image
    QString m_fetchedFrom;
    bool m_updating = false;
    bool m_stale = false; // a refresh was skipped while hidden: forward passes only for what is seen
};

} // namespace seqpe::ui
