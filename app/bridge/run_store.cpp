// RunStore and RunView: the runs' configs, statuses, checkpoints and metric records, read from disk
// (polled for runs this window does not drive) or appended live; run colours stay stable.
#include "run_store.h"

#include <QSet>
#include <algorithm>

#include "seqpe/common/files.h"

namespace seqpe::ui {

const Record* RunView::lastOf(const std::string& kind) const {
    for (auto it = records.rbegin(); it != records.rend(); ++it)
        if (it->kind == kind) return &*it;
    return nullptr;
}

namespace {
struct RecentWork {
    double tokens = 0, seconds = 0;
    int steps = 0;
};
// What the last n logged training steps did (records without a step time are skipped).
RecentWork recentWork(const std::vector<Record>& records, int n) {
    RecentWork w;
    for (auto it = records.rbegin(); it != records.rend() && w.steps < n; ++it) {
        if (it->kind != "train") continue;
        const auto dt = it->get("step_time");
        if (!dt || *dt <= 0) continue;
        w.tokens += it->get("tokens_per_s").value_or(0) * *dt;
        w.seconds += *dt;
        ++w.steps;
    }
    return w;
}
} // namespace

double RunView::recentTokensPerS(int n) const {
    const RecentWork w = recentWork(records, n);
    return w.seconds > 0 ? w.tokens / w.seconds : 0.0;
}

double RunView::recentStepTime(int n) const {
    const RecentWork w = recentWork(records, n);
    return w.steps > 0 ? w.seconds / w.steps : 0.0;
}

int64_t RunView::budget() const {
    const int64_t project = config ? config->train.steps : 0;
    if (!live && status.total_steps > 0) return status.total_steps; // what the run on disk was trained for
    return project > 0 ? project : status.total_steps;
}

QString RunView::stateText(bool queued) const {
    if (queued) return QStringLiteral("queued");
    if (live && !activity.isEmpty()) return activity;
    if (status.updated.empty() && records.empty()) return QStringLiteral("not started");
    if (status.state == RunState::Cancelled) return QStringLiteral("stopped");
    if (status.state == RunState::Queued) return QStringLiteral("not started"); // no status file yet
    return QString::fromUtf8(run_state_name(status.state));
}

bool RunView::hasUsableCheckpoint() const {
    return std::any_of(checkpoints.begin(), checkpoints.end(), [](const CheckpointInfo& c) { return c.usable(); });
}

const CheckpointInfo* RunView::damagedCheckpoint() const {
    for (const auto& c : checkpoints)
        if (c.health == CheckpointHealth::Damaged && !c.set_aside) return &c;
    return nullptr;
}

QVector<QPointF> RunView::series(const std::string& kind, const std::string& key) const {
    QVector<QPointF> out;
    for (const auto& r : records)
        if (r.kind == kind)
            if (auto v = r.get(key)) out.append(QPointF(static_cast<double>(r.step), *v));
    return out;
}

RunStore::RunStore(QObject* parent) : QObject(parent) {
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &RunStore::pollDisk);
    m_poll.start();
}

void RunStore::setRuns(const QVector<QPair<QString, std::filesystem::path>>& runs,
                       const QHash<QString, ResolvedConfig>& configs) {
    // Same runs (a config edit): update configs in place; views keep their selection and curves.
    bool same = static_cast<int>(m_runs.size()) == runs.size();
    for (int i = 0; same && i < runs.size(); ++i)
        same = m_runs[static_cast<size_t>(i)]->name == runs[i].first &&
               m_runs[static_cast<size_t>(i)]->dir == runs[i].second;
    if (same) {
        for (auto& v : m_runs)
            if (configs.contains(v->name)) v->config = configs.value(v->name);
        for (auto& v : m_runs) Q_EMIT runUpdated(v->name);
        return;
    }
    std::vector<std::unique_ptr<RunView>> next;
    for (const auto& [name, dir] : runs) {
        std::unique_ptr<RunView> v;
        for (auto& old : m_runs)
            if (old && old->name == name && old->dir == dir) v = std::move(old);
        if (!v) {
            v = std::make_unique<RunView>();
            v->name = name;
            v->dir = dir;
            m_readers.erase(name);
            // Silently: m_runs holds moved-from entries until the swap below, and a slot reached
            // through recordsAdded would look runs up in it. runsChanged tells the views after.
            loadFromDisk(*v, true, false);
        }
        if (configs.contains(name)) v->config = configs.value(name);
        next.push_back(std::move(v));
    }
    // Colours: runs that stay keep theirs; one that comes back gets its old one if no other run
    // holds it; a new run takes the lowest free index (so a fresh project reads 0, 1, 2, ...).
    QSet<int> taken;
    for (const auto& v : next)
        if (v->colour >= 0) taken.insert(v->colour);
    for (const bool returning : {true, false})
        for (auto& v : next) {
            if (v->colour >= 0 || m_colourOf.contains(v->name) != returning) continue;
            int c = m_colourOf.value(v->name, -1);
            if (c < 0 || taken.contains(c))
                for (c = 0; taken.contains(c);) ++c;
            v->colour = c;
            taken.insert(c);
            m_colourOf.insert(v->name, c);
        }
    m_runs = std::move(next);
    Q_EMIT runsChanged();
}

