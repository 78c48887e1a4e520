#pragma once
// The algorithmic task (seqpe/algorithmic.h): the language model's decoder on generated instances,
// the loss on the answer and </s> only. Exact match is scored by teacher forcing: a greedy decoder
// reproduces the answer and stops iff the argmax at every answer position (and at </s>) is the
// target, since with a right prefix it sees exactly the teacher-forced inputs (tests/engine check it
// against step-by-step generation); one forward pass per batch instead of one per answer token.
#include "seqpe/algorithmic.h"
#include "train/language_model_task.h"

namespace seqpe {

class AlgoTask : public LanguageModelTask {
public:
    AlgoTask(const ResolvedConfig& c, const torch::Device& dev);
    TrainBatch batch(int64_t step, int64_t micro, int64_t micros) override;
    torch::Tensor loss(const TrainBatch& b, const Layout& layout) override;
    ValidationResult validate(int64_t max_batches, std::stop_token stop) override;
    std::string describe() const override;

    struct Scored {
        double nll = 0;                // summed over the answer tokens and </s>
        int64_t targets = 0;           // answer tokens and </s> scored
        std::vector<double> hits;      // 1 or 0 per instance: the whole answer and </s> right
        std::vector<double> by_answer; // right predictions per answer position (summed over instances)
        int64_t count = 0;             // instances
    };
    // Scores instances of one length (the same token count) under evaluation mode `mode`
    // (extend | interpolate | ntk | ...), `per_batch` at a time. Adds to `into`.
    void score(const std::vector<AlgoInstance>& instances, const std::string& mode, int64_t per_batch, Scored& into,
               std::stop_token stop);
};

} // namespace seqpe
