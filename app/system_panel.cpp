// SystemPanel: this process's CPU use and resident memory from /proc/self, sampled once a second.
#include "system_panel.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QTimer>
#include <QVBoxLayout>
#include <thread>
#include <unistd.h>

namespace seqpe::ui {

SystemPanel::SystemPanel(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    m_label = new QLabel;
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(m_label);
    lay->addStretch();
    auto* t = new QTimer(this);
    connect(t, &QTimer::timeout, this, &SystemPanel::sample);
    t->start(1000);
    sample();
}

void SystemPanel::setDeviceText(const QString& text) {
    m_device = text;
}

static double wallSeconds() {
    static QElapsedTimer t;
    if (!t.isValid()) t.start();
    return static_cast<double>(t.nsecsElapsed()) * 1e-9;
}

void SystemPanel::sample() {
    // /proc/self/stat fields 14, 15: user and system time in clock ticks.
    double cpuSeconds = 0;
    QFile stat("/proc/self/stat");
    if (stat.open(QIODevice::ReadOnly)) {
        const QString s = QString::fromLatin1(stat.readAll());
        const QStringList f = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 13)
            cpuSeconds = (f[11].toDouble() + f[12].toDouble()) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    const double wall = wallSeconds();
    if (m_lastCpuSeconds >= 0 && wall > m_lastWall)
        m_cpu = 100.0 * (cpuSeconds - m_lastCpuSeconds) / (wall - m_lastWall);
    m_lastCpuSeconds = cpuSeconds;
    m_lastWall = wall;
    qint64 rss = 0, peak = 0;
    QFile status("/proc/self/status");
    if (status.open(QIODevice::ReadOnly))
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:")) rss = line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
            if (line.startsWith("VmHWM:")) peak = line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
        }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    QLocale loc;
    m_label->setText(tr("CPU %1% of %2 cores\nmemory %3 (peak %4)\n%5")
                         .arg(QString::number(m_cpu, 'f', 0))
                         .arg(cores)
                         .arg(loc.formattedDataSize(rss), loc.formattedDataSize(peak), m_device));
}

} // namespace seqpe::ui
