#pragma once
// Does a list of diagnostics name `path` (and, when given, say `text`)? The config and project
// tests check their messages this way.
#include "seqpe/diagnostics.h"

#include <string>
#include <vector>

namespace seqpe::test {

inline bool mentions(const std::vector<Diagnostic>& d, const std::string& path, const std::string& text = "") {
    for (const auto& x : d)
        if (x.path == path && (text.empty() || x.message.find(text) != std::string::npos)) return true;
    return false;
}

} // namespace seqpe::test
