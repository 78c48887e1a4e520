// The option table's position-encoding rows: the encoding, its shared options, and SeqPE's
// encoder, contrastive and distillation objectives. The rest of the table: options.cpp.
#include "option_builder.h"

namespace seqpe::option_rows {

void add_encoding_rows(Builder& b) {
    // position encoding
    choices(b.add("position_encoding.type", FIELD(position_encoding.type), "position encoding (see `seqpe encodings`)"),
            encoding_names());
    // An encoding's own options matter when the encodings table says it reads them.
    const auto reads = [](const char* path) {
        return [p = std::string(path)](const RunConfig& c) { return encoding_reads(c, p); };
    };
    range(b.add("position_encoding.base", FIELD(position_encoding.base),
                "frequency base of sinusoidal and rotary encodings", reads("position_encoding.base")),
          2, 1e9);
    advanced(
        choices(b.add("position_encoding.alibi_scaling", FIELD(position_encoding.alibi_scaling),
                      "paper: bias = -slope*distance; official: the SeqPE code's bias, also scaled by 1/sqrt(d_head)",
                      reads("position_encoding.alibi_scaling")),
                {"paper", "official"}));
    advanced(choices(
        b.add("position_encoding.sin_2d", FIELD(position_encoding.sin_2d),
              "2D sinusoidal: axial (half the channels per axis) or flat (row-major index, official code)",
              [](const RunConfig& c) { return c.task == "image" && encoding_reads(c, "position_encoding.sin_2d"); }),
        {"axial", "flat"}));
    advanced(
        range(b.add("position_encoding.sin_scale", FIELD(position_encoding.sin_scale),
                    "sinusoidal amplitude; 0 = auto (RMS of the token or patch embedding at init); 1 = raw sin/cos",
                    reads("position_encoding.sin_scale")),
              0, 100));
    choices(b.add("position_encoding.rope_scaling", FIELD(position_encoding.rope_scaling),
                  "rotary context extension in training and evaluation (fine-tuning at a longer length): none, pi "
                  "(positions / s), ntk (base * s^(d/(d-2))) or yarn",
                  reads("position_encoding.rope_scaling")),
            {"none", "pi", "ntk", "yarn"});
    range(b.add("position_encoding.rope_factor", FIELD(position_encoding.rope_factor),
                "s of rope_scaling: the new length over the length the weights were trained at",
                reads("position_encoding.rope_factor")),
          1, 1024);
    advanced(range(b.add("position_encoding.yarn_alpha", FIELD(position_encoding.yarn_alpha),
                         "YaRN: frequencies with fewer turns than this in the original length are interpolated",
                         reads("position_encoding.yarn_alpha")),
                   0, 1e6));
    advanced(range(b.add("position_encoding.yarn_beta", FIELD(position_encoding.yarn_beta),
                         "YaRN: frequencies with more turns than this in the original length are kept",
                         reads("position_encoding.yarn_beta")),
                   0, 1e6));
    advanced(range(b.add("position_encoding.xpos_scale_base", FIELD(position_encoding.xpos_scale_base),
                         "xPos: queries scale by zeta^(n/scale_base), keys by its inverse",
                         reads("position_encoding.xpos_scale_base")),
                   1, 1e9));
    advanced(range(b.add("position_encoding.xpos_gamma", FIELD(position_encoding.xpos_gamma),
                         "xPos: zeta_i = (2i/d + gamma) / (1 + gamma): how strongly high frequencies decay",
                         reads("position_encoding.xpos_gamma")),
                   0, 1e3));
    range(b.add("position_encoding.t5_buckets", FIELD(position_encoding.t5_buckets),
                "T5 bias: distance buckets, half exact, half log-spaced up to t5_max_distance",
                reads("position_encoding.t5_buckets")),
          2, 1024);
    range(b.add("position_encoding.t5_max_distance", FIELD(position_encoding.t5_max_distance),
                "T5 bias: distances from here on share the last bucket", reads("position_encoding.t5_max_distance")),
          2, 1000000);
    range(b.add("position_encoding.fire_width", FIELD(position_encoding.fire_width),
                "FIRE: hidden width of the MLP from the normalised distance to one bias per head",
                reads("position_encoding.fire_width")),
          1, 4096);
    advanced(range(b.add("position_encoding.fire_c", FIELD(position_encoding.fire_c),
                         "FIRE: initial c of psi(x) = log(c x + 1) (learned)", reads("position_encoding.fire_c")),
                   1e-6, 1e6));
    advanced(
        range(b.add("position_encoding.fire_threshold", FIELD(position_encoding.fire_threshold),
                    "FIRE: initial threshold L of the normaliser psi(max(L, i)) (learned); 0 = the training length",
                    reads("position_encoding.fire_threshold")),
              0, 1e9));
    choices(b.add("position_encoding.kerple_variant", FIELD(position_encoding.kerple_variant),
                  "KERPLE kernel: log (-r1 log(1 + r2 d)) or power (-r1 d^r2, 0 < r2 <= 2)",
                  reads("position_encoding.kerple_variant")),
            {"log", "power"});
    b.add("position_encoding.randomize", FIELD(position_encoding.randomize),
          "randomized positions (Ruoss et al. 2023): train on a sorted random subset of [0, randomize_max)",
          reads("position_encoding.randomize"));
    range(b.add("position_encoding.randomize_max", FIELD(position_encoding.randomize_max),
                "randomized positions: the range they are drawn from (image: per axis, in patches); 0 = the longest "
                "evaluated length",
                [](const RunConfig& c) {
                    return c.position_encoding.randomize && encoding_reads(c, "position_encoding.randomize_max");
                }),
          0, 1000000);

    // SeqPE
    const std::string sp = "position_encoding.seqpe.";
    choices(b.add(sp + "recipe", FIELD(position_encoding.seqpe.recipe),
                  "values of the auto fields: workbench (PE score, auxiliary samples and digits scaled to this run) or "
                  "official (the paper's code at GPT-2/ViT-S scale); docs/METHOD.md",
                  is_seqpe),
            {"workbench", "official"});
    choices(b.add(sp + "apply", FIELD(position_encoding.seqpe.apply),
                  "how e(p) enters the model: input_add, attn_mul, attn_add, attn_scalar (auto: attn_scalar; official "
                  "recipe: image attn_mul)",
                  is_seqpe),
            {"auto", "input_add", "attn_mul", "attn_add", "attn_scalar"});
    choices(b.add(sp + "qk_map", FIELD(position_encoding.seqpe.qk_map),
                  "q/k map of the PE for attn_*: none (pq = pk = e), single (shared), multi (per layer); auto: text "
                  "single, image multi",
                  is_seqpe),
            {"auto", "none", "single", "multi"});
    b.add(sp + "multi_head", FIELD(position_encoding.seqpe.multi_head),
          "split the PE across heads (else one head-sized PE shared by all heads)", is_seqpe);
    range(b.add(sp + "embed_dim", FIELD(position_encoding.seqpe.embed_dim), "encoder width E; 0 = model.d_model",
                is_seqpe),
          0, 4096);
    range(b.add(sp + "layers", FIELD(position_encoding.seqpe.layers), "encoder blocks", is_seqpe), 1, 12);
    range(b.add(sp + "heads", FIELD(position_encoding.seqpe.heads), "encoder heads; 0 = max(1, E/64)", is_seqpe), 0,
          64);
    range(
        b.add(
            sp + "max_position", FIELD(position_encoding.seqpe.max_position),
            "position budget (flattened count in 2D); 0 = auto: workbench the longest evaluated length (image: grid), "
            "official text 20000, image 10000",
            is_seqpe),
        0, 1e12);
    range(b.add(sp + "max_digits", FIELD(position_encoding.seqpe.max_digits),
                "digits per axis; 0 = derive from max_position", is_seqpe),
          0, 18);
    advanced(range(b.add(sp + "base", FIELD(position_encoding.seqpe.base), "digit base", is_seqpe), 2, 36));
    advanced(choices(
        b.add(sp + "slot_index", FIELD(position_encoding.seqpe.slot_index),
              "digit-slot embedding index: running over all axes (official code) or per_dim (paper figure)", is_seqpe),
        {"running", "per_dim"}));
    advanced(b.add(sp + "mask_padding", FIELD(position_encoding.seqpe.mask_padding),
                   "mask leading zero padding in the encoder", is_seqpe));
    advanced(choices(b.add(sp + "direction", FIELD(position_encoding.seqpe.direction),
                           "encoder attention: causal (official) or bi", is_seqpe),
                     {"causal", "bi"}));
    advanced(b.add(sp + "last_layernorm", FIELD(position_encoding.seqpe.last_layernorm),
                   "final LayerNorm before the output projection", is_seqpe));
    advanced(range(
        b.add(sp + "attn_dropout", FIELD(position_encoding.seqpe.attn_dropout), "encoder attention dropout", is_seqpe),
        0, 0.9));
    advanced(range(
        b.add(sp + "resid_dropout", FIELD(position_encoding.seqpe.resid_dropout), "encoder residual dropout", is_seqpe),
        0, 0.9));
    advanced(range(b.add(sp + "temperature", FIELD(position_encoding.seqpe.temperature),
                         "e(p) = out_proj(h) / temperature", is_seqpe),
                   1e-3, 1e3));
    advanced(range(
        b.add(sp + "scalar_scale", FIELD(position_encoding.seqpe.scalar_scale),
              "attn_scalar: weight s of the PE score (attn_mul, attn_add: pq and pk enter times sqrt(s)); 0 = auto: "
              "workbench attn_scalar C / (init_std^2 P E), the content score's initial spread; else 1",
              is_seqpe),
        0, 1e4));
    advanced(choices(b.add(sp + "init", FIELD(position_encoding.seqpe.init),
                           "encoder init: normal (text code) or trunc_normal (image code)", is_seqpe),
                     {"normal", "trunc_normal"}));
    b.add(sp + "shift.enabled", FIELD(position_encoding.seqpe.shift.enabled), "random shift of the main-task positions",
          is_seqpe);
    range(b.add(sp + "shift.rate", FIELD(position_encoding.seqpe.shift.rate), "probability that a step is shifted",
                is_seqpe),
          0, 1);
    range(b.add(sp + "shift.layouts", FIELD(position_encoding.seqpe.shift.layouts),
                "layouts per shifted step (must divide the batch size)", is_seqpe),
          1, 4096);
    range(b.add(sp + "shift.offsets", FIELD(position_encoding.seqpe.shift.offsets), "offsets drawn once per run",
                is_seqpe),
          1, 1e7);
    range(b.add(sp + "contrastive.weight", FIELD(position_encoding.seqpe.contrastive.weight),
                "weight of the contrastive loss; 0 = off", is_seqpe),
          0, 100);
    range(b.add(sp + "contrastive.batch", FIELD(position_encoding.seqpe.contrastive.batch),
                "anchors per step; 0 = auto: the official runs' ratio (text 16 per 16384 tokens, image 32 per 50176), "
                "workbench at least 64",
                is_seqpe),
          0, 65536);
    range(b.add(sp + "contrastive.candidates", FIELD(position_encoding.seqpe.contrastive.candidates),
                "candidates per anchor", is_seqpe),
          2, 4096);
    range(b.add(sp + "contrastive.window", FIELD(position_encoding.seqpe.contrastive.window),
                "window size (1D) or area (2D)", is_seqpe),
          1, 1e9);
    advanced(range(b.add(sp + "contrastive.hard_ratio", FIELD(position_encoding.seqpe.contrastive.hard_ratio),
                         "share of hard negatives in hard mode", is_seqpe),
                   0, 1));
    advanced(range(b.add(sp + "contrastive.hard_prob", FIELD(position_encoding.seqpe.contrastive.hard_prob),
                         "probability of the hard-negative mode", is_seqpe),
                   0, 1));
    advanced(range(b.add(sp + "contrastive.window_prob", FIELD(position_encoding.seqpe.contrastive.window_prob),
                         "probability of the window mode", is_seqpe),
                   0, 1));
    advanced(choices(b.add(sp + "contrastive.window_mode", FIELD(position_encoding.seqpe.contrastive.window_mode),
                           "around_anchor: the window holds the anchor; random: anywhere (official code)", is_seqpe),
                     {"around_anchor", "random"}));
    advanced(choices(
        b.add(sp + "contrastive.hard_2d", FIELD(position_encoding.seqpe.contrastive.hard_2d),
              "2D hard negatives: per_axis (edit one coordinate) or concat (edit \"rc\", cut anywhere: official)",
              [](const RunConfig& c) { return is_seqpe(c) && c.task == "image"; }),
        {"per_axis", "concat"}));
    range(b.add(sp + "transfer.weight", FIELD(position_encoding.seqpe.transfer.weight),
                "weight of the distillation loss; 0 = off", is_seqpe),
          0, 100);
    range(b.add(sp + "transfer.batch", FIELD(position_encoding.seqpe.transfer.batch),
                "student samples per step; 0 = auto: the official ratio, workbench at least 16", is_seqpe),
          0, 65536);
    range(b.add(sp + "transfer.start_step", FIELD(position_encoding.seqpe.transfer.start_step),
                "first step of the distillation loss; -1 = auto: official 0, workbench after the learning-rate "
                "warm-up (the teacher's similarities are flat at first)",
                is_seqpe),
          -1, 1e9);
    range(b.add(sp + "transfer.positions", FIELD(position_encoding.seqpe.transfer.positions), "positions per sample",
                is_seqpe),
          2, 4096);
    choices(b.add(sp + "transfer.metric", FIELD(position_encoding.seqpe.transfer.metric),
                  "kl (symmetric) or mse of log-probabilities", is_seqpe),
            {"kl", "mse"});
    advanced(range(b.add(sp + "transfer.beta", FIELD(position_encoding.seqpe.transfer.beta),
                         "share of the loss that moves only the student", is_seqpe),
                   0, 1));
    advanced(range(b.add(sp + "transfer.logit_scale", FIELD(position_encoding.seqpe.transfer.logit_scale),
                         "scale of the similarity logits", is_seqpe),
                   1e-4, 1e4));
    advanced(range(b.add(sp + "transfer.heads", FIELD(position_encoding.seqpe.transfer.heads),
                         "head chunks of the similarity; 0 = model.n_head", is_seqpe),
                   0, 128));
}

} // namespace seqpe::option_rows
