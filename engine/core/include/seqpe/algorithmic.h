#pragma once
// The algorithmic tasks (task "algorithmic", docs/METHOD.md §15): instance formats, the vocabulary
// and the deterministic generator. Torch-free: the engine's task, the inspector and the tests
// share it. An instance of length n is one token sequence
//
//   copy      <s> x1 .. xn | x1 .. xn </s>          x from the first algo.symbols of 0-9a-z
//   reverse   <s> x1 .. xn | xn .. x1 </s>
//   sort      <s> x1 .. xn | sorted ascending </s>
//   addition  <s> a1 .. an + b1 .. bn = s </s>      n decimal digits each (leading zeros allowed),
//             s: the n + 1 digits of a + b, least significant first (algo.addition_order reversed)
//             or most significant first (plain), zero-padded to n + 1
//   parity    <s> b1 .. bn | p </s>                 bits; p = 1 when the count of ones is odd
//
// The model reads every token but the last (positions 0 .. size - 2) and is scored on the answer
// and </s>.
#include "seqpe/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seqpe {

namespace algo {
inline constexpr int64_t kSymbols = 36; // '0'-'9', 'a'-'z': ids 0 .. 35
inline constexpr int64_t kPlus = 36, kEquals = 37, kSep = 38, kBos = 39, kEos = 40, kPad = 41;
inline constexpr int64_t kVocab = 42;
inline constexpr int64_t kMaxLength = 1000; // the longest instance length the option table accepts
} // namespace algo

struct AlgoInstance {
    std::vector<int64_t> tokens; // <s> prompt separator answer </s>
    int64_t prompt = 0;          // tokens before the answer: the answer is tokens[prompt .. size - 2]
    int64_t answer() const { return static_cast<int64_t>(tokens.size()) - prompt - 1; }
};

// Instance `index` of length n drawn from `seed` (the same arguments give the same instance on
// every platform).
AlgoInstance make_algo_instance(const AlgoConfig& a, int64_t n, uint64_t seed, uint64_t index);
// Tokens of the answer (without </s>) and positions the model reads, for an instance of length n.
int64_t algo_answer_length(const AlgoConfig& a, int64_t n);
int64_t algo_positions(const AlgoConfig& a, int64_t n);
// What a length counts, for axis titles and captions: "symbols", "digits per operand", "bits".
std::string algo_length_unit(const AlgoConfig& a);
// The label of a token id: "3", "+", "|", "<s>"; "?" outside the vocabulary.
std::string algo_token_label(int64_t id);
// A typed instance: one character per token (0-9a-z + = |), blanks ignored, <s> prepended; "</s>"
// may end it. Throws InputError naming the first character outside the vocabulary.
std::vector<int64_t> parse_algo_text(const std::string& text);

// The instances a run is scored on (algo.seed, the same for every run of a project: comparisons
// pair them): validation instance i cycles through the training lengths, test instances of each
// evaluation length come from their own stream.
AlgoInstance algo_valid_instance(const AlgoConfig& a, int64_t index);
AlgoInstance algo_test_instance(const AlgoConfig& a, int64_t n, int64_t index);
// Training instance `b` of step `step` (train.seed): length uniform in the training range.
AlgoInstance algo_train_instance(const AlgoConfig& a, uint64_t train_seed, int64_t step, int64_t b);

} // namespace seqpe
