#pragma once
// A Trainer without LibTorch: steps take `step_ms`, produce one train record each, honour pause,
// step, post and the stop token exactly as the real trainer's contract says.
#include "seqpe/inspect.h"
#include "seqpe/trainer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace seqpe::test {

// Geometry that changes with the step (a diagonal whose value is the step), no model behind it.
class FakeInspector : public Inspector {
public:
    explicit FakeInspector(const std::atomic<int64_t>& step) : step_(step) {}
    const RunConfig& config() const override { return cfg_; }
    int64_t step() const override { return step_; }
    GeometryResult geometry(const GeometryRequest& r) override {
        GeometryResult g;
        g.kind = "embedding";
        const int64_t n = r.count > 0 ? r.count : 8;
        g.matrix.shape = {n, n};
        g.matrix.data.assign(static_cast<size_t>(n * n), 0.0f);
        for (int64_t i = 0; i < n; ++i)
            g.matrix.data[static_cast<size_t>(i * n + i)] = static_cast<float>(step_.load());
        for (int64_t i = 0; i < n; ++i) g.positions.push_back(i);
        return g;
    }
    AttentionResult image_attention(const std::vector<uint8_t>&, int, int, int, int) override { return {}; }
    AttentionResult text_attention(const std::vector<int64_t>&) override { return {}; }
    std::vector<int64_t> sample_tokens(int64_t, int64_t) override { return {}; }
    std::vector<int64_t> encode_text(const std::string&) override { return {}; }
    std::vector<uint8_t> sample_image(int64_t, int*, int*, int*, int64_t*) override { return {}; }

private:
    RunConfig cfg_;
    const std::atomic<int64_t>& step_;
};

class FakeTrainer : public Trainer {
public:
    FakeTrainer(int64_t steps, int step_ms, bool paused, int64_t snapshot_every = 0)
        : total_(steps), step_ms_(step_ms), paused_(paused), snapshot_every_(snapshot_every) {}

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
            if (snapshot_every_ > 0 && step_ % snapshot_every_ == 0) {
                Snapshot snap;
                snap.step = step_;
                snap.geometry = inspector_.geometry(GeometryRequest{});
                obs.on_snapshot(snap);
            }
        }
        s.step = step_;
        s.state = step_ >= total_ ? RunState::Completed : RunState::Cancelled;
        obs.on_status(s);
        RunResult res;
        res.outcome = step_ >= total_ ? RunOutcome::Completed : RunOutcome::Cancelled;
        res.step = step_;
        return res;
    }
    void pause() override {
        set([&] { paused_ = true; });
    }
    void resume() override {
        set([&] { paused_ = false; });
    }
    void step() override {
        set([&] {
            paused_ = true;
            ++steps_;
        });
    }
    bool is_paused() const override {
        std::lock_guard lk(mu_);
        return paused_;
    }
    void post(std::function<void()> fn) override {
        set([&] { posted_.push_back(std::move(fn)); });
    }
    Inspector& inspector() override { return inspector_; }
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
    int64_t snapshot_every_ = 0;
    std::deque<std::function<void()>> posted_;
    FakeInspector inspector_{step_};
};

} // namespace seqpe::test
