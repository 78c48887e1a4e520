// UTF-8 validation, sentence splitting for tokenizer training, and piece-based decoding.
#include "seqpe/common/text.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <algorithm>
#include <cstdio>

namespace seqpe {

std::optional<size_t> find_invalid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n) return i;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return i;
        i += len;
    }
    return std::nullopt;
}

std::string quote_for_message(std::string_view text, size_t max_bytes) {
    std::string out;
    size_t i = 0;
    auto hex = [&](unsigned char b) {
        static const char* digits = "0123456789abcdef";
        out += "\\x";
        out += digits[b >> 4];
        out += digits[b & 15];
    };
    while (i < text.size() && out.size() < max_bytes) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            hex(c);
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else {
            // One UTF-8 sequence, if valid here.
            const size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            const std::string_view seq = text.substr(i, len);
            if (len > 1 && seq.size() == len && !find_invalid_utf8(seq)) {
                out.append(seq);
                i += len;
            } else {
                hex(c);
                ++i;
            }
        }
    }
    if (i < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::vector<std::string_view> split_sentences(std::string_view text, size_t max_bytes) {
    std::vector<std::string_view> out;
    if (max_bytes < 16) max_bytes = 16;
    size_t pos = 0;
    const size_t n = text.size();
    auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (pos < n) {
        while (pos < n && is_space(text[pos])) ++pos;
        if (pos >= n) break;
        size_t end = pos;
        size_t last_space = std::string_view::npos;
        size_t cut = std::string_view::npos;
        while (end < n && end - pos < max_bytes) {
            const char c = text[end];
            if (is_space(c)) {
                last_space = end;
                if (end > pos && (text[end - 1] == '.' || text[end - 1] == '!' || text[end - 1] == '?')) {
                    cut = end;
                    break;
                }
                if (c == '\n') {
                    cut = end;
                    break;
                }
            }
            ++end;
        }
        if (cut == std::string_view::npos) {
            if (end >= n)
                cut = n;
            else if (last_space != std::string_view::npos && last_space > pos)
                cut = last_space;
            else {
                cut = end; // one very long word: cut at a UTF-8 boundary
                while (cut > pos + 1 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
            }
        }
        size_t e = cut;
        while (e > pos && is_space(text[e - 1])) --e;
        if (e > pos) out.push_back(text.substr(pos, e - pos));
        pos = cut;
    }
    return out;
}

Vocabulary Vocabulary::load(const fs::path& file) {
    const std::string text = read_file(file);
    std::vector<std::string> pieces;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        pieces.emplace_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    if (pieces.empty()) throw InputError(file.string() + ": empty pieces file; prepare the dataset again");
    return Vocabulary(std::move(pieces));
}

const std::string& Vocabulary::piece(int64_t id) const {
    static const std::string unknown = "<?>";
    if (id < 0 || id >= size()) return unknown;
    return pieces_[static_cast<size_t>(id)];
}

static bool is_byte_piece(const std::string& p, unsigned char* out) {
    if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return false;
    unsigned v = 0;
    if (std::sscanf(p.c_str() + 3, "%2x", &v) != 1) return false;
    *out = static_cast<unsigned char>(v);
    return true;
}

std::string Vocabulary::decode(const std::vector<int64_t>& ids) const {
    static const std::string kMarker = "\xE2\x96\x81"; // U+2581 "▁"
    std::string out;
    for (const int64_t id : ids) {
        const std::string& p = piece(id);
        unsigned char b;
        if (is_byte_piece(p, &b)) {
            out.push_back(static_cast<char>(b));
            continue;
        }
        if (p.size() >= 2 && p.front() == '<' && p.back() == '>') continue; // <s>, </s>, <unk>
        size_t i = 0;
        while (i < p.size()) {
            if (p.compare(i, kMarker.size(), kMarker) == 0) {
                out.push_back(' ');
                i += kMarker.size();
            } else {
                out.push_back(p[i++]);
            }
        }
    }
    return out;
}

std::string Vocabulary::display(int64_t id) const {
    return piece(id);
}

Vocabulary::Units Vocabulary::units(int64_t id) const {
    Units u;
    const std::string text = decode({id});
    u.bytes = static_cast<int32_t>(text.size());
    for (const char ch : text) u.chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80; // not a continuation byte
    u.word_start = piece(id).rfind("\xE2\x96\x81", 0) == 0;                                // "▁"
    return u;
}

std::string byte_piece(unsigned char b) {
    if (b == ' ') return "\xE2\x96\x81";
    if (b > 32 && b < 127) return std::string(1, static_cast<char>(b));
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    return buf;
}

std::string first_line(std::string_view text, size_t max_bytes) {
    const size_t nl = text.find_first_of("\r\n");
    return std::string(text.substr(0, std::min({nl, max_bytes, text.size()})));
}

} // namespace seqpe
