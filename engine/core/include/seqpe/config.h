#pragma once
// RunConfig: every setting of one run, with its default as the member initialiser (the single source
// of defaults). The option table (options.h) describes each field once: its JSON path, type, range,
// choices and help; it drives JSON I/O, `--set` overrides, validation, `seqpe options` and the GUI
// form. Fields whose default depends on the task say "auto"; `resolve_config` fills them in and
// returns a ResolvedConfig, the only form the models, the encodings, the inspector and geometry take.
// Standard types only: this header is included by Qt code.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

struct DataConfig {
    std::string source = "auto";   // auto (task default) | sotu | fashion-mnist | <folder>
    std::string tokenizer = "bpe"; // bpe (SentencePiece) | byte
    int64_t vocab_size = 4096;     // BPE vocabulary size
    std::string dataset_dir;       // a prepared dataset directory; overrides source/tokenizer
    int64_t image_size = 28;       // image task: training resolution (pixels, square)
    bool augment = false;          // image task: random crops (2-pixel padding) and horizontal flips
    // Image task: scale augmentation (RandomResizedCrop, as timm trains the paper's ViT): a crop of
    // a random share of the image's area in [scale_min, scale_max] and aspect ratio (w/h,
    // log-uniform) in [ratio_min, ratio_max], resized to image_size, flipped with p = 0.5. The
    // default range is milder than the usual 0.08-1 for 28 px images (docs/METHOD.md §16).
    bool scale_augment = false;
    double scale_min = 0.35, scale_max = 1.0;
    double ratio_min = 0.75, ratio_max = 4.0 / 3.0;
    // Image task: mixed-resolution training (as FlexiViT and NaViT train): every step's images are
    // resized to a side drawn uniformly from the multiples of model.patch_size in [size_min,
    // size_max], so the encodings see grids of several sizes. data.image_size stays the reference
    // resolution: the learnable table is built at its grid (and resampled at every other one, as
    // at evaluation) and the evaluation modes scale to it.
    bool mixed_resolution = false;
    int64_t size_min = 20, size_max = 36;
    // How a step on another grid reads its positions: "extend" (0..g-1 per axis, as extend
    // evaluates) or "interpolate" (the grid spread over the reference one, positions scaled by
    // g_ref / g, as interpolate evaluates; the learnable table reads every grid so either way).
    std::string mixed_positions = "extend";
    // Image task: mixup (Zhang et al. 2018) and cutmix (Yun et al. 2019) with Beta(alpha, alpha)
    // mixing weights, as the paper's ViT recipe (timm) mixes: one weight per step, each image mixed
    // with the batch's mirror image (example B-1-b). 0 turns one off; with both on, a step is one
    // or the other with p = 0.5 (timm's switch_prob).
    double mixup_alpha = 0.0;
    double cutmix_alpha = 0.0;
};

struct ModelConfig {
    int64_t n_layer = 2;
    int64_t d_model = 128;
    int64_t n_head = 4;
    double mlp_ratio = 4.0;
    double dropout = 0.0;       // embeddings and residual branches
    double attn_dropout = 0.0;  // attention probabilities
    bool tie_embeddings = true; // language model: output head shares the token embedding
    bool bias = true;           // linear layers and LayerNorm carry biases
    double init_std = 0.02;
    int64_t patch_size = 4;  // image task
    bool class_token = true; // image task: classify from a [CLS] token (else mean-pool)
};

struct SeqPeShiftConfig {
    bool enabled = true;
    double rate = 0.1;     // probability that a step uses shifted layouts
    int64_t layouts = 16;  // layouts per shifted step (must divide the batch size)
    int64_t offsets = 320; // offsets drawn once per run (the official down-sampling)
};

