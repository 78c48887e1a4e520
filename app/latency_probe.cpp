// startLatencyProbe: the --latency-probe measurement (gaps between 10 ms timer ticks while every run
// trains), printed as one JSON line before the window closes.
#include "latency_probe.h"

#include "main_window.h"

#include <QApplication>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace seqpe::ui {

void startLatencyProbe(MainWindow& w, const QElapsedTimer& sinceStart, double seconds) {
    // Time to interactive: the first pass of the event loop after the window and project are up.
    const double interactive_ms = static_cast<double>(sinceStart.nsecsElapsed()) / 1e6;
    struct State {
        QElapsedTimer clock;
        qint64 last = 0;
        std::vector<double> gaps; // ms
        QTimer tick;
    };
    auto st = std::make_shared<State>();
    w.workbench().runAll();
    st->clock.start();
    st->tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&st->tick, &QTimer::timeout, &w, [st] {
        const qint64 now = st->clock.nsecsElapsed();
        if (st->last > 0) st->gaps.push_back(static_cast<double>(now - st->last) / 1e6);
        st->last = now;
    });
    st->tick.start(10);
    QTimer::singleShot(static_cast<int>(seconds * 1000), &w, [st, &w, interactive_ms] {
        st->tick.stop();
        std::vector<double> g = st->gaps;
        std::sort(g.begin(), g.end());
        auto q = [&](double p) {
            return g.empty() ? 0.0 : g[std::min(g.size() - 1, static_cast<size_t>(p * (g.size() - 1) + 0.5))];
        };
        int64_t steps = 0;
        for (const QString& run : w.workbench().store().names())
            if (const RunView* v = w.workbench().store().run(run)) steps += v->status.step;
        std::printf(
            "{\"kind\":\"latency\",\"ticks\":%zu,\"gap_median_ms\":%.2f,\"gap_p99_ms\":%.2f,\"gap_max_ms\":%.2f,"
            "\"time_to_interactive_ms\":%.1f,\"steps_trained\":%lld}\n",
            g.size(), q(0.5), q(0.99), g.empty() ? 0.0 : g.back(), interactive_ms, static_cast<long long>(steps));
        std::fflush(stdout);
        w.workbench().stopAll();
        QTimer::singleShot(0, &w, [&w] { w.close(); });
    });
}

} // namespace seqpe::ui
