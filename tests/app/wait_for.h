#pragma once
// Processes Qt events until `pred` holds or `ms` pass and says whether it holds: the app and bridge
// tests wait for queued answers (workers, probes, evaluations) this way, never by sleeping.
#include <QCoreApplication>
#include <QElapsedTimer>

namespace seqpe::test {

template <class P> bool wait_for(P pred, int ms = 60000) {
    QElapsedTimer t;
    t.start();
    while (!pred() && t.elapsed() < ms) QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return pred();
}

} // namespace seqpe::test
