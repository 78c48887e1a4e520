#pragma once
// Long-context QA datasets generated from a prepared text dataset (seqpe-data/README.md):
//   niah     RULER S-/MK-NIAH: "One of the special magic numbers for {key} is: {value}." in a
//            haystack of corpus sentences, plus `distractors` needles with other keys; the question
//            asks for one key's 7-digit value.
//   passkey  Mohtashami & Jaggi: "The pass key is {5 digits}. Remember it. ..." in corpus text.
// Haystacks are contiguous sentences of the text dataset's documents of the same split role (train
// examples from train documents, valid from valid, every test-<L> split from test), so held-out
// text never reaches training. Everything is drawn from std::mt19937_64 with our own mapping to
// ranges (uniform_below), so the files are the same with every standard library.
#include "seqpe/data/report.h"
#include "seqpe/data/text.h"
#include "seqpe/data/util.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace seqpe::data {

struct QaOptions {
    std::string from;          // a prepared text dataset folder; empty: prepare (or find) one from `text`
    TextOptions text;          // --source / --tokenizer / --vocab-size (used when `from` is empty)
    std::string task = "niah"; // "niah" | "passkey"
    int train_length = 256;    // prompt tokens of train and valid examples
    std::vector<int> lengths{256, 512, 1024, 2048, 4096}; // one test-<L> split each
    int train_examples = 2000;
    int valid_examples = 100;
    int test_examples = 50;                      // per depth, per length
    std::vector<int> depths{0, 25, 50, 75, 100}; // percent, test splits
    int distractors = 3;                         // niah: extra needles with other keys (passkey: none)
    uint64_t seed = 1;
    fs::path cache;
    bool force = false;
};

inline constexpr int kQaMinLength = 64;
inline constexpr int kQaMaxLength = 131072;
inline constexpr int kQaMaxDistractors = 16;
inline constexpr int kQaMaxExamples = 1000000; // per split option
// Haystack sentences are split_sentences() pieces of at most this many bytes: needles go between
// them, and a prompt falls short of its length by less than the sentence that would come next. Only
// longer sentences are cut (at a space); that is about 0.1% of SOTU's sentences (p99 576 bytes).
inline constexpr size_t kQaSentenceMaxBytes = 1000;
inline constexpr size_t kQaMinKeyLetters = 4;
inline constexpr size_t kQaMaxKeyLetters = 10;
inline constexpr int kNiahDigits = 7;
inline constexpr int kPasskeyDigits = 5;

// The texts (the answer text is " " + value, followed by eos).
std::string niah_needle(std::string_view key, std::string_view value);
std::string niah_question(std::string_view key);
std::string passkey_needle(std::string_view value);
std::string passkey_question();

// A uniform integer in [0, n) from the generator, by rejection (never std::uniform_int_distribution,
// whose results differ between standard libraries). n must be > 0.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

// "256,512,1024" -> {256, 512, 1024}. Throws InputError naming `flag` on anything else.
std::vector<int> parse_int_list(const std::string& flag, const std::string& text);

// Candidate keys: the distinct words of `texts` made of 4..10 lowercase ASCII letters (maximal runs
// of ASCII letters), sorted.
std::vector<std::string> key_words(const std::vector<std::string_view>& texts);

// Builds (or finds in the cache) the QA dataset. Throws InputError (bad options, a --from that is
// not a text dataset, too little held-out text), RunError or Cancelled.
PrepareResult prepare_qa(const QaOptions& o, Reporter& rep);

} // namespace seqpe::data
