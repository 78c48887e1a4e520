#pragma once
// Internal: SeqPE's rules on the fields of a resolved config (digits cover the evaluated
// positions, room to shift, auxiliary sample sizes), the check of its row in the encodings table.
#include "seqpe/config.h"
#include "seqpe/diagnostics.h"

#include <vector>

namespace seqpe {

void check_seqpe(const RunConfig& resolved, std::vector<Diagnostic>& out);

} // namespace seqpe
