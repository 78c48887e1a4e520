#pragma once
// Per-operator time of a piece of LibTorch work (`seqpe bench --profile`): the legacy autograd
// profiler's events, folded into self and total time per operator name, per call of the work.
#include "seqpe/bench.h"

#include <functional>
#include <string>
#include <vector>

namespace seqpe::bench {

// Runs `work` `times` times under the CPU profiler. Returns every operator and scope it recorded,
// by self time (time not spent in a nested operator) per run of `work`, largest first. Empty and
// `why` set where this LibTorch has no profiler to call.
std::vector<OpTime> profile_ops(const std::function<void()>& work, int times, std::string* why = nullptr);

// Folds (name, begin us, end us) ranges of one thread, properly nested, into per-name self and
// total time in milliseconds divided by `times`; a name nested in itself counts its total once.
std::vector<OpTime> fold_ranges(const std::vector<std::tuple<std::string, double, double>>& ranges, int times);

} // namespace seqpe::bench
