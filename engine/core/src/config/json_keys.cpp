// json_text_diagnostics (json_keys.h): one pass over the raw JSON text that finds keys written twice
// in one object and integer literals beyond int64, with their lines and paths.
#include "json_keys.h"

#include "seqpe/common/text.h"

#include <map>

namespace seqpe {

namespace {

// Does the integer literal (optional '-', digits) fit in int64? Compared as text: the parser
// would already have rounded it to a double.
bool fits_int64(const std::string& literal) {
    const bool negative = !literal.empty() && literal[0] == '-';
    std::string d = literal.substr(negative ? 1 : 0);
    d.erase(0, std::min(d.find_first_not_of('0'), d.size() - 1));
    const std::string limit = negative ? "9223372036854775808" : "9223372036854775807";
    return d.size() < limit.size() || (d.size() == limit.size() && d <= limit);
}

} // namespace

std::vector<Diagnostic> json_text_diagnostics(const std::string& text) {
    struct Frame {
        bool object = false;
        std::string path;                 // of this object or array
        std::map<std::string, int> lines; // key -> line where it first appeared
        bool expecting_key = false;       // objects: the next string is a key
        std::string last_key;             // objects: the key of the value being read
        int index = 0;                    // arrays: the element being read
    };
    std::vector<Frame> stack;
    std::vector<Diagnostic> out;
    int line = 1;
    auto child_path = [&]() {
        if (stack.empty()) return std::string();
        const Frame& f = stack.back();
        if (f.object) return f.path.empty() ? f.last_key : f.path + "." + f.last_key;
        return f.path + "[" + std::to_string(f.index) + "]";
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '\n') {
            ++line;
        } else if (ch == '"') {
            // A string token: raw contents up to the closing quote (escapes kept as written).
            const int start_line = line;
            std::string raw;
            for (++i; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size()) raw += text[i++];
                if (text[i] == '\n') ++line;
                raw += text[i];
            }
            if (!stack.empty() && stack.back().object && stack.back().expecting_key) {
                Frame& f = stack.back();
                f.expecting_key = false;
                f.last_key = raw;
                const auto [it, fresh] = f.lines.emplace(raw, start_line);
                if (!fresh) {
                    const std::string key_path = f.path.empty() ? raw : f.path + "." + raw;
                    out.push_back({key_path, "written twice in one object (lines " + std::to_string(it->second) +
                                                 " and " + std::to_string(start_line) +
                                                 "); the reader would keep only the "
                                                 "second: keep one"});
                }
            }
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            // A number token: an integer literal beyond 64 bits would reach the option readers
            // rounded (or wrapped), so it is named here as written.
            size_t end = i;
            while (end < text.size() && (text[end] == '-' || text[end] == '+' || text[end] == '.' || text[end] == 'e' ||
                                         text[end] == 'E' || (text[end] >= '0' && text[end] <= '9')))
                ++end;
            const std::string literal = text.substr(i, end - i);
            if (literal.find_first_of(".eE+") == std::string::npos &&
                literal.find_first_of("0123456789") != std::string::npos && literal.find('-', 1) == std::string::npos &&
                !fits_int64(literal))
                out.push_back({child_path(), "the integer " + quote_for_message(literal) +
                                                 " does not fit in 64 bits (the limits are -9223372036854775808 and "
                                                 "9223372036854775807); write a smaller value"});
            i = end - 1;
        } else if (ch == '{' || ch == '[') {
            Frame f;
            f.object = ch == '{';
            f.path = child_path();
            f.expecting_key = f.object;
            stack.push_back(std::move(f));
        } else if (ch == '}' || ch == ']') {
            if (!stack.empty()) stack.pop_back();
        } else if (ch == ',' && !stack.empty()) {
            if (stack.back().object)
                stack.back().expecting_key = true;
            else
                ++stack.back().index;
        }
    }
    return out;
}

} // namespace seqpe
