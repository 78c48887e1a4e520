// evaluate_algorithmic: exact match by length with its bootstrap interval, accuracy by answer position.
#include "eval/evaluate_algo.h"

#include "eval/eval_util.h"
#include "seqpe/common/error.h"
#include "seqpe/stats.h"

#include <algorithm>
#include <numeric>

namespace seqpe {

void evaluate_algorithmic(AlgoTask& task, const RunConfig& c, const std::vector<std::string>& modes,
                          const EvalOptions& o, EvalReport& rep, Observer& obs, std::stop_token stop) {
    const AlgoConfig& a = c.algo;
    rep.metric = "em";
    rep.split = "test";
    rep.train_length = a.train_max_len;
    rep.train_min_length = a.train_min_len;
    rep.length_unit = algo_length_unit(a);
    const std::vector<int64_t> lengths = o.lengths.empty() ? a.eval_lengths : o.lengths;
    for (const int64_t n : lengths)
        if (n < 1 || n > algo::kMaxLength)
            throw InputError("evaluation length " + std::to_string(n) + " is outside 1.." +
                             std::to_string(algo::kMaxLength) + " (algo.eval_lengths)");
    // eval.max_tokens caps the instances per length here, as it caps QA's examples.
    const int64_t examples = o.max_tokens > 0 ? std::min(o.max_tokens, a.test_examples) : a.test_examples;
    const EncodingInfo* encoding = find_encoding(c.position_encoding.type);
    const int64_t batch = c.eval.batch_size > 0 ? c.eval.batch_size : c.train.batch_size;
    for (const auto& md : modes) {
        for (const int64_t n : lengths) {
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<AlgoInstance> instances;
            instances.reserve(static_cast<size_t>(examples));
            for (int64_t i = 0; i < examples; ++i) instances.push_back(algo_test_instance(a, n, i));
            const int64_t positions = algo_positions(a, n);
            // Keep the positions per batch near the training batch's: memory stays flat as n grows.
            const int64_t per_batch = std::max<int64_t>(1, batch * c.train.seq_len / positions);
            AlgoTask::Scored s;
            task.score(instances, md, per_batch, s, stop);
            EvalRow row;
            row.mode = md;
            row.length = n;
            row.count = s.count;
            row.loss = s.targets ? s.nll / static_cast<double>(s.targets) : 0.0;
            row.ppl = std::exp(row.loss);
            row.accuracy = s.count ? std::accumulate(s.hits.begin(), s.hits.end(), 0.0) / double(s.count) : 0.0;
            const Interval ci = bootstrap_ratio(s.hits, std::vector<double>(s.hits.size(), 1.0), kBootstrapResamples,
                                                bootstrap_seed(n, md));
            row.lo = ci.lo;
            row.hi = ci.hi;
            row.items = s.count;
            for (const double r : s.by_answer) row.by_position.push_back(s.count ? r / double(s.count) : 0.0);
            row.seconds = seconds_since(t0);
            row.tokens_per_s = static_cast<double>(s.count * positions) / std::max(row.seconds, 1e-9);
            row.note = extrapolation_note(encoding, c, md, positions);
            obs.on_log(LogLevel::Info, "eval " + md + " length " + std::to_string(n) + " (" +
                                           std::to_string(positions) + " positions): exact match " +
                                           std::to_string(100 * row.accuracy) + "% of " + std::to_string(s.count) +
                                           ", answer loss " + std::to_string(row.loss));
            rep.rows.push_back(std::move(row));
        }
    }
}

} // namespace seqpe
