#pragma once
// The shared part of encodings that add a bias computed from the positions of each query and key
// (ALiBi, T5, FIRE, KERPLE): position tensors from the layouts, the zero rows and columns of
// prefix tokens (the ViT class token neither pays nor causes a distance penalty), and a cache of
// the bias while neither the layouts nor the parameters change (evaluation batches, probes).
#include "pe/encoding.h"

namespace seqpe {

class PairBiasImpl : public PositionEncodingImpl {
public:
    explicit PairBiasImpl(const PeModelInfo& info) : PositionEncodingImpl(info) {}
    void begin(const Layout& q, const Layout& k) override;
    torch::Tensor bias(int64_t) override { return bias_; } // one bias for every layer
    void end() override;

protected:
    // qp: (Tq, d), kp: (Tk, d) positions in (scaled) position units, double, on the model's device.
    // Returns the bias (H or 1, Tq, Tk) over the position-carrying tokens, float or double.
    virtual torch::Tensor compute(const torch::Tensor& qp, const torch::Tensor& kp) = 0;

    // Euclidean distance |q - k| per pair: (Tq, Tk) (1D: |i - j|).
    static torch::Tensor distance(const torch::Tensor& qp, const torch::Tensor& kp);

private:
    int64_t parameter_version() const; // changes whenever a parameter is updated in place
    torch::Tensor bias_;               // (1, H, Tq, Tk) of the current forward pass
    // The cached bias and what it was computed from.
    torch::Tensor cached_, q_key_, k_key_;
    int64_t key_prefix_ = -1, key_version_ = -1;
    double key_scale_ = 0;
};

} // namespace seqpe
