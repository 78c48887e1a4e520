#pragma once
// Hands work from any thread to the GUI thread, in order. The functions wait in a vector guarded by
// a std::mutex and the owner is woken by an argument-less queued call to its Q_INVOKABLE
// drainOutbox(): no captured data travels inside Qt's event objects, whose synchronisation
// ThreadSanitizer cannot see in an uninstrumented Qt, so the hand-off is visible to it and every
// race it reports is one of ours.
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <functional>
#include <mutex>
#include <vector>

namespace seqpe::ui {

class GuiOutbox {
public:
    explicit GuiOutbox(QObject* owner) : m_owner(owner) {}

    // Any thread. The owner's drainOutbox() must call drain().
    void post(std::function<void()> fn) {
        bool first = false;
        {
            std::lock_guard lk(m_mutex);
            m_queue.push_back(std::move(fn));
            first = !m_pending;
            m_pending = true;
        }
        if (first) QMetaObject::invokeMethod(m_owner, "drainOutbox", Qt::QueuedConnection);
    }

    // GUI thread. A function may delete the owner (and this outbox): the rest are then dropped.
    void drain() {
        std::vector<std::function<void()>> work;
        {
            std::lock_guard lk(m_mutex);
            work.swap(m_queue);
            m_pending = false;
        }
        const QPointer<QObject> alive(m_owner);
        for (auto& fn : work) {
            if (!alive) return;
            fn();
        }
    }

    // After the producer thread was joined (QThread::wait, invisible to TSan): an explicit edge.
    void joined() { std::lock_guard lk(m_mutex); }

private:
    QObject* m_owner;
    std::mutex m_mutex;
    std::vector<std::function<void()>> m_queue;
    bool m_pending = false;
};

} // namespace seqpe::ui
