#pragma once
// AdamW over four parameter groups (backbone decayed / not decayed, position encoding decayed /
// not decayed), the learning-rate schedule, and per-group gradient clipping.
#include "seqpe/config.h"

#include <memory>
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

namespace seqpe {

// Linear warm-up to `lr`, then cosine or linear decay to `min_lr` at the last step (or constant).
double scheduled_lr(const OptimConfig& o, int64_t step, int64_t total_steps);

class Optimizer {
public:
    // Parameters whose name starts with "pe." belong to the position encoding.
    Optimizer(torch::nn::Module& model, const OptimConfig& o, int64_t total_steps);
    // Sets the learning rates of `step`; returns the backbone rate.
    double set_step(int64_t step);
    // Clips each group family by its global norm; returns the backbone's norm before clipping.
    double clip();
    void step() { opt_->step(); }
    void zero_grad() { opt_->zero_grad(); }
    torch::optim::AdamW& adamw() { return *opt_; }
    double pe_grad_norm() const { return pe_norm_; }

private:
    OptimConfig o_;
    int64_t total_;
    std::vector<torch::Tensor> backbone_, pe_;
    std::vector<bool> group_is_pe_;
    std::unique_ptr<torch::optim::AdamW> opt_;
    double pe_norm_ = 0;
};

} // namespace seqpe
