#pragma once
// Decoder-only language model: token embedding -> position encoding hooks -> pre-LN blocks ->
// final LayerNorm -> (tied) output head.
#include "model/block.h"
#include "pe/encoding.h"
#include "seqpe/config.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

namespace seqpe {

class LanguageModelImpl : public torch::nn::Module {
public:
    LanguageModelImpl(const ResolvedConfig& c, int64_t vocab_size);

    // idx: (B, T) int64 -> logits (B, T, V). `layout` gives the positions of the T tokens
    // (with a cache: of the new tokens; the keys' positions follow from the cache length).
    torch::Tensor forward(const torch::Tensor& idx, const Layout& layout, KvCache* cache = nullptr,
                          AttentionCapture* capture = nullptr);
    // Hidden states after the final LayerNorm (B, T, C): evaluation computes logits in pieces.
    torch::Tensor hidden(const torch::Tensor& idx, const Layout& layout, KvCache* cache = nullptr,
                         AttentionCapture* capture = nullptr);
    torch::Tensor logits(const torch::Tensor& h); // (B, T, C) -> (B, T, V)

    PositionEncoding pe{nullptr};
    torch::nn::Embedding wte{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm ln_f{nullptr};
    torch::nn::Linear head{nullptr}; // only when embeddings are not tied
    int64_t query_chunk = 0;         // attention query blocking for long evaluations

private:
    ResolvedConfig cfg_;
    int64_t vocab_;
};
TORCH_MODULE(LanguageModel);

} // namespace seqpe
