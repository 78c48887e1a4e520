// ModelInspector: probes of a language model or ViT; open_inspector for finished runs.
#include "inspect/model_inspector.h"

#include "inspect/geometry.h"
#include "seqpe/algorithmic.h"
#include "seqpe/checkpoints.h"
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/token_file.h"
#include "seqpe/config_io.h"
#include "seqpe/dataset.h"
#include "seqpe/engine.h"
#include "seqpe/run_dir.h"
#include "train/checkpoint.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/serialize/input-archive.h>

namespace seqpe {

static Matrix stack_probs(const AttentionCapture& cap) {
    // per layer (1, H, T, T) -> (L, H, T, T)
    const torch::Tensor t = torch::cat(cap.probs, 0).to(torch::kCPU).to(torch::kFloat).contiguous();
    Matrix m;
    m.shape = t.sizes().vec();
    m.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return m;
}

ModelInspector::ModelInspector(const ResolvedConfig& config, torch::nn::Module& root, std::filesystem::path dataset_dir,
                               std::function<int64_t()> step)
    : cfg_(config), root_(root), dataset_(std::move(dataset_dir)), step_(std::move(step)) {
    lm_ = dynamic_cast<LanguageModelImpl*>(&root);
    vit_ = dynamic_cast<VisionTransformerImpl*>(&root);
    if (!lm_ && !vit_) throw RunError("inspector: unknown model type");
    if (!dataset_.empty()) {
        try {
            manifest_ = read_manifest(dataset_);
            if (!manifest_->tokenizer.pieces_file.empty() && manifest_->kind != "image")
                vocab_ = Vocabulary::load(dataset_ / manifest_->tokenizer.pieces_file);
        } catch (const std::exception&) {
            manifest_.reset(); // samples and labels are optional
        }
    }
}

PositionEncodingImpl& ModelInspector::pe() {
    return lm_ ? *lm_->pe : *vit_->pe;
}

template <class F> auto ModelInspector::evaluating(F fn) {
    const bool was_training = root_.is_training();
    root_.eval();
    torch::NoGradGuard ng;
    struct Restore {
        torch::nn::Module& m;
        bool t;
        ~Restore() { m.train(t); }
    } restore{root_, was_training};
    return fn();
}

GeometryResult ModelInspector::geometry(const GeometryRequest& r) {
    return evaluating([&] { return compute_geometry(pe(), cfg_, r); });
}

AttentionResult ModelInspector::image_attention(const std::vector<uint8_t>& pixels, int height, int width, int channels,
                                                int size) {
    if (!vit_) throw InputError("image attention needs an image run (task image)");
    if (channels != 1 && channels != 3)
        throw InputError("image attention: 1 or 3 channels, not " + std::to_string(channels));
    if (static_cast<int64_t>(pixels.size()) != int64_t(height) * width * channels)
        throw InputError("image attention: pixel buffer does not match " + std::to_string(height) + "x" +
                         std::to_string(width));
    if (size < cfg_.model.patch_size || size % cfg_.model.patch_size != 0 || size > 1024)
        throw InputError("image size " + std::to_string(size) + " is not a multiple of model.patch_size " +
                         std::to_string(cfg_.model.patch_size));
    const int want_c = manifest_ ? manifest_->image.channels : channels;
    // Resize (bilinear up, area down), convert the channels to the model's, normalise.
    cv::Mat in(height, width, channels == 1 ? CV_8UC1 : CV_8UC3, const_cast<uint8_t*>(pixels.data()));
    cv::Mat img;
    cv::resize(in, img, cv::Size(size, size), 0, 0, size > height ? cv::INTER_LINEAR : cv::INTER_AREA);
    if (want_c == 1 && img.channels() == 3) cv::cvtColor(img, img, cv::COLOR_RGB2GRAY);
    if (want_c == 3 && img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2RGB);
    torch::Tensor x = torch::from_blob(img.data, {1, size, size, want_c}, torch::kUInt8)
                          .permute({0, 3, 1, 2})
                          .to(torch::kFloat)
                          .div(255.0);
    for (int ch = 0; ch < want_c; ++ch) {
        const double mean = manifest_ ? manifest_->image.mean[static_cast<size_t>(ch)] : 0.5;
        const double sd = manifest_ ? manifest_->image.std[static_cast<size_t>(ch)] : 0.5;
        x.select(1, ch).sub_(mean).div_(std::max(sd, 1e-6));
    }
    return evaluating([&] {
        AttentionCapture cap;
        Layout l = vit_->layout_for(size, size);
        l.device = vit_->patch->weight.device(); // the model's device (CUDA runs too)
        const torch::Tensor logits = vit_->forward(x.contiguous().to(l.device), l, &cap);
        AttentionResult a;
        a.probs = stack_probs(cap);
        a.grid_rows = a.grid_cols = size / cfg_.model.patch_size;
        a.prefix = l.prefix;
        a.predicted_class = logits.argmax(1).item<int64_t>();
        if (manifest_) a.classes = manifest_->image.classes;
        return a;
    });
}

AttentionResult ModelInspector::text_attention(const std::vector<int64_t>& tokens) {
    if (!lm_) throw InputError("text attention needs a language-model run");
    if (tokens.empty() || tokens.size() > 2048) throw InputError("text attention: 1 to 2048 tokens");
    return evaluating([&] {
        AttentionCapture cap;
        const int64_t T = static_cast<int64_t>(tokens.size());
        torch::Tensor x = torch::tensor(tokens, torch::kLong).view({1, T});
        Layout l = layout_1d(T);
        l.trained_length = cfg_.train.seq_len;
        l.device = lm_->wte->weight.device(); // the model's device (CUDA runs too)
        const torch::Tensor next = lm_->forward(x.to(l.device), l, nullptr, &cap).argmax(-1)[0].cpu(); // (T)
        AttentionResult a;
        a.probs = stack_probs(cap);
        const bool algorithmic = cfg_.task == "algorithmic";
        const auto label = [&](int64_t t) {
            return algorithmic ? algo_token_label(t) : vocab_ ? vocab_->display(t) : std::to_string(t);
        };
        for (const int64_t t : tokens) a.tokens.push_back(label(t));
        for (int64_t i = 0; i < T; ++i) a.predicted.push_back(label(next[i].item<int64_t>()));
        if (algorithmic) { // the answer follows the separator ('|' or '=')
            for (int64_t i = 0; i < T; ++i)
                if (tokens[static_cast<size_t>(i)] == algo::kSep || tokens[static_cast<size_t>(i)] == algo::kEquals) {
                    a.answer_start = i + 1;
                    break;
                }
        }
        return a;
    });
}

std::vector<int64_t> ModelInspector::encode_text(const std::string& text) {
    if (cfg_.task == "algorithmic") return parse_algo_text(text);
    if (!manifest_ || manifest_->kind != "text")
        throw InputError("the run's text dataset is not available on this machine");
    std::vector<int64_t> ids = seqpe::encode_text(dataset_, text);
    // The model's vocabulary is the dataset's: an id past it (a byte tokenizer on a smaller
    // synthetic vocabulary) would index past the embedding table.
    const int64_t vocab = lm_ ? lm_->wte->weight.size(0) : manifest_->tokenizer.vocab_size;
    for (const int64_t id : ids)
        if (id < 0 || id >= vocab)
            throw InputError("the text has token " + std::to_string(id) + ", outside the run's vocabulary of " +
                             std::to_string(vocab) + "; use characters the run's dataset has");
    return ids;
}

std::vector<int64_t> ModelInspector::sample_tokens(int64_t offset, int64_t length) {
    if (cfg_.task == "algorithmic") { // a test instance, as the model reads it (without its last token)
        const AlgoInstance in = algo_test_instance(cfg_.algo, std::clamp<int64_t>(length, 1, algo::kMaxLength),
                                                   std::max<int64_t>(0, offset));
        return {in.tokens.begin(), in.tokens.end() - 1};
    }
    if (!manifest_ || manifest_->kind == "image")
        throw InputError("the run's text dataset is not available on this machine");
    const SplitInfo* s = manifest_->split("test");
    if (!s) throw InputError("the run's dataset has no test split");
    const MappedFile f(dataset_ / s->file);
    const int bytes = manifest_->token_bytes();
    const int64_t n = static_cast<int64_t>(s->count);
    offset = std::clamp<int64_t>(offset, 0, std::max<int64_t>(0, n - length));
    length = std::min(length, n - offset);
    std::vector<int64_t> out(static_cast<size_t>(std::max<int64_t>(0, length)));
    for (int64_t i = 0; i < length; ++i) {
        uint32_t v = 0;
        std::memcpy(&v, f.data() + (offset + i) * bytes, static_cast<size_t>(bytes));
        out[static_cast<size_t>(i)] = v;
    }
    return out;
}

std::vector<uint8_t> ModelInspector::sample_image(int64_t index, int* height, int* width, int* channels,
                                                  int64_t* label) {
    if (!manifest_ || manifest_->kind != "image")
        throw InputError("the run's image dataset is not available on this machine");
    const SplitInfo* s = manifest_->split("test");
    if (!s || s->count == 0) throw InputError("the run's dataset has no test images");
    index = std::clamp<int64_t>(index, 0, static_cast<int64_t>(s->count) - 1);
    const int h = manifest_->image.height, w = manifest_->image.width, c = manifest_->image.channels;
    const MappedFile images(dataset_ / s->file), labels(dataset_ / s->labels_file);
    const size_t per = static_cast<size_t>(h) * w * c;
    std::vector<uint8_t> out(images.data() + index * per, images.data() + (index + 1) * per);
    *height = h;
    *width = w;
    *channels = c;
    if (label) {
        if (manifest_->image.label_dtype == "uint16") {
            uint16_t v;
            std::memcpy(&v, labels.data() + 2 * index, 2);
            *label = v;
        } else {
            *label = labels.data()[index];
        }
    }
    return out;
}

std::shared_ptr<torch::nn::Module> build_model_for_checkpoint(const ResolvedConfig& config,
                                                              const std::filesystem::path& model_pt) {
    torch::serialize::InputArchive ar;
    try {
        ar.load_from(model_pt.string());
    } catch (const std::exception& e) {
        throw InputError(model_pt.string() + ": damaged or not a SeqPE checkpoint");
    }
    auto shape_of = [&](const std::string& key) {
        torch::Tensor t;
        if (!ar.try_read(key, t)) throw InputError(model_pt.string() + ": has no '" + key + "'");
        return t.sizes().vec();
    };
    if (config.task == "image") {
        const auto patch = shape_of("patch.weight"); // (D, C, p, p)
        const auto head = shape_of("head.weight");   // (classes, D)
        return VisionTransformer(config, patch[1], head[0]).ptr();
    }
    return LanguageModel(config, shape_of("wte.weight")[0]).ptr();
}

namespace {

class OwnedInspector : public Inspector {
public:
    OwnedInspector(ResolvedConfig c, std::shared_ptr<torch::nn::Module> m, std::filesystem::path dataset, int64_t step)
        : model_(std::move(m)), step_(step), inner_(c, *model_, std::move(dataset), [this] { return step_; }) {}
    const RunConfig& config() const override { return inner_.config(); }
    int64_t step() const override { return step_; }
    GeometryResult geometry(const GeometryRequest& r) override { return inner_.geometry(r); }
    AttentionResult image_attention(const std::vector<uint8_t>& p, int h, int w, int c, int s) override {
        return inner_.image_attention(p, h, w, c, s);
    }
    AttentionResult text_attention(const std::vector<int64_t>& t) override { return inner_.text_attention(t); }
    std::vector<int64_t> sample_tokens(int64_t o, int64_t n) override { return inner_.sample_tokens(o, n); }
    std::vector<int64_t> encode_text(const std::string& t) override { return inner_.encode_text(t); }
    std::vector<uint8_t> sample_image(int64_t i, int* h, int* w, int* c, int64_t* l) override {
        return inner_.sample_image(i, h, w, c, l);
    }

private:
    std::shared_ptr<torch::nn::Module> model_;
    int64_t step_;
    ModelInspector inner_;
};

} // namespace

std::unique_ptr<Inspector> open_inspector(const std::filesystem::path& run_dir,
                                          const std::filesystem::path& checkpoint) {
    const RunPaths p{run_dir};
    if (!is_run_dir(run_dir)) throw InputError(run_dir.string() + ": not a run directory (no config.json)");
    const ResolvedConfig c = read_run_config(p);
    const std::filesystem::path ck =
        checkpoint.empty() ? latest_checkpoint(p).value_or(std::filesystem::path()) : checkpoint;
    if (ck.empty()) throw InputError(run_dir.string() + ": no complete checkpoint yet");
    if (!checkpoint.empty()) require_usable_checkpoint(ck);
    auto model = build_model_for_checkpoint(c, ck / "model.pt");
    const TrainerState st = load_checkpoint(ck, *model, nullptr);
    std::filesystem::path dataset;
    try {
        const auto meta = nlohmann::json::parse(read_file(p.meta()));
        dataset = meta.at("dataset").at("dir").get<std::string>();
        std::error_code ec;
        if (!std::filesystem::exists(dataset / "manifest.json", ec)) dataset.clear();
    } catch (const std::exception&) {
    }
    return std::make_unique<OwnedInspector>(c, std::move(model), dataset, st.step);
}

} // namespace seqpe
