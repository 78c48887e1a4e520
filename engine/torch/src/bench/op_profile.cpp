// Operator profile for `seqpe bench --profile` (op_profile.h).
#include "bench/op_profile.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define SEQPE_HAS_LEGACY_PROFILER 1
#endif

namespace seqpe::bench {

std::vector<OpTime> fold_ranges(const std::vector<std::tuple<std::string, double, double>>& ranges, int times) {
    // Sorted by begin (longer first on ties), a range's parent is the innermost open range around it.
    std::vector<size_t> order(ranges.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const auto& [na, ba, ea] = ranges[a];
        const auto& [nb, bb, eb] = ranges[b];
        return ba != bb ? ba < bb : ea > eb;
    });
    struct Acc {
        double self = 0, total = 0;
        int64_t calls = 0;
    };
    std::map<std::string, Acc> acc;
    std::vector<size_t> open;         // indices into ranges
    std::vector<double> child;        // time of the direct children of each open range
    std::map<std::string, int> depth; // open ranges per name: recursion counts its total once
    auto close_until = [&](double t) {
        while (!open.empty() && std::get<2>(ranges[open.back()]) <= t) {
            const auto& [n, b, e] = ranges[open.back()];
            Acc& a = acc[n];
            a.self += std::max(0.0, (e - b) - child.back());
            if (--depth[n] == 0) a.total += e - b;
            ++a.calls;
            open.pop_back();
            child.pop_back();
            if (!child.empty()) child.back() += e - b;
        }
    };
    for (const size_t i : order) {
        const auto& [n, b, e] = ranges[i];
        close_until(b);
        open.push_back(i);
        child.push_back(0);
        ++depth[n];
    }
    close_until(std::numeric_limits<double>::infinity());
    std::vector<OpTime> out;
    const double per = 1e-3 / std::max(1, times); // us -> ms per run
    for (const auto& [n, a] : acc)
        out.push_back({n, a.self * per, a.total * per, a.calls / std::max<int64_t>(1, times)});
    std::sort(out.begin(), out.end(), [](const OpTime& x, const OpTime& y) { return x.self_ms > y.self_ms; });
    return out;
}

std::vector<OpTime> profile_ops(const std::function<void()>& work, int times, std::string* why) {
#ifdef SEQPE_HAS_LEGACY_PROFILER
    namespace prof = torch::autograd::profiler;
    prof::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    try {
        for (int i = 0; i < times; ++i) work();
    } catch (...) {
        prof::disableProfilerLegacy();
        throw;
    }
    const prof::thread_event_lists lists = prof::disableProfilerLegacy();
    // Push/pop pairs, folded per thread (ranges of two threads overlap without nesting), then
    // summed by name over the threads.
    std::map<std::string, OpTime> sum;
    for (const auto& events : lists) {
        std::vector<std::tuple<std::string, double, double>> ranges;
        std::unordered_map<uint64_t, const prof::LegacyEvent*> begun; // a pop names its push by handle
        for (const auto& ev : events) {
            if (ev.kind() == prof::EventKind::PushRange) {
                begun[ev.handle()] = &ev;
            } else if (ev.kind() == prof::EventKind::PopRange) {
                const auto it = begun.find(ev.handle());
                if (it == begun.end()) continue;
                ranges.emplace_back(it->second->name(), it->second->cpuUs(), ev.cpuUs());
                begun.erase(it);
            }
        }
        for (const OpTime& o : fold_ranges(ranges, times)) {
            OpTime& t = sum[o.name];
            t.name = o.name;
            t.self_ms += o.self_ms;
            t.total_ms += o.total_ms;
            t.calls += o.calls;
        }
    }
    std::vector<OpTime> out;
    for (auto& [n, o] : sum) out.push_back(o);
    std::sort(out.begin(), out.end(), [](const OpTime& x, const OpTime& y) { return x.self_ms > y.self_ms; });
    return out;
#else
    (void)work;
    (void)times;
    if (why) *why = "this LibTorch has no legacy profiler (torch/csrc/autograd/profiler_legacy.h)";
    return {};
#endif
}

} // namespace seqpe::bench
