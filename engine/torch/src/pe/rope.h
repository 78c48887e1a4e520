#pragma once
// Rotary position encodings: RoPE (1D, 2D axial), RoPE-Mixed (learned 2D frequencies) and the
// context extensions of the field (docs/METHOD.md §9): Position Interpolation, NTK-aware and
// dynamic NTK scaling, YaRN. An extension comes from the run (position_encoding.rope_scaling: the
// model was fine-tuned with it) and/or from the evaluation (Layout::rope_extension, training-free);
// both apply, the run's first.
#include "pe/encoding.h"

#include <string>
#include <vector>

namespace seqpe {

// One context extension by factor s (the new length over `original`, the length trained at).
struct RopeExtension {
    std::string mode; // pi | ntk | dynamic-ntk | yarn
    double s = 1.0;
    double original = 0; // yarn: the ramp counts turns within this length
    double alpha = 1.0, beta = 32.0;
};

// theta: frequencies (radians per position, >= 0, any shape) of a rotary encoding with base
// `base` over `dim` rotated channels; returns them extended (ntk: base -> base s^(dim/(dim-2));
// yarn: ramp between theta/s and theta by turns in the original length) and multiplies *mscale by
// the attention temperature (yarn: 0.1 ln s + 1 on q and on k). pi and s <= 1 change nothing here
// (Position Interpolation scales positions instead).
torch::Tensor extend_frequencies(const torch::Tensor& theta, const RopeExtension& e, double base, double dim,
                                 double* mscale);

struct RopeOptions {
    explicit RopeOptions(double base_ = 10000.0, bool mixed_ = false) : base(base_), mixed(mixed_) {}
    double base = 10000.0;
    bool mixed = false;              // RoPE-Mixed: learnable frequencies per layer and head
    RopeExtension run;               // the run's own extension (mode "" or "none": none)
    double alpha = 1.0, beta = 32.0; // YaRN ramp of evaluation-time extensions
};

// Rotates adjacent feature pairs (x[2i], x[2i+1]) of q and k by position-dependent angles
// (RoFormer's interleaved convention). 1D: angle_i = p * base^(-2i/Dh). 2D axial: the first Dh/4
// pairs turn with the column, the last Dh/4 with the row, at frequencies base^(-4j/Dh). Tokens
// without a position (the ViT class token) are not rotated.
class RopeImpl : public PositionEncodingImpl {
public:
    RopeImpl(const PeModelInfo& info, const RopeOptions& o);
    void begin(const Layout& q, const Layout& k) override;
    void apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) override;
    void end() override;
    // The score a rotation adds: rotated all-ones q and k, q_i . k_j / head size (1 at equal positions).
    torch::Tensor relative_score(const Layout& layout, int64_t layer, std::string* description) override;

    // RoPE-Mixed: learnable frequencies per layer: (n_layer, 2, H, Dh/2) = [fx, fy].
    torch::Tensor freqs;

protected:
    torch::Tensor angles(int64_t layer); // (1 or H, T, Dh/2) for the current positions
    torch::Tensor pos_;                  // (T, d) float positions of the position-carrying tokens (scaled)
    int64_t prefix_ = 0;

    RopeOptions o_;

private:
    std::vector<RopeExtension> extensions(const Layout& q, const Layout& k) const; // run's, then evaluation's
    std::vector<RopeExtension> ext_;                                               // of the current forward pass
    double axis_factor_[2] = {0, 0}; // 2D evaluation factors per axis when they differ (0: the list's)
    double mscale_ = 1.0;            // YaRN's temperature on q and k
    torch::Tensor cos_, sin_;        // cached (1, 1, T, Dh/2) for the non-mixed variants
};

// x: (B, H, T, Dh); rotate the pairs of the position-carrying tokens (after `prefix`) by cos/sin
// (1|H, T, Dh/2), interleaved pairs.
torch::Tensor rotate_pairs(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t prefix);

} // namespace seqpe
