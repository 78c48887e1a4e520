#pragma once
// Position-embedding geometry of an encoding: similarity/distance matrices of e(p), the relative
// score RoPE and ALiBi add to q.k, PCA, and the rank correlation with position distance.
#include "pe/encoding.h"
#include "seqpe/inspect.h"

namespace seqpe {

GeometryResult compute_geometry(PositionEncodingImpl& pe, const ResolvedConfig& config, const GeometryRequest& request);

// Spearman rank correlation of two equally long series (average ranks for ties).
double spearman(const std::vector<double>& a, const std::vector<double>& b);

} // namespace seqpe
