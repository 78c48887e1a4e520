#pragma once
// CPU and memory of this process (from /proc, once a second), and the training device's memory
// when a run reports it (CUDA runs add gpu_mem_* to their train records).
#include <QWidget>

class QLabel;

namespace seqpe::ui {

class SystemPanel : public QWidget {
    Q_OBJECT
public:
    explicit SystemPanel(QWidget* parent = nullptr);
    void setDeviceText(const QString& text);
    double cpuPercent() const { return m_cpu; }

private:
    void sample();
    QLabel* m_label = nullptr;
    QString m_device = "cpu";
    double m_lastCpuSeconds = -1, m_lastWall = 0, m_cpu = 0;
};

} // namespace seqpe::ui
