// ProbeService: sends a probe to the run's training thread, or queues it for the probe worker,
// which keeps one Inspector per run directory (reloaded when the checkpoint changes).
#include "probe_service.h"

#include "seqpe/common/error.h"
#include "seqpe/run_dir.h"
#include "workbench.h"

#include <QMetaObject>

namespace seqpe::ui {

ProbeService::ProbeService(Workbench& wb, EngineHooks hooks, QObject* parent)
    : QObject(parent), m_wb(wb), m_hooks(std::move(hooks)) {
    m_thread = QThread::create([this] { loop(); });
    m_thread->setObjectName("probes");
    m_thread->start();
}

ProbeService::~ProbeService() {
    {
        std::lock_guard lk(m_mutex);
        m_quit = true;
        m_jobs.clear();
    }
    m_cv.notify_all();
    m_thread->wait();
    delete m_thread;
    m_outbox.joined();
    std::lock_guard lk(m_mutex); // the loop's last writes (m_open) happen-before the members die
}

void ProbeService::setCheckpoint(const QString& run, const std::filesystem::path& checkpoint) {
    if (m_pinned.value(run) == checkpoint) return;
    if (checkpoint.empty())
        m_pinned.remove(run);
    else
        m_pinned.insert(run, checkpoint);
    Q_EMIT checkpointChanged(run);
}

void ProbeService::submit(const QString& run, std::function<void(Inspector&)> work, QObject* context,
                          std::function<void(bool, const QString&)> done) {
    QPointer<QObject> guard(context);
    auto deliver = [this, guard, done](bool ok, const QString& err) {
        m_outbox.post([guard, done, ok, err] {
            if (guard) done(ok, err);
        });
    };
    const std::filesystem::path pinned = checkpoint(run);
    // A run training in this window answers between its steps (unless pinned to a checkpoint).
    if (RunSession* s = m_wb.session(run); s && s->isActive() && pinned.empty()) {
        const bool posted = s->post([work, deliver](Inspector& in) {
            try {
                work(in);
                deliver(true, {});
            } catch (const std::exception& e) {
                deliver(false, QString::fromStdString(e.what()));
            }
        });
        if (posted) return;
    }
    const RunView* v = m_wb.store().run(run);
    if (!v) {
        deliver(false, tr("no run named %1").arg(run));
        return;
    }
    {
        std::lock_guard lk(m_mutex);
        m_jobs.push_back({v->dir, pinned, std::move(work), {}, guard, done});
    }
    m_cv.notify_one();
}

void ProbeService::readSnapshot(const std::filesystem::path& file, QObject* context,
                                std::function<void(const GeometryResult&)> ok,
                                std::function<void(const QString&)> fail) {
    auto result = std::make_shared<GeometryResult>();
    Job job;
    job.plain = [file, result] { *result = read_geometry_snapshot(file); };
    job.context = context;
    job.done = [result, ok = std::move(ok), fail = std::move(fail)](bool success, const QString& error) {
        if (success)
            ok(*result);
        else if (fail)
            fail(error);
    };
    {
        std::lock_guard lk(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

void ProbeService::loop() {
    while (true) {
        Job job;
        {
            std::unique_lock lk(m_mutex);
            m_cv.wait(lk, [this] { return m_quit || !m_jobs.empty(); });
            if (m_quit) break;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        auto report = [this, &job](bool ok, const QString& err) {
            QPointer<QObject> guard = job.context;
            auto done = job.done;
            m_outbox.post([guard, done, ok, err] {
                if (guard) done(ok, err);
            });
        };
        try {
            if (job.plain) {
                job.plain();
                report(true, {});
                continue;
            }
            std::filesystem::path ck = job.checkpoint;
            if (ck.empty())
                ck = latest_checkpoint(RunPaths{job.dir}).value_or(std::filesystem::path());
            else if (!std::filesystem::exists(ck / "model.pt"))
                throw InputError(ck.string() +
                                 ": the checkpoint is gone (a run keeps its newest train.keep_checkpoints); "
                                 "choose another");
            if (ck.empty()) throw InputError(job.dir.string() + ": no checkpoint yet");
            auto& slot = m_open[job.dir];
            if (!slot.second || slot.first != ck) {
                slot.second.reset(); // free the old model before loading the new one
                slot.second = m_hooks.inspect(job.dir, job.checkpoint);
                slot.first = ck;
            }
            job.work(*slot.second);
            report(true, {});
        } catch (const std::exception& e) {
            report(false, QString::fromStdString(e.what()));
        } catch (...) {
            report(false, QStringLiteral("unknown error"));
        }
    }
    std::lock_guard lk(m_mutex);
    m_open.clear(); // models die on the thread that used them
}

} // namespace seqpe::ui
