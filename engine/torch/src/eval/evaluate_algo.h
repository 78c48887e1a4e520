#pragma once
// The algorithmic task's evaluation: exact match and accuracy by answer position at each of
// algo.eval_lengths (or the caller's lengths) and mode, on the test instances of algo.seed.
#include "seqpe/engine.h"
#include "seqpe/evaluate.h"
#include "train/algo_task.h"

#include <stop_token>

namespace seqpe {

void evaluate_algorithmic(AlgoTask& task, const RunConfig& c, const std::vector<std::string>& modes,
                          const EvalOptions& o, EvalReport& rep, Observer& obs, std::stop_token stop);

} // namespace seqpe
