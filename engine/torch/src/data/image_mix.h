#pragma once
// Mixup (Zhang et al. 2018) and cutmix (Yun et al. 2019) for the image task, as timm applies them in
// "batch" mode: one draw per step, every image mixed with the batch's mirror image (example
// B-1-b), the loss weighted lambda : 1 - lambda between the two labels.
#include "data/image_data.h"

#include <torch/types.h>

namespace seqpe {

class Rng;

struct MixDraw {
    bool active = false; // false: this step is not mixed
    bool cutmix = false;
    double lambda = 1.0; // weight of each image's own label; cutmix: the share of its own pixels
    CropBox box;         // cutmix: the region taken from the partner image
};

// The step's draw for an h x w batch: lambda ~ Beta(alpha, alpha) of mixup or cutmix (0 = off;
// both on: cutmix with p = 0.5). Cutmix cuts a box of side sqrt(1 - lambda) of each side, centred
// uniformly and clipped to the image, and sets lambda to the share of pixels left uncut.
MixDraw draw_mix(int h, int w, double mixup_alpha, double cutmix_alpha, Rng& rng);

// x: (B, C, H, W) mixed with x.flip(0) as `d` says; the same tensor when d is inactive.
torch::Tensor apply_mix(const torch::Tensor& x, const MixDraw& d);

} // namespace seqpe
