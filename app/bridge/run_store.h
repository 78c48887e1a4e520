#pragma once
// Everything the views show about the runs of a project, on the GUI thread: configs, states and
// the metric records, whether a run trains in this window, in another process (the CLI), or
// finished elsewhere (a run directory copied from a GPU server). Runs that this window does not
// drive are followed on disk: their metrics.jsonl is tailed and status.json re-read.
#include "seqpe/checkpoints.h"
#include "seqpe/evaluate.h"
#include "seqpe/inspect.h"
#include "seqpe/run_dir.h"

#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <map>
#include <memory>
#include <optional>

namespace seqpe::ui {

struct RunView {
    QString name;
    std::filesystem::path dir;
    std::optional<ResolvedConfig> config;    // the project's config, or the run directory's, resolved
    RunStatus status;                        // state Queued when nothing is known yet
    bool live = false;                       // driven by this window
    QString activity;                        // "preparing data: ..." while not yet training
    std::vector<Record> records;             // train and eval records in order
    std::optional<EvalReport> report;        // eval/extrapolation.json
    std::vector<CheckpointInfo> checkpoints; // newest first, sizes checked against DONE (no hashing)
    std::vector<std::pair<int64_t, std::filesystem::path>> snapshots; // geometry snapshots by step
    // The run's colour everywhere (an index into the series palette): given when the run appears,
    // kept while it stays, whatever runs are added or removed around it (RunStore::setRuns).
    int colour = -1; // -1 until setRuns gives it one

    // The newest checkpoint that is damaged and not yet set aside (resume and evaluation pass it
    // over), if any: the runs table marks the run.
    const CheckpointInfo* damagedCheckpoint() const;
    bool hasUsableCheckpoint() const; // something to evaluate or probe

    const Record* lastOf(const std::string& kind) const;
    // One definition of each figure the runs table, status bar and charts show:
    // tokens per second and seconds per step over the last `n` logged training steps (total
    // tokens over total time, so one slow step, e.g. a Step while paused, moves it by 1/n);
    // 0 when nothing was logged.
    double recentTokensPerS(int n = 20) const;
    double recentStepTime(int n = 20) const;
    // The step budget: the run directory's while the run is not driven here (it may have been
    // trained with another), else the config's.
    int64_t budget() const;
    // The state in words: "queued" (when `queued`), what it is doing before its first step,
    // "not started", "running", "paused", "completed", "stopped" (a stop asked by the user; the
    // status file says cancelled), "failed".
    QString stateText(bool queued) const;
    // (step, value) of `key` over the records of `kind` ("train" or "eval").
    QVector<QPointF> series(const std::string& kind, const std::string& key) const;
};

class RunStore : public QObject {
    Q_OBJECT
public:
    // The palette index of a run's colour (RunView::colour; 0 for an unknown run).
    int colourOf(const QString& name) const;
    explicit RunStore(QObject* parent = nullptr);

    // Replaces the set of runs (keeps records of runs that stay).
    void setRuns(const QVector<QPair<QString, std::filesystem::path>>& runs,
                 const QHash<QString, ResolvedConfig>& configs);
    QStringList names() const;
    const RunView* run(const QString& name) const;
    RunView* run(const QString& name);

    void setLive(const QString& name, bool live);
    void appendRecords(const QString& name, const QVector<Record>& records);
    void setStatus(const QString& name, const RunStatus& status);
    void setActivity(const QString& name, const QString& text);
    // Re-reads runs not driven by this window (called by a timer; public for tests).
    void pollDisk();
    void reloadReport(const QString& name);
    void reloadSnapshots(const QString& name); // a live run wrote one

Q_SIGNALS:
    void runsChanged();                   // set of runs changed
    void runUpdated(const QString& name); // status or activity changed
    void recordsAdded(const QString& name, int count);

private:
    // notify: emit recordsAdded for what was read (off while the set of runs is being replaced).
    void loadFromDisk(RunView& v, bool full, bool notify = true);
    static void loadReport(RunView& v);
    std::vector<std::unique_ptr<RunView>> m_runs;
    std::map<QString, std::unique_ptr<MetricsReader>> m_readers;
    QHash<QString, int> m_colourOf; // every run seen in this window: a run that comes back (undo of
                                    // a removal, a reopened project) gets its colour back if free
    QTimer m_poll;
};

} // namespace seqpe::ui
