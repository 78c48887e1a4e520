#pragma once
// The bridge's root on the GUI thread: the open project, the run store, one RunSession per active
// run, and the queue that trains a project's runs one after another (on a CPU machine runs queue
// by default). Views talk to this object only; it never calls LibTorch itself (the engine hooks
// run on the sessions' worker threads).
#include "engine_hooks.h"
#include "probe_service.h"
#include "project_document.h"
#include "run_session.h"
#include "run_store.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <map>
#include <memory>

namespace seqpe::ui {

class Workbench : public QObject {
    Q_OBJECT
public:
    explicit Workbench(EngineHooks hooks, QObject* parent = nullptr);
    ~Workbench() override;

    ProjectDocument& document() { return m_doc; }
    RunStore& store() { return m_store; }
    ProbeService& probes() { return *m_probes; }

    // Run control by run name. start() queues the run when another one is training.
    void start(const QString& run, bool paused = false);
    void pause(const QString& run);
    void resume(const QString& run);
    void step(const QString& run);
    void stop(const QString& run);
    // Evaluation is a job like training, on the same queue (one job at a time on a CPU): queued
    // behind the active job, cancellable with stop(), its report shown when it lands. A run whose
    // training completes evaluates itself when its config says eval.after_training (the default).
    void evaluate(const QString& run);
    void evaluateAll();       // every run with a complete checkpoint
    bool isEvaluating(const QString& run) const;
    void runAll();            // queue every run that is not complete
    void stopAll();           // stop the active run, clear the queue
    bool isActive(const QString& run) const;
    bool isQueued(const QString& run) const { return m_queue.contains(run) || m_evalQueue.contains(run); }
    bool anyActive() const;
    RunSession* session(const QString& run) const;
    QStringList queue() const { return m_queue; }

Q_SIGNALS:
    void sessionStarted(const QString& run);
    void sessionFinished(const QString& run, int outcome, const QString& message); // a training job
    void logLine(const QString& run, int level, const QString& text);
    void queueChanged();
    void allStopped();        // after stopAll(), when no run is active any more
    void snapshotAvailable(const QString& run, qint64 step); // a live geometry snapshot
    void evaluationFinished(const QString& run, int outcome, const QString& message); // report reloaded

private:
    void syncStore();
    void launch(const QString& run, bool paused, bool evaluation = false);
    QString evaluationProgress(const RunSession& s, const QString& line);
    struct EvalProgress {
        int done = 0;
        QElapsedTimer clock; // from the job's start (the dataset is cached by then: preparation is quick)
    };
    QHash<QString, EvalProgress> m_evalProgress;
    void launchNext();
    EngineHooks m_hooks;
    ProjectDocument m_doc;
    RunStore m_store;
    std::map<QString, std::unique_ptr<RunSession>> m_sessions;
    QStringList m_queue;      // training jobs
    QStringList m_evalQueue;  // evaluation jobs (run before the next training)
    std::unique_ptr<ProbeService> m_probes;
    bool m_stopping = false;
};

} // namespace seqpe::ui
