// RunSession: worker thread, engine calls, coalesced hand-over of records to the GUI thread.
#include "run_session.h"

#include "seqpe/common/error.h"

#include <QMetaObject>

namespace seqpe::ui {

class RunSession::Observer : public seqpe::Observer {
public:
    explicit Observer(RunSession* s) : m_s(s) {}
    void on_record(const Record& r) override {
        {
            std::lock_guard lk(m_s->m_mutex);
            m_s->m_pending.push_back(r);
        }
        m_s->notifyRecords();
    }
    void on_log(LogLevel level, const std::string& text) override {
        m_s->toGui(
            [s = m_s, level, text] { Q_EMIT s->logLine(static_cast<int>(level), QString::fromStdString(text)); });
    }
    void on_status(const RunStatus& st) override {
        m_s->toGui([s = m_s, st] { Q_EMIT s->statusChanged(st); });
    }
    void on_snapshot(const Snapshot& snap) override {
        {
            std::lock_guard lk(m_s->m_mutex);
            m_s->m_snapshot = snap; // only the newest matters to a live view
        }
        m_s->toGui([s = m_s, step = snap.step] { Q_EMIT s->snapshotAvailable(step); });
    }

private:
    RunSession* m_s;
};

RunSession::RunSession(QString name, RunConfig config, std::filesystem::path runDir, EngineHooks hooks, QObject* parent)
    : QObject(parent), m_name(std::move(name)), m_config(std::move(config)), m_runDir(std::move(runDir)),
      m_hooks(std::move(hooks)) {
    qRegisterMetaType<seqpe::RunStatus>();
    qRegisterMetaType<seqpe::RunOutcome>();
    m_drainTimer = new QTimer(this);
    m_drainTimer->setSingleShot(true);
    m_drainTimer->setInterval(40);
    connect(m_drainTimer, &QTimer::timeout, this, [this] {
        m_notifyPending = false;
        Q_EMIT recordsAvailable();
    });
    connect(this, &RunSession::statusChanged, this, [this](const RunStatus& s) { m_state = s.state; });
}

RunSession::~RunSession() {
    requestStop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    m_outbox.joined();
    std::lock_guard lk(m_mutex); // the worker's last writes happen-before the members die
}

void RunSession::notifyRecords() {
    // At most one pending notification: the GUI drains everything that arrived meanwhile.
    if (m_notifyPending.exchange(true)) return;
    QMetaObject::invokeMethod(this, "startDrainTimer", Qt::QueuedConnection);
}

void RunSession::startDrainTimer() {
    if (!m_drainTimer->isActive()) m_drainTimer->start();
}

QVector<Record> RunSession::takeRecords() {
    QVector<Record> out;
    std::lock_guard lk(m_mutex);
    out.swap(m_pending);
    return out;
}

void RunSession::start(bool paused) {
    if (m_thread) return;
    m_state = RunState::Running;
    m_thread = QThread::create([this, paused] { work(paused); });
    m_thread->setObjectName("run " + m_name);
    m_thread->start();
}

void RunSession::work(bool paused) {
    Observer obs(this);
    RunResult result;
    try {
        // The trainer resolves m_config again with the run directory's resume rule (resolve_for_run);
        // the dataset depends on no field that rule keeps.
        const auto dataset = m_hooks.prepare(
            resolve_config(m_config),
            [this](const PrepareEvent& e) {
                toGui([this, text = e.message.empty() ? e.stage : e.message, done = e.done, total = e.total] {
                    Q_EMIT preparing(QString::fromStdString(text), done, total);
                });
            },
            m_stop.get_token());
        if (m_evaluate) {
            if (!m_hooks.evaluate) throw RunError("this build cannot evaluate runs");
            EvalOptions eo;
            eo.dataset_dir = dataset;
            const EvalReport rep = m_hooks.evaluate(m_runDir, eo, obs, m_stop.get_token());
            result.outcome = RunOutcome::Completed;
            result.message = "evaluated step " + std::to_string(rep.step);
            notifyRecords();
            toGui([this, result] {
                m_finishedEmitted = true;
                Q_EMIT finished(result.outcome, QString::fromStdString(result.message), false);
            });
            return;
        }
        TrainerOptions o;
        o.run_dir = m_runDir;
        o.dataset_dir = dataset;
        o.resume = true;
        o.start_paused = paused;
        auto trainer = m_hooks.make(m_config, o);
        {
            std::lock_guard lk(m_mutex);
            m_trainer = std::move(trainer);
            if (m_pausedRequested) m_trainer->pause();
            for (; m_pendingSteps > 0; --m_pendingSteps) m_trainer->step();
        }
        result = m_trainer->run(obs, m_stop.get_token());
    } catch (...) {
        result = run_result_of_current_exception("stopped while preparing");
    }
    {
        // The trainer (and the model it owns) dies on the thread that used it.
        std::lock_guard lk(m_mutex);
        m_trainer.reset();
    }
    if (result.outcome == RunOutcome::Failed && !m_evaluate) { // a failed evaluation leaves the run as it was
        RunStatus s;
        s.state = RunState::Failed;
        s.message = result.message;
        toGui([this, s] { Q_EMIT statusChanged(s); });
    }
    notifyRecords();
    toGui([this, result] {
        m_finishedEmitted = true;
        Q_EMIT finished(result.outcome, QString::fromStdString(result.message), result.bad_input);
    });
}

void RunSession::pause() {
    std::lock_guard lk(m_mutex);
    m_pausedRequested = true;
    if (m_trainer) m_trainer->pause();
}

void RunSession::resume() {
    std::lock_guard lk(m_mutex);
    m_pausedRequested = false;
    if (m_trainer) m_trainer->resume();
}

void RunSession::step() {
    std::lock_guard lk(m_mutex);
    m_pausedRequested = true;
    if (m_trainer)
        m_trainer->step();
    else
        ++m_pendingSteps;
}

bool RunSession::isPaused() const {
    std::lock_guard lk(m_mutex);
    return m_trainer ? m_trainer->is_paused() : m_pausedRequested;
}

void RunSession::requestStop() {
    m_stop.request_stop(); // a paused trainer wakes up too (it waits on the stop token)
}

bool RunSession::post(std::function<void(Inspector&)> fn) {
    std::lock_guard lk(m_mutex);
    if (!m_trainer) return false;
    Trainer* t = m_trainer.get();
    m_trainer->post([t, fn = std::move(fn)] { fn(t->inspector()); });
    return true;
}

std::optional<Snapshot> RunSession::latestSnapshot() const {
    std::lock_guard lk(m_mutex);
    return m_snapshot;
}

} // namespace seqpe::ui
