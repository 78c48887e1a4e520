#pragma once
// Dynamic loss scaling for fp16 training (as torch.cuda.amp.GradScaler does it): the loss is
// multiplied by the scale before the backward pass, so that small gradients survive fp16; the
// gradients are divided by it again before clipping. A step whose gradients hold inf or NaN is
// skipped and the scale halved; after `growth_interval` clean steps in a row the scale doubles.
#include <cstdint>
#include <torch/types.h>
#include <vector>

namespace seqpe {

class LossScaler {
public:
    explicit LossScaler(double initial_scale = 65536.0, int64_t growth_interval = 2000, double growth = 2.0,
                        double backoff = 0.5);

    double scale() const { return scale_; }
    int64_t clean_steps() const { return clean_; } // clean steps since the last change
    int64_t skipped_steps() const { return skipped_; }

    // Divides the gradients of `params` by the scale; false when any gradient is inf or NaN
    // (one reduction and one host sync for all of them).
    bool unscale(const std::vector<torch::Tensor>& params) const;
    // Records the outcome of a step's check; returns whether the optimiser may step.
    bool update(bool finite);
    // Resume: the state a checkpoint saved (a scale <= 0 keeps the initial one).
    void restore(double scale, int64_t clean_steps);

private:
    double scale_, growth_, backoff_;
    int64_t interval_, clean_ = 0, skipped_ = 0;
};

} // namespace seqpe
