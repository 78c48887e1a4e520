#pragma once
// `seqpe-workbench PROJECT --latency-probe SECONDS`: the responsiveness figures of
// docs/PERFORMANCE.md, measured in the real window while the project's runs train at full speed.
// A 10 ms timer records the gap between its ticks (an event loop that never stalls sees ~10 ms);
// after SECONDS the runs stop, and one JSON line reports the gaps' median, p99 and maximum and the
// time from process start to the first idle event loop with the project open.
#include <QElapsedTimer>

namespace seqpe::ui {

class MainWindow;

// Starts the probe; quits the application when done. `sinceStart` runs from main()'s first line.
void startLatencyProbe(MainWindow& w, const QElapsedTimer& sinceStart, double seconds);

} // namespace seqpe::ui
