// Workbench: run sessions and the training queue (start, pause, step, stop, evaluate), imported run
// directories, and the run store kept in step with the project document.
#include "workbench.h"

#include "seqpe/encodings.h"

#include "seqpe/checkpoints.h"
#include "seqpe/options.h"

#include <algorithm>
#include <utility>

namespace seqpe::ui {

namespace {
// Says why an export or import cannot start.
bool refuse(QString* why, const QString& text) {
    if (why) *why = text;
    return false;
}
} // namespace

Workbench::Workbench(EngineHooks hooks, QObject* parent) : QObject(parent), m_hooks(std::move(hooks)) {
    m_probes = std::make_unique<ProbeService>(*this, m_hooks);
    m_weights = std::make_unique<WeightsTransfer>(m_hooks);
    connect(m_weights.get(), &WeightsTransfer::finished, this, [this](bool ok, const QString&, const QString& result) {
        const QString name = std::exchange(m_importing, QString());
        if (!ok || name.isEmpty() || m_weights->kind() != WeightsTransfer::Kind::Import) return;
        Q_EMIT runImported(attachRunDirectory(result.toStdString(), name));
    });
    connect(&m_doc, &ProjectDocument::loaded, this, &Workbench::attachImports);
    connect(&m_doc, &ProjectDocument::changed, this, &Workbench::syncStore);
    syncStore();
}

Workbench::~Workbench() {
    // Sessions stop and join their threads in their destructors (after the current step and a
    // checkpoint): a window closed mid-run keeps the run resumable.
    for (auto& [name, s] : m_sessions) s->requestStop();
    m_sessions.clear();
    m_probes.reset();
}

void Workbench::syncStore() {
    QVector<QPair<QString, std::filesystem::path>> runs;
    QHash<QString, ResolvedConfig> configs;
    for (const QString& name : m_doc.plannedNames()) { // runs x sweep x seeds, as the CLI trains them
        runs.append({name, m_doc.runDir(name)});
        configs.insert(name, m_doc.resolvedConfig(name));
    }
    for (const auto& a : m_attached)
        if (!configs.contains(a.first)) runs.append(a); // the store reads their configs from disk
    m_store.setRuns(runs, configs);
}

std::filesystem::path Workbench::importFolder() const {
    const Project& p = m_doc.project();
    return (p.file.empty() ? std::filesystem::path("runs") : p.output_path()) / "imported";
}

void Workbench::attachImports() {
    m_attached.clear();
    std::error_code ec;
    std::vector<std::filesystem::path> dirs;
    for (const auto& e : std::filesystem::directory_iterator(importFolder(), ec))
        if (is_run_dir(e.path())) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) m_attached.append({"imported/" + QString::fromStdString(d.filename().string()), d});
}

QString Workbench::attachRunDirectory(const std::filesystem::path& dir, const QString& name) {
    for (const auto& a : m_attached)
        if (a.second == dir) return a.first; // already shown
    const QString base = name.isEmpty() ? QString::fromStdString(dir.filename().string()) : name;
    QString unique = base;
    for (int i = 2; m_store.run(unique); ++i) unique = base + "-" + QString::number(i);
    m_attached.append({unique, dir});
    syncStore();
    return unique;
}

std::optional<std::pair<std::filesystem::path, RunConfig>> Workbench::runTarget(const QString& run) const {
    if (m_doc.plannedNames().contains(run)) return std::pair{m_doc.runDir(run), m_doc.config(run)};
    const RunView* v = m_store.run(run);
    if (!v) return std::nullopt;
    return std::pair{v->dir, v->config ? RunConfig(*v->config) : RunConfig{}};
}

