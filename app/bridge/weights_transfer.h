#pragma once
// Checkpoint export and import for the workbench, off the GUI thread: one job at a time on its own
// worker (a few seconds of hashing and file I/O, not training: it does not wait in the training
// queue), progress and the outcome delivered on the GUI thread. The files are those of
// `seqpe export` / `seqpe import` (the engine hooks call the same functions).
#include "engine_hooks.h"
#include "gui_outbox.h"

#include <QObject>
#include <QString>
#include <filesystem>
#include <thread>

namespace seqpe::ui {

class WeightsTransfer : public QObject {
    Q_OBJECT
public:
    explicit WeightsTransfer(EngineHooks hooks, QObject* parent = nullptr);
    ~WeightsTransfer() override; // waits for a job in progress (files are written atomically)

    enum class Kind { Export, Import };
    bool isBusy() const { return m_busy; }
    Kind kind() const { return m_kind; }
    // A checkpoint directory -> `file` and `<stem>.config.json` beside it. False (nothing started)
    // while another job runs.
    bool startExport(const std::filesystem::path& checkpoint, const std::filesystem::path& file);
    // `file` + `config` -> the new run directory `runDir` (refused by the engine when it exists).
    bool startImport(const std::filesystem::path& file, const std::filesystem::path& config,
                     const std::filesystem::path& runDir);

Q_SIGNALS:
    void progress(const QString& stage, double fraction);
    // result: the written file (export) or the created run directory (import); message: the error
    // or a one-line summary.
    void finished(bool ok, const QString& message, const QString& result);

private:
    Q_INVOKABLE void drainOutbox() { m_outbox.drain(); }
    bool begin(Kind kind, std::function<QString(const TransferProgress&)> job);
    EngineHooks m_hooks;
    GuiOutbox m_outbox{this};
    std::thread m_worker;
    bool m_busy = false; // GUI thread
    Kind m_kind = Kind::Export;
};

} // namespace seqpe::ui
