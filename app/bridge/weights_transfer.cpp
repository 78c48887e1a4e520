// WeightsTransfer: one export or import job on a worker thread, its progress throttled to 1% steps
// and its outcome posted back to the GUI thread.
#include "weights_transfer.h"

namespace seqpe::ui {

WeightsTransfer::WeightsTransfer(EngineHooks hooks, QObject* parent) : QObject(parent), m_hooks(std::move(hooks)) {}

WeightsTransfer::~WeightsTransfer() {
    if (m_worker.joinable()) m_worker.join();
    m_outbox.joined();
}

bool WeightsTransfer::begin(Kind kind, std::function<QString(const TransferProgress&)> job) {
    if (m_busy) return false;
    if (m_worker.joinable()) m_worker.join(); // the previous job has delivered its outcome
    m_busy = true;
    m_kind = kind;
    m_worker = std::thread([this, job = std::move(job)] {
        // Reports at most every 1% (import reports per tensor: thousands for a large model).
        double last = -1.0;
        const TransferProgress progress = [this, &last](const std::string& stage, double f) {
            if (f < 1.0 && f - last < 0.01 && last >= 0.0) return;
            last = f;
            m_outbox.post([this, s = QString::fromStdString(stage), f] { Q_EMIT this->progress(s, f); });
        };
        bool ok = true;
        QString result, message;
        try {
            result = job(progress);
        } catch (const std::exception& e) {
            ok = false;
            message = QString::fromStdString(e.what());
        } catch (...) {
            ok = false;
            message = QStringLiteral("unknown error");
        }
        m_outbox.post([this, ok, message, result] {
            m_busy = false;
            Q_EMIT finished(ok, message, result);
        });
    });
    return true;
}

bool WeightsTransfer::startExport(const std::filesystem::path& checkpoint, const std::filesystem::path& file) {
    return begin(Kind::Export, [this, checkpoint, file](const TransferProgress& p) {
        if (!m_hooks.exportWeights) throw std::runtime_error("this build cannot export weights");
        m_hooks.exportWeights(checkpoint, file, p);
        return QString::fromStdString(file.string());
    });
}

bool WeightsTransfer::startImport(const std::filesystem::path& file, const std::filesystem::path& config,
                                  const std::filesystem::path& runDir) {
    return begin(Kind::Import, [this, file, config, runDir](const TransferProgress& p) {
        if (!m_hooks.importWeights) throw std::runtime_error("this build cannot import weights");
        return QString::fromStdString(m_hooks.importWeights(file, config, runDir, p).string());
    });
}

} // namespace seqpe::ui
