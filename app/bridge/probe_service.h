#pragma once
// Probes of any run for the views, never on the GUI thread: a run that trains in this window
// answers on its training thread between steps; any other run (finished, stopped, trained
// elsewhere) is opened by a probe worker that keeps one model per run directory, reloaded when
// the run's newest checkpoint changes. A run can be pinned to one of its checkpoints: every view's
// probes of that run then answer from that checkpoint (on the probe worker, also while it trains). Results come back as
// queued callbacks on the GUI thread; a callback whose `context` object died meanwhile is dropped.
#include "engine_hooks.h"
#include "gui_outbox.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace seqpe::ui {

class Workbench;

class ProbeService : public QObject {
    Q_OBJECT
public:
    ProbeService(Workbench& wb, EngineHooks hooks, QObject* parent = nullptr);
    ~ProbeService() override;

    // The checkpoint directory the probes of `run` answer from; empty: the newest (or the live
    // model while the run trains here). Emits checkpointChanged when it changes.
    void setCheckpoint(const QString& run, const std::filesystem::path& checkpoint);
    std::filesystem::path checkpoint(const QString& run) const { return m_pinned.value(run); }

    // Runs `work` with an inspector of `run`, then `done(ok, error)` on the GUI thread.
    void submit(const QString& run, std::function<void(Inspector&)> work, QObject* context,
                std::function<void(bool ok, const QString& error)> done);

    // Reads a geometry snapshot file (a 2D one holds up to 4096 x 4096 floats) on the probe worker.
    void readSnapshot(const std::filesystem::path& file, QObject* context,
                      std::function<void(const GeometryResult&)> ok, std::function<void(const QString&)> fail);

    template <class R>
    void request(const QString& run, std::function<R(Inspector&)> work, QObject* context,
                 std::function<void(const R&)> ok, std::function<void(const QString&)> fail = {}) {
        auto result = std::make_shared<R>();
        submit(
            run, [work = std::move(work), result](Inspector& in) { *result = work(in); }, context,
            [result, ok = std::move(ok), fail = std::move(fail)](bool success, const QString& error) {
                if (success)
                    ok(*result);
                else if (fail)
                    fail(error);
            });
    }

Q_SIGNALS:
    void checkpointChanged(const QString& run);

private:
    Q_INVOKABLE void drainOutbox() { m_outbox.drain(); }
    QHash<QString, std::filesystem::path> m_pinned; // GUI thread
    struct Job {
        std::filesystem::path dir;
        std::filesystem::path checkpoint; // empty: the newest
        std::function<void(Inspector&)> work;
        std::function<void()> plain; // instead of `work`: needs no model
        QPointer<QObject> context;
        std::function<void(bool, const QString&)> done;
    };
    void loop();
    Workbench& m_wb;
    EngineHooks m_hooks;
    QThread* m_thread = nullptr;
    std::mutex m_mutex;
    GuiOutbox m_outbox{this}; // answers to the GUI thread
    std::condition_variable m_cv;
    std::deque<Job> m_jobs;
    bool m_quit = false;
    // worker thread only: open inspectors by run directory, with the checkpoint they loaded
    std::map<std::filesystem::path, std::pair<std::filesystem::path, std::unique_ptr<Inspector>>> m_open;
};

} // namespace seqpe::ui
