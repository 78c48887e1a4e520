#pragma once
// QA splits written by `seqpe-data qa`: per example the prompt tokens, then the answer tokens and
// eos (<split>.tokens, indexed by <split>.index), and the RULER record (<split>.jsonl) with the
// answer text, the needle depth and the prompt length.
#include "seqpe/common/manifest.h"
#include "seqpe/common/token_file.h"

#include <filesystem>
#include <string>
#include <torch/types.h>
#include <vector>

namespace seqpe {

struct QaExample {
    int64_t start = 0;       // offset into the token file
    int64_t prompt = 0;      // prompt tokens
    int64_t answer = 0;      // answer tokens including eos
    int64_t depth = 0;       // needle depth, percent
    std::string answer_text; // outputs[0]
};

class QaSplit {
public:
    QaSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split);
    int64_t size() const { return static_cast<int64_t>(examples_.size()); }
    const QaExample& example(int64_t i) const { return examples_[static_cast<size_t>(i)]; }
    // prompt + answer + eos as int64: (prompt + answer)
    torch::Tensor tokens(int64_t i) const;
    int64_t max_answer() const { return max_answer_; }
    int64_t max_prompt() const { return max_prompt_; }

private:
    MappedFile tokens_;
    int bytes_ = 2;
    std::vector<QaExample> examples_;
    int64_t max_answer_ = 0, max_prompt_ = 0;
};

// The test splits of a QA dataset ("test-256", ...) with their prompt lengths, shortest first.
std::vector<std::pair<std::string, int64_t>> qa_test_splits(const DatasetManifest& m);

// The official QA score (docs/METHOD.md §8.2): 1 when the answer, lowercased and stripped, is a
// substring of the generation, lowercased and stripped.
bool qa_answer_matches(const std::string& generation, const std::string& answer);

} // namespace seqpe
