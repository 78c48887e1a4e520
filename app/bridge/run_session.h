#pragma once
// One run driven by the GUI: a worker QThread that prepares the data, builds the trainer and runs
// it; thread-safe controls; the trainer's records handed to the GUI thread coalesced (at most one
// pending notification, drained at most every 40 ms: ~25 updates a second whatever the step rate).
//
// Every signal is emitted on the GUI thread: the worker hands events over through a mutex-guarded
// outbox and an argument-less queued call, so no data crosses threads inside Qt's event objects
// (whose synchronisation ThreadSanitizer cannot see in an uninstrumented Qt), only under our mutex.
//
// Lifetime: owned by the GUI thread. The destructor requests a stop and waits for the worker, so a
// session never outlives its thread (closing the window mid-run keeps the run's checkpoint).
#include "engine_hooks.h"
#include "gui_outbox.h"
#include "seqpe/run_dir.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace seqpe::ui {

class RunSession : public QObject {
    Q_OBJECT
public:
    RunSession(QString name, RunConfig config, std::filesystem::path runDir, EngineHooks hooks,
               QObject* parent = nullptr);
    ~RunSession() override;

    const QString& name() const { return m_name; }
    const RunConfig& config() const { return m_config; }
    const std::filesystem::path& runDir() const { return m_runDir; }

    // An evaluation job instead of training (before start()): prepares the data, evaluates the
    // run's newest complete checkpoint with its eval.* settings, writes the report; cancellable
    // (a cancelled evaluation writes no report).
    void setEvaluation(bool evaluate) { m_evaluate = evaluate; }
    bool isEvaluation() const { return m_evaluate; }
    void start(bool paused = false); // no-op if already started
    void pause();
    void resume();
    void step();
    void requestStop();
    // Started and `finished` not yet emitted (the worker may take a moment longer to exit; the
    // destructor waits for it).
    bool isActive() const { return m_thread && !m_finishedEmitted && m_thread->isRunning(); }
    bool isPaused() const;
    RunState state() const { return m_state; }
    // Runs `fn` with the trainer's inspector on the training thread between steps (also while
    // paused). Returns false when no trainer exists (not started yet, or finished).
    bool post(std::function<void(Inspector&)> fn);
    // The newest geometry snapshot (GUI thread), if any.
    std::optional<Snapshot> latestSnapshot() const;

    // Records received since the last call (GUI thread).
    QVector<Record> takeRecords();

Q_SIGNALS:
    void recordsAvailable(); // coalesced; call takeRecords()
    void statusChanged(const seqpe::RunStatus& status);
    void logLine(int level, const QString& text);
    void preparing(const QString& stage, qint64 done, qint64 total);
    void finished(seqpe::RunOutcome outcome, const QString& message, bool badInput);
    void snapshotAvailable(qint64 step); // coalesced; call latestSnapshot()

private:
    class Observer;
    void work(bool paused);                                                // on the worker thread
    void notifyRecords();                                                  // any thread
    void toGui(std::function<void()> fn) { m_outbox.post(std::move(fn)); } // any thread, in order
    Q_INVOKABLE void drainOutbox() { m_outbox.drain(); }                   // GUI thread
    Q_INVOKABLE void startDrainTimer();                                    // GUI thread

    QString m_name;
    RunConfig m_config;
    std::filesystem::path m_runDir;
    EngineHooks m_hooks;
    QThread* m_thread = nullptr;
    std::stop_source m_stop;
    mutable std::mutex m_mutex;         // guards m_trainer, m_pending, m_pausedRequested
    std::unique_ptr<Trainer> m_trainer; // created and destroyed on the worker thread
    QVector<Record> m_pending;
    std::optional<Snapshot> m_snapshot; // guarded by m_mutex
    bool m_pausedRequested = false;
    int m_pendingSteps = 0; // step() before the trainer exists
    std::atomic<bool> m_notifyPending{false};
    GuiOutbox m_outbox{this};
    QTimer* m_drainTimer = nullptr; // GUI thread
    RunState m_state = RunState::Queued;
    bool m_finishedEmitted = false; // GUI thread
    bool m_evaluate = false;        // set before start(); read by the worker after
};

} // namespace seqpe::ui

Q_DECLARE_METATYPE(seqpe::RunStatus)
Q_DECLARE_METATYPE(seqpe::RunOutcome)
