// The option table: one entry per RunConfig field (path, type, default, range, choices, when it
// applies), lookup by path with suggestions for misspelt ones. The position-encoding rows:
// options_encoding.cpp; typed values: option_values.cpp.
#include "seqpe/options.h"

#include "option_builder.h"
#include "option_json.h"

#include "seqpe/common/text.h"

#include "seqpe/algorithmic.h"
#include "seqpe/encodings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace seqpe {

using nlohmann::json;

using namespace option_rows;

namespace {

std::vector<OptionInfo> build_table() {
    Builder b;
    choices(b.add("task", FIELD(task),
                  "what the model learns: lm (language model), image (ViT classifier), qa (retrieval fine-tune), "
                  "algorithmic (copy, reverse, addition, sort, parity: length generalization)"),
            {"lm", "image", "qa", "algorithmic"});

    // data
    b.add("data.source", FIELD(data.source),
          "dataset: auto (the task's default: sotu or fashion-mnist), sotu, fashion-mnist, or a folder",
          task_needs_dataset);
    choices(b.add("data.tokenizer", FIELD(data.tokenizer),
                  "text tokenizer: bpe (SentencePiece, trained on the train split) or byte", is_text_data),
            {"bpe", "byte"});
    range(b.add("data.vocab_size", FIELD(data.vocab_size), "BPE vocabulary size", is_text_data), 260, 65535);
    b.add("data.dataset_dir", FIELD(data.dataset_dir), "a prepared dataset directory (overrides source and tokenizer)",
          task_needs_dataset);
    range(b.add("data.image_size", FIELD(data.image_size), "training resolution in pixels (square)", is_image), 4,
          1024);
    b.add("data.augment", FIELD(data.augment), "image task: random crops (2-pixel padding) and horizontal flips",
          is_image);
    b.add("data.scale_augment", FIELD(data.scale_augment),
          "image task: random resized crops (a random share of the area and aspect ratio, resized to "
          "image_size) and horizontal flips, the scale augmentation of the paper's ViT recipe",
          is_image);
    auto scale_aug = [](const RunConfig& c) { return is_image(c) && c.data.scale_augment; };
    range(b.add("data.scale_min", FIELD(data.scale_min), "random resized crop: smallest share of the image's area",
                scale_aug),
          0.01, 1);
    range(b.add("data.scale_max", FIELD(data.scale_max), "random resized crop: largest share of the image's area",
                scale_aug),
          0.01, 1);
    advanced(range(b.add("data.ratio_min", FIELD(data.ratio_min),
                         "random resized crop: smallest aspect ratio (width / height)", scale_aug),
                   0.1, 10));
    advanced(range(b.add("data.ratio_max", FIELD(data.ratio_max),
                         "random resized crop: largest aspect ratio (width / height)", scale_aug),
                   0.1, 10));
    b.add("data.mixed_resolution", FIELD(data.mixed_resolution),
          "image task: train every step at a resolution drawn from the multiples of model.patch_size in "
          "[size_min, size_max] (FlexiViT-style); image_size stays the reference resolution",
          is_image);
    auto mixed = [](const RunConfig& c) { return is_image(c) && c.data.mixed_resolution; };
    range(b.add("data.size_min", FIELD(data.size_min), "mixed-resolution training: smallest side in pixels", mixed), 4,
          1024);
    range(b.add("data.size_max", FIELD(data.size_max), "mixed-resolution training: largest side in pixels", mixed), 4,
          1024);
    choices(b.add("data.mixed_positions", FIELD(data.mixed_positions),
                  "mixed-resolution training: positions of a step on another grid: extend (0..g-1 per axis) or "
                  "interpolate (scaled onto the reference grid, as the interpolate evaluation reads them)",
                  mixed),
            {"extend", "interpolate"});
    range(b.add("data.mixup_alpha", FIELD(data.mixup_alpha),
                "image task: mixup's Beta(alpha, alpha) mixing weight, one per step (0 = off; the paper's "
                "recipe uses 0.8)",
                is_image),
          0, 10);
    range(b.add("data.cutmix_alpha", FIELD(data.cutmix_alpha),
                "image task: cutmix's Beta(alpha, alpha) area weight (0 = off; the paper's recipe uses 1); with "
                "mixup on too, each step is one of the two with p = 0.5",
                is_image),
          0, 10);

    // model
    range(b.add("model.n_layer", FIELD(model.n_layer), "transformer blocks"), 1, 48);
    range(b.add("model.d_model", FIELD(model.d_model), "model width"), 8, 8192);
    range(b.add("model.n_head", FIELD(model.n_head), "attention heads (must divide d_model)"), 1, 128);
    range(b.add("model.mlp_ratio", FIELD(model.mlp_ratio), "MLP hidden width / d_model"), 0.25, 16);
    range(b.add("model.dropout", FIELD(model.dropout), "dropout on embeddings and residual branches"), 0, 0.9);
    range(b.add("model.attn_dropout", FIELD(model.attn_dropout), "dropout on attention probabilities"), 0, 0.9);
    b.add("model.tie_embeddings", FIELD(model.tie_embeddings), "output head shares the token embedding", is_text);
    advanced(b.add("model.bias", FIELD(model.bias), "linear layers and LayerNorms carry biases"));
    advanced(range(b.add("model.init_std", FIELD(model.init_std), "standard deviation of the weight initialisation"),
                   1e-4, 1));
    range(b.add("model.patch_size", FIELD(model.patch_size), "ViT patch size in pixels (must divide every image size)",
                is_image),
          1, 64);
    b.add("model.class_token", FIELD(model.class_token), "classify from a [CLS] token (else mean-pool the patches)",
          is_image);

    add_encoding_rows(b);

    // optimisation
    range(b.add("optim.lr", FIELD(optim.lr), "peak learning rate"), 0, 10);
    range(b.add("optim.min_lr", FIELD(optim.min_lr), "learning rate at the end of the decay"), 0, 10);
    choices(b.add("optim.schedule", FIELD(optim.schedule), "after a linear warm-up: cosine, linear or constant"),
            {"cosine", "linear", "constant"});
    range(b.add("optim.warmup_steps", FIELD(optim.warmup_steps), "linear warm-up steps"), 0, 1e9);
    range(b.add("optim.weight_decay", FIELD(optim.weight_decay), "AdamW decay of backbone matrices"), 0, 10);
    advanced(range(b.add("optim.beta1", FIELD(optim.beta1), "AdamW beta1"), 0, 0.99999));
    advanced(range(b.add("optim.beta2", FIELD(optim.beta2), "AdamW beta2"), 0, 0.99999999));
    advanced(range(b.add("optim.eps", FIELD(optim.eps), "AdamW epsilon"), 0, 1));
    range(b.add("optim.grad_clip", FIELD(optim.grad_clip),
                "gradient clipping (global norm per parameter group); 0 = off"),
          0, 1e6);
    advanced(range(b.add("optim.encoder_lr", FIELD(optim.encoder_lr), "learning rate of PE parameters; 0 = optim.lr"),
                   0, 10));
    advanced(
        range(b.add("optim.encoder_weight_decay", FIELD(optim.encoder_weight_decay), "weight decay of PE parameters"),
              0, 10));

    // training
    range(b.add("train.steps", FIELD(train.steps), "optimiser steps"), 1, 1e9);
    range(b.add("train.batch_size", FIELD(train.batch_size), "sequences (or images) per step"), 1, 65536);
    range(b.add("train.seq_len", FIELD(train.seq_len), "training length in tokens", is_text_data), 2, 1 << 20);
    advanced(range(b.add("train.grad_accum", FIELD(train.grad_accum), "micro-batches accumulated per step"), 1, 4096));
    range(b.add("train.eval_every", FIELD(train.eval_every), "validation every N steps; 0 = only at the end"), 0, 1e9);
    range(b.add("train.eval_batches", FIELD(train.eval_batches), "validation batches; 0 = the whole split"), 0, 1e9);
    range(
        b.add("train.checkpoint_every", FIELD(train.checkpoint_every), "checkpoint every N steps; 0 = only at the end"),
        0, 1e9);
    range(b.add("train.keep_checkpoints", FIELD(train.keep_checkpoints), "complete checkpoints kept"), 1, 1000);
    advanced(range(b.add("train.log_every", FIELD(train.log_every), "train records every N steps"), 1, 1e6));
    range(b.add("train.snapshot_every", FIELD(train.snapshot_every),
                "position-embedding geometry snapshot every N steps (live views, step scrubber); 0 = off"),
          0, 1e9);
    range(b.add("train.diagnostics_every", FIELD(train.diagnostics_every),
                "position-encoding diagnostics (PE share of the attention scores, contrastive accuracy, gradient "
                "shares, rank correlation) every N steps; 0 = off"),
          0, 1e9);
    range(b.add("train.seed", FIELD(train.seed),
                "seed of every random choice (init, data order, dropout, SeqPE samplers)"),
          0, 9.007199254740992e15);
    b.add("train.init_from", FIELD(train.init_from), "initialise weights from a run directory or checkpoint");

    // evaluation
    range(b.add("eval.length_multipliers", FIELD(eval.length_multipliers),
                "evaluation lengths as multiples of train.seq_len", is_text_data),
          1, 4096);
    {
        OptionInfo& o = range(b.add("eval.lengths", FIELD(eval.lengths),
                                    "evaluation lengths in tokens, instead of the multipliers (a fine-tuned run keeps "
                                    "its base run's lengths); [] = use length_multipliers",
                                    is_text_data),
                              2, 10000000);
        o.empty_list_ok = true;
        o.advanced = true;
    }
    range(b.add("eval.image_sizes", FIELD(eval.image_sizes), "evaluation resolutions in pixels", is_image), 4, 4096);
    choices(b.add("eval.image_resize", FIELD(eval.image_resize),
                  "how an image reaches an evaluated size: resize (the whole image) or center_crop (resize to "
                  "size / crop_fraction, keep the central size x size: the official evaluation's protocol)",
                  is_image),
            {"resize", "center_crop"});
    advanced(range(b.add("eval.crop_fraction", FIELD(eval.crop_fraction),
                         "center_crop: the evaluated size over the resized image's size (timm's crop_pct)",
                         [](const RunConfig& c) { return is_image(c) && c.eval.image_resize == "center_crop"; }),
                   0.1, 1));
    choices(b.add("eval.mode", FIELD(eval.mode),
                  "how encodings reach unseen lengths: extend, interpolate, both; rotary encodings also ntk, "
                  "dynamic-ntk, yarn; all = every mode the encoding has"),
            {"extend", "interpolate", "both", "ntk", "dynamic-ntk", "yarn", "all"});
    choices(b.add("eval.split", FIELD(eval.split), "split evaluated by `seqpe eval`", task_needs_dataset),
            {"test", "valid"});
    range(b.add("eval.max_tokens", FIELD(eval.max_tokens), "cap on tokens per evaluation length; 0 = whole split",
                is_text_data),
          0, 1e12);
    range(b.add("eval.batch_size", FIELD(eval.batch_size), "evaluation batch size; 0 = train.batch_size"), 0, 65536);
    choices(b.add("eval.randomized_positions", FIELD(eval.randomized_positions),
                  "a run trained on randomized positions is evaluated on sampled positions (a sorted random subset "
                  "of [0, randomize_max) per batch, as Ruoss et al.'s code does) or consecutive ones (0..L-1)",
                  [](const RunConfig& c) { return c.position_encoding.randomize; }),
            {"sampled", "consecutive"});
    b.add("eval.after_training", FIELD(eval.after_training),
          "evaluate the run (these eval settings) when its training completes, in `seqpe train` and the workbench");

    // long-context QA
    auto is_qa = [](const RunConfig& c) { return c.task == "qa"; };
    choices(
        b.add("qa.task", FIELD(qa.task), "generated task: niah (multi-key needles, 7-digit answers) or passkey", is_qa),
        {"niah", "passkey"});
    range(b.add("qa.train_examples", FIELD(qa.train_examples), "fine-tuning examples", is_qa), 1, 1e6);
    range(b.add("qa.valid_examples", FIELD(qa.valid_examples), "validation examples", is_qa), 1, 1e6);
    range(b.add("qa.test_examples", FIELD(qa.test_examples), "test examples per depth and length", is_qa), 1, 1e6);
    range(b.add("qa.depths", FIELD(qa.depths), "needle depths of the test sets (% of the context)", is_qa), 0, 100);
    range(b.add("qa.distractors", FIELD(qa.distractors), "niah: needles with other keys", is_qa), 0, 16);
    range(b.add("qa.max_new_tokens", FIELD(qa.max_new_tokens),
                "greedy decoding budget; also the answer room in train.seq_len", is_qa),
          1, 256);
    advanced(range(b.add("qa.seed", FIELD(qa.seed), "seed of the generated QA data", is_qa), 0, 9.007199254740992e15));

    // algorithmic tasks (seqpe/algorithmic.h: formats; the lengths count symbols, digits or bits)
    choices(b.add("algo.task", FIELD(algo.task),
                  "copy, reverse, addition (n-digit operands), sort (a symbol string), parity (of a bit string)",
                  is_algo),
            {"copy", "reverse", "addition", "sort", "parity"});
    range(b.add("algo.train_min_len", FIELD(algo.train_min_len), "shortest training instance", is_algo), 1,
          algo::kMaxLength);
    range(b.add("algo.train_max_len", FIELD(algo.train_max_len),
                "longest training instance (the training length of the positions follows from it)", is_algo),
          1, algo::kMaxLength);
    range(b.add("algo.eval_lengths", FIELD(algo.eval_lengths),
                "instance lengths evaluated (exact match of the greedy answer, accuracy by answer position)", is_algo),
          1, algo::kMaxLength);
    range(b.add("algo.symbols", FIELD(algo.symbols), "copy, reverse, sort: alphabet size (0-9, then a-z)",
                [](const RunConfig& c) { return is_algo(c) && c.algo.task != "addition" && c.algo.task != "parity"; }),
          2, algo::kSymbols);
    choices(b.add("algo.addition_order", FIELD(algo.addition_order),
                  "digits of the sum: reversed (least significant first, as the model adds) or plain",
                  [](const RunConfig& c) { return is_algo(c) && c.algo.task == "addition"; }),
            {"reversed", "plain"});
    range(b.add("algo.valid_examples", FIELD(algo.valid_examples),
                "validation instances during training (cycling through the training lengths)", is_algo),
          1, 1e6);
    range(b.add("algo.test_examples", FIELD(algo.test_examples), "test instances per evaluation length", is_algo), 1,
          1e6);
    advanced(range(b.add("algo.seed", FIELD(algo.seed),
                         "seed of the validation and test instances (the same for every run: comparisons pair them)",
                         is_algo),
                   0, 9.007199254740992e15));

    // runtime
    range(b.add("runtime.threads", FIELD(runtime.threads), "intra-op CPU threads; 0 = all cores"), 0, 1024);
    b.add("runtime.device", FIELD(runtime.device), "cpu, cuda, cuda:N or auto");
    choices(
        b.add(
            "runtime.precision", FIELD(runtime.precision),
            "auto (bf16 on CPUs with native bf16, else fp32), fp32, bf16 autocast (CPU or CUDA), fp16 autocast (CUDA)"),
        {"auto", "fp32", "bf16", "fp16"});
    advanced(range(b.add("runtime.dist_timeout_s", FIELD(runtime.dist_timeout_s),
                         "`train --distributed`: seconds any collective may wait for the other ranks before failing"),
                   1, 86400));
    // What a resumed run may change (the trainer's rule, one place): the budget and the logging
    // cadence, every evaluation setting (the algorithmic task's are its evaluation too; algo.seed
    // draws only validation and test instances), the machine, where the dataset lives.
    static const char* resumable[] = {"train.steps",
                                      "train.eval_every",
                                      "train.eval_batches",
                                      "train.checkpoint_every",
                                      "train.keep_checkpoints",
                                      "train.log_every",
                                      "eval.",
                                      "algo.eval_lengths",
                                      "algo.test_examples",
                                      "algo.valid_examples",
                                      "algo.seed",
                                      "runtime.",
                                      "data.dataset_dir",
                                      "data.source"};
    for (OptionInfo& o : b.table)
        for (const char* r : resumable)
            if (o.path.rfind(r, 0) == 0) o.resumable = true;
    return std::move(b.table);
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1u : 0u)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string suggest(const std::string& path) {
    std::vector<std::pair<size_t, std::string>> scored;
    const std::string leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    for (const auto& o : option_table()) {
        const std::string oleaf = o.path.substr(o.path.rfind('.') == std::string::npos ? 0 : o.path.rfind('.') + 1);
        const size_t limit = std::max<size_t>(2, path.size() / 4);
        // The full-path distance is at least the length difference: skip hopeless pairs cheaply.
        const size_t len_gap = path.size() > o.path.size() ? path.size() - o.path.size() : o.path.size() - path.size();
        size_t d = edit_distance(leaf, oleaf) + 1;
        if (len_gap <= limit) d = std::min(d, edit_distance(path, o.path));
        if (d <= limit) scored.emplace_back(d, o.path);
    }
    std::sort(scored.begin(), scored.end());
    if (scored.empty()) return "; `seqpe options` lists every key";
    std::string s = "; did you mean ";
    for (size_t i = 0; i < std::min<size_t>(scored.size(), 2); ++i) s += (i ? " or " : "") + scored[i].second;
    return s + "?";
}

} // namespace

const std::vector<OptionInfo>& option_table() {
    static const std::vector<OptionInfo> table = build_table();
    return table;
}

const OptionInfo* find_option(const std::string& path) {
    for (const auto& o : option_table())
        if (o.path == path) return &o;
    return nullptr;
}

std::string option_suggestion(const std::string& path) {
    return suggest(path);
}

} // namespace seqpe
