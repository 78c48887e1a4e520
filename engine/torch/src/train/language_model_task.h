#pragma once
// What the two language-model tasks share (LmTask: next-token loss on text; QaTask: answer-only
// loss on needle prompts): the model, its device, and the 1D layout of train.seq_len positions.
#include "model/lm.h"
#include "seqpe/config.h"
#include "train/task.h"

namespace seqpe {

class LanguageModelTask : public Task {
public:
    torch::nn::Module& module() override { return *model_; }
    PositionEncodingImpl& pe() override { return *model_->pe; }
    torch::Device device() const override { return device_; }
    Layout default_layout() const override {
        Layout l = layout_1d(cfg_.train.seq_len);
        l.trained_length = cfg_.train.seq_len;
        l.device = device_;
        return l;
    }
    LanguageModel& model() { return model_; }

protected:
    LanguageModelTask(const ResolvedConfig& c, const torch::Device& dev) : cfg_(c), device_(dev) {}
    // Called by the task's constructor once its data are open (a bad dataset fails before the
    // model is allocated).
    void build_model(int64_t vocab_size) {
        model_ = LanguageModel(cfg_, vocab_size);
        model_->to(device_);
    }
    ResolvedConfig cfg_;
    torch::Device device_;
    LanguageModel model_{nullptr};
};

} // namespace seqpe