bool Workbench::exportWeights(const QString& run, const std::filesystem::path& checkpoint,
                              const std::filesystem::path& file, QString* why) {
    if (m_weights->isBusy()) return refuse(why, tr("another export or import is in progress"));
    if (!m_store.run(run)) return refuse(why, tr("no run named %1").arg(run));
    // The sizes against DONE now (cheap); the worker checks every byte (SHA-256) before writing.
    const CheckpointInfo info = inspect_checkpoint(checkpoint, CheckpointCheck::Sizes);
    if (!info.usable())
        return refuse(why, tr("the checkpoint of step %1 of %2 is %3 (%4); choose a complete one")
                               .arg(info.step)
                               .arg(run, QString::fromUtf8(checkpoint_health_name(info.health)),
                                    QString::fromStdString(info.problem)));
    return m_weights->startExport(checkpoint, file) || refuse(why, tr("another export or import is in progress"));
}

bool Workbench::importWeights(const std::filesystem::path& file, const std::filesystem::path& config,
                              const QString& name, QString* why) {
    if (m_weights->isBusy()) return refuse(why, tr("another export or import is in progress"));
    const QString stem = name.trimmed().isEmpty() ? QString::fromStdString(file.stem().string()) : name.trimmed();
    if (stem.contains('/') || stem.contains('\\') || stem == "." || stem == "..")
        return refuse(why, tr("the run name %1 is not a folder name; use letters, digits, '-', '_' or '.'").arg(stem));
    // A free name: neither a run shown nor a directory on disk (an import never overwrites).
    QString n = stem;
    std::error_code ec;
    for (int i = 2; m_store.run("imported/" + n) || std::filesystem::exists(importFolder() / n.toStdString(), ec); ++i)
        n = stem + "-" + QString::number(i);
    if (!m_weights->startImport(file, config, importFolder() / n.toStdString()))
        return refuse(why, tr("another export or import is in progress"));
    m_importing = "imported/" + n;
    return true;
}

