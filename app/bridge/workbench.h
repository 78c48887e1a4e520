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
#include "weights_transfer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <map>
#include <memory>
#include <optional>

namespace seqpe::ui {

class Workbench : public QObject {
    Q_OBJECT
public:
    explicit Workbench(EngineHooks hooks, QObject* parent = nullptr);
    ~Workbench() override;

    ProjectDocument& document() { return m_doc; }
    RunStore& store() { return m_store; }
    ProbeService& probes() { return *m_probes; }
    WeightsTransfer& weights() { return *m_weights; }

    // Run directories shown beside the project's runs: opened (File > Open Run Directory) or
    // imported. They stay through edits of the project; imported runs live in the project's
    // output folder under imported/ and come back whenever the project is opened. Returns the
    // run's name ("imported/NAME" for imports; made unique).
    QString attachRunDirectory(const std::filesystem::path& dir, const QString& name = {});
    // Where imports go: <output folder>/imported.
    std::filesystem::path importFolder() const;
    // A run's directory and config, for planned and attached runs alike (nullopt: no such run).
    std::optional<std::pair<std::filesystem::path, RunConfig>> runTarget(const QString& run) const;

    // Exports a checkpoint of `run` (a directory from RunView::checkpoints) on the weights worker;
    // a checkpoint that is damaged or incomplete is refused at once, naming its step (false, `why`).
    bool exportWeights(const QString& run, const std::filesystem::path& checkpoint, const std::filesystem::path& file,
                       QString* why);
    // Imports `file` + `config` as a new run imported/<name> (a free name: never overwrites); the
    // run is attached when the import succeeds (runImported). False with `why` when it cannot start.
    bool importWeights(const std::filesystem::path& file, const std::filesystem::path& config, const QString& name,
                       QString* why);

    // Why `run` cannot be trained now, "" if it can: not a project run, an error in its config (the
    // document's diagnostics), or a step budget below the step its newest usable checkpoint reached
    // (step_budget_problem: refused, never clamped). Start and Step are disabled with this as the
    // reason; start() and step() refuse with it too (a log line), whoever calls them.
    QString startProblem(const QString& run) const;
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
    void evaluateAll(); // every run with a complete checkpoint
    bool isEvaluating(const QString& run) const;
    void runAll();  // queue every run that is not complete
    void stopAll(); // stop the active run, clear the queue
    bool isActive(const QString& run) const;
    bool isQueued(const QString& run) const { return m_queue.contains(run) || m_evalQueue.contains(run); }
    bool anyActive() const;
    RunSession* session(const QString& run) const;
    QStringList queue() const { return m_queue; }

Q_SIGNALS:
    void sessionStarted(const QString& run);
    void sessionFinished(const QString& run, seqpe::RunOutcome outcome, const QString& message); // a training job
    void logLine(const QString& run, int level, const QString& text);
    void queueChanged();
    void allStopped();                                       // after stopAll(), when no run is active any more
    void snapshotAvailable(const QString& run, qint64 step); // a live geometry snapshot
    void evaluationFinished(const QString& run, seqpe::RunOutcome outcome, const QString& message); // report reloaded
    void runImported(const QString& run); // attached, ready to probe and evaluate

private:
    void syncStore();
    void attachImports(); // the imported/ runs of the project just opened
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
    QStringList m_queue;     // training jobs
    QStringList m_evalQueue; // evaluation jobs (run before the next training)
    std::unique_ptr<ProbeService> m_probes;
    std::unique_ptr<WeightsTransfer> m_weights;
    QVector<QPair<QString, std::filesystem::path>> m_attached; // opened or imported run directories
    QString m_importing;                                       // the name an import in progress will attach as
    bool m_stopping = false;
};

} // namespace seqpe::ui
