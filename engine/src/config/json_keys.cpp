#include "json_keys.h"

#include <map>

namespace seqpe {

std::vector<Diagnostic> duplicate_key_diagnostics(const std::string& text) {
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
                    out.push_back({key_path, "written twice in one object (lines " + std::to_string(it->second) + " and " +
                                                 std::to_string(start_line) + "); the reader would keep only the "
                                                                               "second: keep one"});
                }
            }
        } else if (ch == '{' || ch == '[') {
            Frame f;
            f.object = ch == '{';
            f.path = child_path();
            f.expecting_key = f.object;
            stack.push_back(std::move(f));
        } else if (ch == '}' || ch == ']') {
            if (!stack.empty()) stack.pop_back();
        } else if (ch == ',' && !stack.empty()) {
            if (stack.back().object) stack.back().expecting_key = true;
            else ++stack.back().index;
        }
    }
    return out;
}

} // namespace seqpe
