#pragma once
// Keys written twice in one JSON object. The JSON parser keeps the last one silently, so a project
// that says two different things would train one of them: the config readers refuse it, naming the
// key, its object and both lines.
#include "seqpe/config_io.h"

#include <string>
#include <vector>

namespace seqpe {

// One diagnostic per repeated key (path "a.b" of the key, message with both line numbers), and one
// per integer literal beyond 64 bits (named as written: the parser would round or wrap it).
// Text that is not valid JSON may give none: the parser reports it.
std::vector<Diagnostic> json_text_diagnostics(const std::string& text);

} // namespace seqpe
