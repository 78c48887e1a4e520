#pragma once
// The optional project keys seeds, sweep and max_runs: read from and written to the project JSON
// (config_io.cpp calls these; run_plan.cpp expands them).
#include "seqpe/config_io.h"

#include <nlohmann/json.hpp>

namespace seqpe {

// Reads j["seeds"], j["sweep"], j["max_runs"] when present; every problem is a diagnostic with its
// path ("sweep.optim.lr[2]").
void read_project_grid(const nlohmann::json& j, Project& p, std::vector<Diagnostic>& diags);
// Adds the keys that differ from a project without them.
void write_project_grid(const Project& p, nlohmann::json& j);

} // namespace seqpe
