#pragma once
// A problem found in a config, a project or a command line: the JSON path of the field, and one
// sentence saying what is wrong and how to fix it.
#include <string>
#include <vector>

namespace seqpe {

struct Diagnostic {
    enum class Severity { Error, Warning };
    std::string path;    // "model.n_head"; "" for the whole file
    std::string message; // "4 does not divide model.d_model = 130; choose a divisor of 130"
    Severity severity = Severity::Error;
};

inline bool has_errors(const std::vector<Diagnostic>& d) {
    for (const auto& x : d)
        if (x.severity == Diagnostic::Severity::Error) return true;
    return false;
}

// "file: path: message" lines, one per diagnostic.
std::string format_diagnostics(const std::vector<Diagnostic>& d, const std::string& file = "");

} // namespace seqpe