RunSession* Workbench::session(const QString& run) const {
    auto it = m_sessions.find(run);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

bool Workbench::isActive(const QString& run) const {
    const RunSession* s = session(run);
    return s && s->isActive();
}

bool Workbench::anyActive() const {
    for (const auto& [name, s] : m_sessions)
        if (s->isActive()) return true;
    return false;
}

QString Workbench::startProblem(const QString& run) const {
    if (m_doc.projectRunOf(run).isEmpty())
        return tr("%1 is not a run of the project: an opened or imported run can be evaluated and probed, not trained")
            .arg(run);
    if (const QString p = m_doc.configProblem(run); !p.isEmpty())
        return tr("%1 has an error in its config: %2 (fix it in the Configuration panel)").arg(run, p);
    const RunView* v = m_store.run(run);
    const int64_t reached = v ? resume_step(v->checkpoints) : 0; // the step a resume continues from
    const int64_t steps = m_doc.config(run).train.steps;
    if (const std::string p = step_budget_problem(steps, reached, run.toStdString()); !p.empty())
        return QString::fromStdString(p);
    if (v && run_is_complete(v->status, reached, steps))
        return tr("%1 is complete (%2 steps): raise train.steps to train it further; Run > Evaluate evaluates it again")
            .arg(run)
            .arg(steps);
    // A resume refuses changed fields that are not resumable: say so now, not from the worker.
    if (v && is_run_dir(v->dir)) {
        try {
            const RunConfig stored = read_run_config(RunPaths{v->dir});
            const RunConfig now = resolve_resumed(m_doc.config(run), stored);
            if (const auto changed = unresumable_changes(stored, now); !changed.empty()) {
                const std::string& path = changed.front();
                return tr("%1 was started with %2 = %3 and the project now says %4: a run cannot change it when "
                          "it resumes (only the budget, evaluation and runtime settings may change). Undo the "
                          "change, or give the run another name to train it afresh")
                    .arg(run, QString::fromStdString(path), QString::fromStdString(option_json(stored, path)),
                         QString::fromStdString(option_json(now, path)));
            }
        } catch (const std::exception&) {
            // An unreadable config.json: the trainer reports it, naming the file.
        }
    }
    return QString();
}

void Workbench::start(const QString& run, bool paused) {
    if (isActive(run) || m_queue.contains(run)) return;
    if (const QString why = startProblem(run); !why.isEmpty()) {
        Q_EMIT logLine(run, 3, tr("not started: %1").arg(why));
        return;
    }
    if (anyActive()) {
        m_queue.append(run);
        RunStatus st;
        st.state = RunState::Queued;
        st.message = "queued";
        m_store.setStatus(run, st);
        Q_EMIT queueChanged();
        return;
    }
    launch(run, paused);
}

void Workbench::launch(const QString& run, bool paused, bool evaluation) {
    m_stopping = false;
    const auto target = runTarget(run);
    if (!target) return;
    // Checked again here: a queued run's config may have changed while it waited.
    if (const QString why = evaluation ? QString() : startProblem(run); !why.isEmpty()) {
        if (const RunView* v = m_store.run(run); v && v->status.state == RunState::Queued && !v->live) {
            RunStatus st = v->status; // it waited in the queue: say why it did not start
            st.message = "not started: " + why.toStdString();
            m_store.setStatus(run, st);
        }
        Q_EMIT logLine(run, 3, tr("not started: %1").arg(why));
        return;
    }
    m_sessions.erase(run);
    auto s = std::make_unique<RunSession>(run, target->second, target->first, m_hooks);
    RunSession* raw = s.get();
    raw->setEvaluation(evaluation);
    m_evalProgress.remove(run);
    if (evaluation) m_evalProgress[run].clock.start();
    connect(raw, &RunSession::recordsAvailable, this,
            [this, raw] { m_store.appendRecords(raw->name(), raw->takeRecords()); });
    connect(raw, &RunSession::statusChanged, this,
            [this, raw](const RunStatus& st) { m_store.setStatus(raw->name(), st); });
    connect(raw, &RunSession::snapshotAvailable, this, [this, raw](qint64 step) {
        m_store.reloadSnapshots(raw->name());
        Q_EMIT snapshotAvailable(raw->name(), step);
    });
    connect(raw, &RunSession::logLine, this, [this, raw](int level, const QString& t) {
        // An evaluation's progress is its log: one line per length and mode.
        if (raw->isEvaluation() && t.startsWith("eval ")) m_store.setActivity(raw->name(), evaluationProgress(*raw, t));
        Q_EMIT logLine(raw->name(), level, t);
    });
    connect(raw, &RunSession::preparing, this, [this, raw](const QString& stage, qint64 done, qint64 total) {
        QString text = "preparing data: " + stage;
        if (total > 0) text += QString(" (%1/%2)").arg(done).arg(total);
        m_store.setActivity(raw->name(), text);
    });
    connect(raw, &RunSession::finished, this, [this, raw](RunOutcome outcome, const QString& msg, bool) {
        const QString name = raw->name();
        const bool evaluation = raw->isEvaluation();
        m_store.appendRecords(name, raw->takeRecords());
        m_store.setActivity(name, QString());
        m_store.setLive(name, false);
        if (evaluation) {
            m_store.reloadReport(name);
            Q_EMIT evaluationFinished(name, outcome, msg);
        } else {
            if (evaluates_after_training(raw->config(), outcome, false) && m_hooks.evaluate && !m_stopping) {
                m_evalQueue.prepend(name); // evaluates itself before the next training starts
                Q_EMIT queueChanged();
            }
            Q_EMIT sessionFinished(name, outcome, msg);
        }
        if (m_stopping) {
            if (!anyActive()) Q_EMIT allStopped();
            return;
        }
        // Later, not inside the session's own signal: the next job may be this run's evaluation,
        // and launching it replaces (destroys) the session that is emitting.
        QMetaObject::invokeMethod(this, &Workbench::launchNext, Qt::QueuedConnection);
    });
    m_store.setLive(run, true);
    m_store.setActivity(run, evaluation ? "evaluating" : "starting");
    m_sessions[run] = std::move(s);
    raw->start(paused);
    Q_EMIT sessionStarted(run);
}

void Workbench::launchNext() {
    while (!anyActive() && !m_evalQueue.isEmpty()) {
        const QString next = m_evalQueue.takeFirst();
        Q_EMIT queueChanged();
        launch(next, false, true);
    }
    while (!m_queue.isEmpty() && !anyActive()) {
        const QString next = m_queue.takeFirst();
        Q_EMIT queueChanged();
        launch(next, false);
    }
}

QString Workbench::evaluationProgress(const RunSession& s, const QString& line) {
    // "evaluating: extend L=512 (3/10, about 40 s left)": one log line per finished evaluation; the
    // count comes from the run's eval settings (text and image; QA has per-depth sets: no count).
    const EvalConfig& e = s.config().eval;
    const int modes = static_cast<int>(evaluation_modes(s.config(), e.mode).size());
    const bool lengths = s.config().task == "lm" || s.config().task == "algorithmic"; // one line per length
    const int total = lengths                      ? static_cast<int>(text_eval_lengths(s.config()).size()) * modes
                      : s.config().task == "image" ? static_cast<int>(e.image_sizes.size()) * modes
                                                   : 0;
    EvalProgress& p = m_evalProgress[s.name()];
    if (!p.clock.isValid()) p.clock.start();
    ++p.done;
    QString text = "evaluating: " + line.mid(5).section(':', 0, 0);
    if (total > 0 && p.done <= total) {
        const double left = static_cast<double>(p.clock.elapsed()) / p.done * (total - p.done) / 1000.0;
        text += QString(" (%1/%2%3)")
                    .arg(p.done)
                    .arg(total)
                    .arg(p.done < total ? QString(", about %1 s left").arg(qRound(left)) : QString());
    }
    return text;
}

void Workbench::evaluate(const QString& run) {
    if (!m_store.run(run) || isActive(run) || m_evalQueue.contains(run)) return;
    if (anyActive()) {
        m_evalQueue.append(run);
        Q_EMIT queueChanged();
        return;
    }
    launch(run, false, true);
}

void Workbench::evaluateAll() {
    for (const QString& name : m_store.names()) { // the project's runs and the attached ones
        const RunView* v = m_store.run(name);
        if (v && v->hasUsableCheckpoint()) evaluate(name);
    }
}

bool Workbench::isEvaluating(const QString& run) const {
    const RunSession* s = session(run);
    return s && s->isActive() && s->isEvaluation();
}

void Workbench::pause(const QString& run) {
    if (RunSession* s = session(run)) s->pause();
}

void Workbench::resume(const QString& run) {
    if (RunSession* s = session(run)) s->resume();
}

void Workbench::step(const QString& run) {
    RunSession* s = session(run);
    if (!s || !s->isActive()) {
        if (anyActive()) return; // one run trains at a time: stepping another would queue it
        launch(run, true);
        s = session(run);
        if (!s || !s->isActive()) return; // refused (startProblem)
    }
    s->step();
}

void Workbench::stop(const QString& run) {
    if (m_queue.removeAll(run) + m_evalQueue.removeAll(run) > 0) {
        RunStatus st = m_store.run(run) ? m_store.run(run)->status : RunStatus{};
        st.message = "removed from the queue";
        m_store.setStatus(run, st);
        Q_EMIT queueChanged();
    }
    if (RunSession* s = session(run)) s->requestStop();
}

void Workbench::runAll() {
    for (const QString& name : m_doc.plannedNames()) {
        const RunView* v = m_store.run(name);
        if (v && v->status.state == RunState::Completed && v->status.step >= m_doc.config(name).train.steps) continue;
        start(name);
    }
}

void Workbench::stopAll() {
    m_stopping = true;
    m_queue.clear();
    m_evalQueue.clear();
    Q_EMIT queueChanged();
    bool any = false;
    for (auto& [name, s] : m_sessions)
        if (s->isActive()) {
            s->requestStop();
            any = true;
        }
    if (!any) Q_EMIT allStopped();
}

} // namespace seqpe::ui