struct SeqPeContrastiveConfig {
    double weight = 0.1;
    int64_t batch = 0;                         // anchors per step; 0 = auto (seqpe.recipe)
    int64_t candidates = 32;                   // candidates per anchor
    int64_t window = 256;                      // window size (1D) / area (2D)
    double hard_ratio = 0.25;                  // share of candidates that are digit-edit hard negatives
    double hard_prob = 0.4;                    // probability of the hard-negative mode
    double window_prob = 0.6;                  // probability of the window mode (rest: random only)
    std::string window_mode = "around_anchor"; // around_anchor | random (official)
    std::string hard_2d = "per_axis";          // per_axis | concat (official: mutate "rc", cut anywhere)
};

struct SeqPeTransferConfig {
    double weight = 0.1;
    int64_t batch = 0;         // student samples per step; 0 = auto (seqpe.recipe)
    int64_t start_step = -1;   // distillation starts at this step; -1 = auto (seqpe.recipe)
    int64_t positions = 32;    // positions per sample
    std::string metric = "kl"; // kl (symmetric) | mse
    double beta = 1.0;
    double logit_scale = 1.0;
    int64_t heads = 0; // head chunks of the similarity; 0 = the model's heads
};

struct SeqPeConfig {
    // Which values the "auto" fields below take: workbench (scaled for the small widths and short
    // runs of this tool) or official (the paper's code at GPT-2 / ViT-S scale). docs/METHOD.md.
    std::string recipe = "workbench";
    std::string apply = "auto";  // auto | input_add | attn_mul | attn_add | attn_scalar
    std::string qk_map = "auto"; // auto | none | single | multi
    bool multi_head = true;      // split the PE across heads (else one head_dim PE for all)
    int64_t embed_dim = 0;       // encoder width E; 0 = model.d_model
    int64_t layers = 2;
    int64_t heads = 0;                  // encoder heads; 0 = max(1, E / 64)
    int64_t max_position = 0;           // position budget (flattened in 2D); 0 = auto (seqpe.recipe)
    int64_t max_digits = 0;             // digits per axis; 0 = derive from max_position
    int64_t base = 10;                  // digit base
    std::string slot_index = "running"; // running (official code) | per_dim (paper figure)
    bool mask_padding = false;
    std::string direction = "causal"; // causal | bi
    bool last_layernorm = true;
    double attn_dropout = 0.0;
    double resid_dropout = 0.1;
    double temperature = 1.0;
    double scalar_scale = 0.0;   // attn_scalar: weight of the PE score; 0 = auto (seqpe.recipe)
    std::string init = "normal"; // normal (text code) | trunc_normal (image code)
    SeqPeShiftConfig shift;
    SeqPeContrastiveConfig contrastive;
    SeqPeTransferConfig transfer;
};

struct PositionEncodingConfig {
    std::string type = "seqpe";          // see encodings.h
    double base = 10000.0;               // frequency base of sinusoidal and rotary encodings
    std::string alibi_scaling = "paper"; // paper | official (bias also scaled by 1/sqrt(d_head))
    std::string sin_2d = "axial";        // image sinusoidal: axial (half the channels per axis) | flat
    double sin_scale = 0.0;              // sinusoidal amplitude; 0 = auto: RMS of the content embedding
    // Rotary encodings: a context extension the model trains and evaluates with (fine-tuning at a
    // longer length; docs/METHOD.md §9): none | pi | ntk | yarn, by factor s = the new length over
    // the length the weights were trained at (train.seq_len / s).
    std::string rope_scaling = "none";
    double rope_factor = 1.0;
    double yarn_alpha = 1.0;            // YaRN ramp: frequencies with fewer than alpha turns in the original
    double yarn_beta = 32.0;            // length are interpolated, more than beta kept, a linear ramp between
    double xpos_scale_base = 512.0;     // xPos: the decay zeta^(n / scale_base)
    double xpos_gamma = 0.4;            // xPos: zeta_i = (2i/d + gamma) / (1 + gamma)
    int64_t t5_buckets = 32;            // T5 bias: distance buckets (half exact, half log-spaced)
    int64_t t5_max_distance = 128;      // T5 bias: the last bucket starts here
    int64_t fire_width = 32;            // FIRE: hidden width of the MLP (1 -> width -> heads)
    double fire_c = 0.1;                // FIRE: initial c of psi(x) = log(c x + 1) (learned)
    double fire_threshold = 0.0;        // FIRE: initial L of psi(max(L, i)) (learned); 0 = the training length
    std::string kerple_variant = "log"; // KERPLE: log (-r1 log(1 + r2 d)) | power (-r1 d^r2)
    // Randomized positions (Ruoss et al. 2023): training positions are a sorted random subset of
    // [0, randomize_max) (per axis for images); evaluation uses 0..L-1. 0 = the longest evaluated length.
    bool randomize = false;
    int64_t randomize_max = 0;
    SeqPeConfig seqpe;
};

