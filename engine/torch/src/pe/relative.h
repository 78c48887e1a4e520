#pragma once
// Encodings that act inside attention: rotary (1D, 2D axial, 2D mixed) and ALiBi (1D, 2D).
#include "pe/encoding.h"

#include <vector>

namespace seqpe {

// Rotates adjacent feature pairs (x[2i], x[2i+1]) of q and k by position-dependent angles
// (RoFormer's interleaved convention). 1D: angle_i = p * base^(-2i/Dh). 2D axial: the first Dh/4
// pairs turn with the column, the last Dh/4 with the row, at frequencies base^(-4j/Dh). Tokens
// without a position (the ViT class token) are not rotated.
class RopeImpl : public PositionEncodingImpl {
public:
    RopeImpl(const PeModelInfo& info, double base, bool mixed);
    void begin(const Layout& q, const Layout& k) override;
    void apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) override;
    void end() override {
        cos_ = sin_ = torch::Tensor();
        pos_ = torch::Tensor();
    }

    // RoPE-Mixed: learnable frequencies per layer: (n_layer, 2, H, Dh/2) = [fx, fy].
    torch::Tensor freqs;

private:
    torch::Tensor angles(int64_t layer); // (1 or H, T, Dh/2) for the current positions
    double base_;
    bool mixed_;
    int64_t prefix_ = 0;
    torch::Tensor pos_;       // (T, d) float positions of the position-carrying tokens (scaled)
    torch::Tensor cos_, sin_; // cached (1, 1, T, Dh/2) for the non-mixed variants
};

// Adds -slope_h * distance(i, j) to the attention logits: 1D |i - j|, 2D the Euclidean distance
// between patch coordinates (class token: no bias). Slopes: the ALiBi paper's geometric sequence.
class AlibiImpl : public PositionEncodingImpl {
public:
    AlibiImpl(const PeModelInfo& info, bool official_scaling);
    void begin(const Layout& q, const Layout& k) override;
    torch::Tensor bias(int64_t layer) override { return bias_; }
    void end() override {}

    static std::vector<double> slopes(int64_t n_head);

private:
    bool official_;
    torch::Tensor bias_; // (1, H, Tq, Tk), cached while the layouts repeat
    torch::Tensor q_key_, k_key_;
    int64_t key_prefix_ = -1;
    double key_scale_ = 0;
};

} // namespace seqpe
