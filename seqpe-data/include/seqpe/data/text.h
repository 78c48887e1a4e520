#pragma once
// Text datasets: a folder of UTF-8 .txt files (one document each) or the SOTU corpus, split by
// document, tokenised with SentencePiece BPE (trained on the train split) or as bytes.
#include "seqpe/data/report.h"
#include "seqpe/data/util.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seqpe::data {

struct TextOptions {
    std::string source = "sotu";   // "sotu" | "auto" | a folder of .txt files
    std::string tokenizer = "bpe"; // "bpe" | "byte"
    int vocab_size = 4096;         // bpe: 260..65535
    fs::path cache;                // empty: seqpe::cache_root()
    bool force = false;            // rebuild even when the dataset exists
};

inline constexpr int kMinVocab = 260;
inline constexpr int kMaxVocab = 65535;

enum class Split { Train = 0, Valid = 1, Test = 2 };
const char* split_name(Split s);

// The fixed document split: documents sorted by relative path, index i of n:
// i % 10 == 5 -> valid, i % 10 == 9 -> test, else train; when n < 10 the last document is test,
// the second-to-last valid and the rest train.
Split text_split_of(size_t index, size_t count);
extern const char* const kTextSplitRule;   // the rule as a sentence (manifest split_rule)
extern const char* const kTextSplitRuleId; // part of the cache key

// Throws InputError naming `display` when the text has NUL bytes, is not UTF-8, or is empty or
// only whitespace.
void check_document(const std::string& display, std::string_view text);

// The token ids of `text` with the tokenizer of the prepared text dataset in `dir` (its BPE model,
// or bytes), no end-of-document token. Throws InputError for a dataset that is not text or a text
// that is empty, not UTF-8 or holds NUL.
std::vector<int64_t> encode_with_dataset(const fs::path& dir, const std::string& text);

// SentencePiece trainer settings (besides vocab_size and num_threads), also part of the cache key.
std::vector<std::pair<std::string, std::string>> bpe_trainer_options();

// Trains a BPE model on `train_docs` (cut into sentences of at most 2000 bytes) and returns the
// serialized model proto. Throws InputError when the corpus does not fit `vocab_size`.
std::string train_bpe(const std::vector<std::string_view>& train_docs, int vocab_size, Reporter& rep);

PrepareResult prepare_text(const TextOptions& opts, Reporter& rep);

} // namespace seqpe::data