struct OptimConfig {
    double lr = 1e-3;
    double min_lr = 1e-4;
    std::string schedule = "cosine"; // cosine | linear | constant (after a linear warm-up)
    int64_t warmup_steps = 100;
    double weight_decay = 0.1; // on matrices of the backbone (token embedding too); not biases, norms, PEs
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double grad_clip = 1.0;  // global norm, per parameter group (backbone, encoder); 0 = off
    double encoder_lr = 0.0; // learnable PE parameters; 0 = optim.lr
    double encoder_weight_decay = 0.0;
};

struct TrainConfig {
    int64_t steps = 1000;
    int64_t batch_size = 16;
    int64_t seq_len = 128; // language model: training length (tokens)
    int64_t grad_accum = 1;
    int64_t eval_every = 200;       // validation every N steps; 0 = only at the end
    int64_t eval_batches = 16;      // validation batches; 0 = the whole split
    int64_t checkpoint_every = 200; // 0 = only at the end
    int64_t keep_checkpoints = 2;
    int64_t log_every = 1;          // train records every N steps
    int64_t snapshot_every = 100;   // position-embedding geometry every N steps; 0 = off
    int64_t diagnostics_every = 25; // PE diagnostics (how much the model uses its positions) every N steps; 0 = off
    int64_t seed = 1234;
    std::string init_from; // initialise weights from a run directory or checkpoint
};

struct EvalConfig {
    std::vector<int64_t> length_multipliers = {1, 2, 4, 8, 16}; // x train.seq_len
    std::vector<int64_t> lengths;                               // tokens; empty = the multipliers (text_eval_lengths)
    std::vector<int64_t> image_sizes = {28, 40, 56, 84};
    // Image task: how an image reaches an evaluated size: resize (the whole image, the workbench's
    // protocol) or center_crop (resize to size / crop_fraction, then the central size x size, as
    // the official evaluation and timm do).
    std::string image_resize = "resize";
    double crop_fraction = 0.875;
    std::string mode = "extend"; // extend | interpolate | both | ntk | dynamic-ntk | yarn | all (encodings.h)
    std::string split = "test";
    int64_t max_tokens = 0;     // cap on evaluated tokens per length; 0 = whole split
    int64_t batch_size = 0;     // 0 = train.batch_size
    bool after_training = true; // evaluate when training completes (seqpe train, the workbench)
    // A run trained on randomized positions: "sampled" evaluates every batch on its own sorted random
    // subset of [0, randomize_max) as the reference implementation does (default); "consecutive"
    // uses 0..L-1.
    std::string randomized_positions = "sampled";
};

// Long-context QA (task "qa"): a needle-in-a-haystack set generated by seqpe-data from the text
// corpus. train.seq_len is the whole sequence (prompt + answer room of qa.max_new_tokens).
struct QaConfig {
    std::string task = "niah"; // niah (multi-key, 7-digit answers) | passkey
    int64_t train_examples = 2000;
    int64_t valid_examples = 100;
    int64_t test_examples = 20;                         // per depth and evaluation length
    std::vector<int64_t> depths = {0, 25, 50, 75, 100}; // needle depth (% of the context)
    int64_t distractors = 3;                            // niah: needles with other keys
    int64_t max_new_tokens = 16;                        // greedy decoding budget (and answer room in a sequence)
    int64_t seed = 1;                                   // generator seed (data), independent of train.seed
};

