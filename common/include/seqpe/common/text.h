#pragma once
// Text helpers shared by the data tool (corpus checks, tokenizer input) and the engine (showing
// tokens without SentencePiece, through the manifest's pieces file).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seqpe {

// Byte offset of the first invalid UTF-8 sequence, or nullopt when the text is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view text);

// `text` fit to quote in a message (terminal or JSON event): valid UTF-8 kept, invalid bytes and
// control characters written as \xHH, cut after `max_bytes` with "... (N bytes)" appended.
std::string quote_for_message(std::string_view text, size_t max_bytes = 100);

// The first line of `text`, at most `max_bytes` (a library's exception text, which LibTorch follows
// with a multi-line backtrace, quoted inside one of our messages).
std::string first_line(std::string_view text, size_t max_bytes = 120);

// Cuts `text` into pieces of at most `max_bytes` at sentence ends (". ", "! ", "? ") or, failing
// that, at spaces; pieces never start with a space. SentencePiece skips training sentences longer
// than its limit, and the default corpus stores a whole speech on one line.
std::vector<std::string_view> split_sentences(std::string_view text, size_t max_bytes);

// The vocabulary as piece strings (pieces.txt: one per line, id = line number).
class Vocabulary {
public:
    Vocabulary() = default;
    explicit Vocabulary(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
    static Vocabulary load(const std::filesystem::path& pieces_file); // throws InputError
    int64_t size() const { return static_cast<int64_t>(pieces_.size()); }
    const std::string& piece(int64_t id) const;
    // Readable text: "▁" becomes a space, "<0xHH>" becomes that byte, control pieces are dropped.
    std::string decode(const std::vector<int64_t>& ids) const;
    // One token for display (keeps the visible "▁" word marker).
    std::string display(int64_t id) const;
    // What a token stands for in the text, for metrics that compare across tokenizers: its UTF-8
    // bytes (decode), its characters (the bytes that start one: summed over a sequence this is its
    // character count even when byte tokens split a character), and whether it starts a word (its
    // piece begins with "▁", as the official word-level perplexity counts words). Control pieces: 0.
    struct Units {
        int32_t bytes = 0, chars = 0;
        bool word_start = false;
    };
    Units units(int64_t id) const;

private:
    std::vector<std::string> pieces_;
};

// Piece string of a byte in the byte-level tokenizer: printable ASCII as itself, space as "▁",
// everything else as "<0xHH>".
std::string byte_piece(unsigned char b);

} // namespace seqpe
