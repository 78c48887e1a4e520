#pragma once
// Vision transformer classifier: patch embedding (a p x p stride-p convolution), an optional class
// token, position-encoding hooks over the (H/p) x (W/p) grid, pre-LN bidirectional blocks, final
// LayerNorm, a linear head on the class token (or the mean of the patches). Any resolution that
// the patch size divides runs through the same weights.
#include "model/block.h"
#include "pe/encoding.h"
#include "seqpe/config.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>

namespace seqpe {

class VisionTransformerImpl : public torch::nn::Module {
public:
    VisionTransformerImpl(const ResolvedConfig& c, int64_t channels, int64_t classes);
    // images: (B, C, H, W) -> logits (B, classes). `layout` must describe the (H/p) x (W/p) grid.
    torch::Tensor forward(const torch::Tensor& images, const Layout& layout, AttentionCapture* capture = nullptr);
    // The layout of an image of `size` pixels: grid (size/p)^2 from (0, 0), class token as prefix.
    Layout layout_for(int64_t height, int64_t width) const;

    PositionEncoding pe{nullptr};
    torch::nn::Conv2d patch{nullptr};
    torch::Tensor cls; // (D)
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm ln_f{nullptr};
    torch::nn::Linear head{nullptr};

private:
    ResolvedConfig cfg_;
};
TORCH_MODULE(VisionTransformer);

} // namespace seqpe
