#pragma once
// The long-context QA task: fine-tune the language model on needle prompts with the loss on the
// answer tokens only; score by greedy decoding through the KV cache (correct for every encoding,
// attn_scalar included) and the official substring exact-match rule.
#include "data/qa_data.h"
#include "seqpe/common/text.h"
#include "train/language_model_task.h"
#include "util/epoch_sampler.h"

namespace seqpe {

class QaTask : public LanguageModelTask {
public:
    QaTask(const ResolvedConfig& c, const std::filesystem::path& dir, const DatasetManifest& m,
           const torch::Device& dev);
    TrainBatch batch(int64_t step, int64_t micro, int64_t micros) override;
    torch::Tensor loss(const TrainBatch& b, const Layout& layout) override;
    ValidationResult validate(int64_t max_batches, std::stop_token stop) override;
    std::string describe() const override;
    struct Scored {
        double loss = 0;     // mean NLL of the answer tokens (teacher-forced)
        int64_t correct = 0; // exact matches of the greedy generation
        int64_t count = 0;
        std::vector<std::pair<int64_t, bool>> by_depth; // (depth, correct) per example
    };
    // Scores examples [0, max) of a split: answer NLL and greedy exact match.
    Scored score(const QaSplit& split, int64_t max_examples, const std::string& mode, std::stop_token stop);
    // Greedy decoding of up to qa.max_new_tokens after `prompt` (n); stops at eos.
    std::vector<int64_t> generate(const torch::Tensor& prompt, double scale);

private:
    QaSplit train_, valid_;
    Vocabulary vocab_;
    int64_t eos_ = -1;
    EpochSampler sampler_;
};

} // namespace seqpe
