#pragma once
// Inspector over a model held elsewhere (the trainer's) or owned (open_inspector).
#include "model/lm.h"
#include "model/vit.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/inspect.h"

#include <functional>
#include <optional>

namespace seqpe {

class ModelInspector : public Inspector {
public:
    // `root` is a LanguageModelImpl or VisionTransformerImpl; `dataset_dir` may be empty.
    ModelInspector(const ResolvedConfig& config, torch::nn::Module& root, std::filesystem::path dataset_dir,
                   std::function<int64_t()> step);
    const RunConfig& config() const override { return cfg_; }
    int64_t step() const override { return step_(); }
    GeometryResult geometry(const GeometryRequest& r) override;
    AttentionResult image_attention(const std::vector<uint8_t>& pixels, int height, int width, int channels,
                                    int size) override;
    AttentionResult text_attention(const std::vector<int64_t>& tokens) override;
    std::vector<int64_t> sample_tokens(int64_t offset, int64_t length) override;
    std::vector<int64_t> encode_text(const std::string& text) override;
    std::vector<uint8_t> sample_image(int64_t index, int* height, int* width, int* channels, int64_t* label) override;

private:
    PositionEncodingImpl& pe();
    // Runs `fn` with the model in eval mode and no grad, restoring the training mode after.
    template <class F> auto evaluating(F fn);
    ResolvedConfig cfg_;
    torch::nn::Module& root_;
    LanguageModelImpl* lm_ = nullptr;
    VisionTransformerImpl* vit_ = nullptr;
    std::filesystem::path dataset_;
    std::optional<DatasetManifest> manifest_;
    std::optional<Vocabulary> vocab_;
    std::function<int64_t()> step_;
};

// Builds the model of `config` with the sizes its checkpoint says (vocabulary, channels,
// classes), without a dataset. Throws InputError when the checkpoint does not fit.
std::shared_ptr<torch::nn::Module> build_model_for_checkpoint(const ResolvedConfig& config,
                                                              const std::filesystem::path& model_pt);

} // namespace seqpe
