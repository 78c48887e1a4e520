#pragma once
// A Trainer without LibTorch: steps take `step_ms`, produce one train record each, honour pause,
// step, post and the stop token exactly as the real trainer's contract says.
#include "seqpe/trainer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace seqpe::test {

class FakeTrainer : public Trainer {
public:
    FakeTrainer(int64_t steps, int step_ms, bool paused) : total_(steps), step_ms_(step_ms), paused_(paused) {}

    RunResult run(Observer& obs, std::stop_token stop) override {
        std::stop_callback wake(stop, [this] { cv_.notify_all(); });
        RunStatus s;
        s.state = RunState::Running;
        s.total_steps = total_;
        obs.on_status(s);
        while (step_ < total_) {
            {
                std::unique_lock lk(mu_);
                while (!posted_.empty()) {
                    auto fn = std::move(posted_.front());
                    posted_.pop_front();
                    lk.unlock();
                    fn();
                    lk.lock();
                }
                if (paused_ && steps_ == 0 && !stop.stop_requested()) {
                    s.state = RunState::Paused;
                    s.step = step_;
                    lk.unlock();
                    obs.on_status(s);
                    lk.lock();
                    cv_.wait(lk, [&] { return !paused_ || steps_ > 0 || stop.stop_requested() || !posted_.empty(); });
                    continue;
                }
                if (steps_ > 0) --steps_;
            }
            if (stop.stop_requested()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(step_ms_));
            ++step_;
            Record r;
            r.kind = "train";
            r.step = step_;
            r.set("loss", 10.0 / static_cast<double>(step_));
            obs.on_record(r);
        }
        s.step = step_;
        s.state = step_ >= total_ ? RunState::Completed : RunState::Cancelled;
        obs.on_status(s);
        RunResult res;
        res.outcome = step_ >= total_ ? RunOutcome::Completed : RunOutcome::Cancelled;
        res.step = step_;
        return res;
    }
    void pause() override { set([&] { paused_ = true; }); }
    void resume() override { set([&] { paused_ = false; }); }
    void step() override { set([&] { paused_ = true; ++steps_; }); }
    bool is_paused() const override {
        std::lock_guard lk(mu_);
        return paused_;
    }
    void post(std::function<void()> fn) override { set([&] { posted_.push_back(std::move(fn)); }); }
    int64_t current_step() const override { return step_; }
    int64_t total_steps() const override { return total_; }

private:
    template <class F> void set(F f) {
        std::lock_guard lk(mu_);
        f();
        cv_.notify_all();
    }
    int64_t total_;
    int step_ms_;
    std::atomic<int64_t> step_{0};
    mutable std::mutex mu_;
    std::condition_variable_any cv_;
    bool paused_;
    int64_t steps_ = 0;
    std::deque<std::function<void()>> posted_;
};

} // namespace seqpe::test