// Algorithmic length generalization (task "algorithmic"): instances generated on the fly, no
// dataset. A length n is the instance's size: symbols to copy, reverse or sort, digits per operand
// of an addition, bits of a parity. Sequences read <s> prompt | answer </s>; the loss is on the
// answer and </s> only. seqpe/algorithmic.h holds the formats and the vocabulary.
struct AlgoConfig {
    std::string task = "copy";  // copy | reverse | addition | sort | parity
    int64_t train_min_len = 1;  // training lengths: uniform in [min, max]
    int64_t train_max_len = 20; // (train.seq_len follows from it)
    std::vector<int64_t> eval_lengths = {5, 10, 15, 20, 25, 30, 35, 40};
    int64_t symbols = 10;                    // copy, reverse, sort: alphabet size (0-9, a-z)
    std::string addition_order = "reversed"; // the sum's digits: reversed (least significant
                                             // first, the common choice) | plain
    int64_t valid_examples = 256;            // validation during training (training lengths)
    int64_t test_examples = 200;             // per evaluation length
    int64_t seed = 1;                        // validation and test instances (train.seed: training)
};

struct RuntimeConfig {
    int64_t threads = 0;            // intra-op threads; 0 = all cores
    std::string device = "cpu";     // cpu | cuda | cuda:N | auto
    std::string precision = "auto"; // auto | fp32 | bf16 (CPU, CUDA) | fp16 (CUDA); see train/device.h
    double dist_timeout_s = 300;    // `train --distributed`: longest wait of any collective
};

struct RunConfig {
    std::string task = "lm"; // lm | image | qa | algorithmic
    DataConfig data;
    ModelConfig model;
    PositionEncodingConfig position_encoding;
    OptimConfig optim;
    TrainConfig train;
    EvalConfig eval;
    QaConfig qa;
    AlgoConfig algo;
    RuntimeConfig runtime;
};

// Number of position axes of a task: 1 for text, 2 for image grids.
int task_dims(const RunConfig& c);
// Image task: the side of the training grid in patches at the reference resolution
// (data.image_size), and the sides of every grid a step can train on (one entry unless
// data.mixed_resolution: the multiples of model.patch_size in [size_min, size_max], ascending).
int64_t image_train_grid(const RunConfig& c);
std::vector<int64_t> image_train_sizes(const RunConfig& c); // in pixels

// Whether the task reads a prepared dataset (every task but "algorithmic", whose instances are
// generated on the fly).
bool task_needs_dataset(const RunConfig& c);

class ResolvedConfig;
// Fills the "auto" fields with the task's values (official SeqPE settings per task). Idempotent.
// Called where a config enters the engine: the run plan, read_run_config, the trainer (with the
// resume rule, resolve_for_run), validate and the benchmark's own configs. Nothing downstream
// resolves again: it takes a ResolvedConfig.
ResolvedConfig resolve_config(const RunConfig& c);

// A config whose "auto" fields are filled in. Only resolve_config and resolve_resumed make one, so
// a function that takes it (the models, the encoding registry, the inspector, geometry, the run
// directory's config.json and its hash) cannot be handed a raw config, and never resolves again.
// It is a RunConfig to read; change only fields no "auto" value depends on (runtime, eval.mode).
// Default-constructed it is the resolved default config.
class ResolvedConfig : public RunConfig {
public:
    ResolvedConfig();

private:
    struct Token {};
    ResolvedConfig(Token, RunConfig c) : RunConfig(std::move(c)) {}
    friend ResolvedConfig resolve_config(const RunConfig& c);
    friend ResolvedConfig resolve_resumed(const RunConfig& config, const RunConfig& stored);
};
// The evaluation lengths of a text run in tokens: eval.lengths when given (a fine-tuned run is
// evaluated at its base run's lengths), else eval.length_multipliers x train.seq_len. An
// algorithmic run: the positions the model reads at each of algo.eval_lengths.
std::vector<int64_t> text_eval_lengths(const RunConfig& c);
int64_t longest_text_eval_length(const RunConfig& c);

} // namespace seqpe