int RunStore::colourOf(const QString& name) const {
    const RunView* v = run(name);
    return v ? std::max(0, v->colour) : 0;
}

QStringList RunStore::names() const {
    QStringList out;
    for (const auto& v : m_runs) out << v->name;
    return out;
}

const RunView* RunStore::run(const QString& name) const {
    for (const auto& v : m_runs)
        if (v->name == name) return v.get();
    return nullptr;
}

RunView* RunStore::run(const QString& name) {
    for (auto& v : m_runs)
        if (v->name == name) return v.get();
    return nullptr;
}

void RunStore::loadFromDisk(RunView& v, bool full, bool notify) {
    const RunPaths p{v.dir};
    if (!is_run_dir(v.dir)) return;
    if (full || !v.config) {
        try {
            if (!v.config) v.config = read_run_config(p);
        } catch (const std::exception&) {
        }
    }
    const std::string before = v.status.updated;
    if (auto st = read_status(p)) v.status = *st;
    // A run's checkpoints change when its status does (each checkpoint rewrites it).
    if (full || v.status.updated != before) {
        v.checkpoints = list_checkpoints(p, CheckpointCheck::Sizes);
        v.snapshots = list_geometry_snapshots(v.dir);
    }
    auto& reader = m_readers[v.name];
    if (!reader || full) {
        reader = std::make_unique<MetricsReader>(p.metrics());
        v.records.clear();
    }
    const auto fresh = reader->read_new();
    if (!fresh.empty()) {
        // A resumed run rewrites its metrics file: keep the view consistent with the file.
        if (fresh.front().step <= (v.records.empty() ? -1 : v.records.back().step) && !full) {
            reader->reset();
            v.records.clear();
            for (auto& r : reader->read_new()) v.records.push_back(std::move(r));
        } else {
            v.records.insert(v.records.end(), fresh.begin(), fresh.end());
        }
        if (notify) Q_EMIT recordsAdded(v.name, static_cast<int>(fresh.size()));
    }
    loadReport(v);
}

void RunStore::loadReport(RunView& v) {
    const auto file = RunPaths{v.dir}.eval() / "extrapolation.json";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return;
    try {
        v.report = eval_report_from_json(read_file(file), file.string());
    } catch (const std::exception&) {
    }
}

void RunStore::reloadSnapshots(const QString& name) {
    if (RunView* v = run(name)) v->snapshots = list_geometry_snapshots(v->dir);
}

void RunStore::reloadReport(const QString& name) {
    if (RunView* v = run(name)) loadReport(*v);
}

void RunStore::pollDisk() {
    for (auto& v : m_runs) {
        if (v->live) continue;
        const auto before = v->status.updated;
        const auto n = v->records.size();
        loadFromDisk(*v, false);
        if (v->status.updated != before || v->records.size() != n) Q_EMIT runUpdated(v->name);
    }
}

void RunStore::setLive(const QString& name, bool live) {
    if (RunView* v = run(name)) {
        v->live = live;
        if (!live) {
            // Back to following the files: continue after what the window already has.
            m_readers.erase(name);
            loadFromDisk(*v, true);
        }
    }
}

void RunStore::appendRecords(const QString& name, const QVector<Record>& records) {
    RunView* v = run(name);
    if (!v || records.isEmpty()) return;
    // A live run that resumed from a checkpoint continues at the checkpoint's step.
    const int64_t first = records.front().step;
    while (!v->records.empty() && v->records.back().step > first && v->records.back().kind == "train")
        v->records.pop_back();
    for (const auto& r : records) v->records.push_back(r);
    Q_EMIT recordsAdded(name, records.size());
}

void RunStore::setStatus(const QString& name, const RunStatus& status) {
    if (RunView* v = run(name)) {
        // A live run reports its status every few steps: its checkpoints are re-read only when its
        // state changes (a stop or the end writes one), not on the GUI thread at every report.
        const bool changed = v->status.state != status.state;
        v->status = status;
        if (status.state != RunState::Queued) v->activity.clear();
        if (changed) v->checkpoints = list_checkpoints(RunPaths{v->dir}, CheckpointCheck::Sizes);
        Q_EMIT runUpdated(name);
    }
}

void RunStore::setActivity(const QString& name, const QString& text) {
    if (RunView* v = run(name)) {
        v->activity = text;
        Q_EMIT runUpdated(name);
    }
}

} // namespace seqpe::ui
