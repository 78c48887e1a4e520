// Config JSON, the option table, overrides and cross-field validation.
#include "mentions.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"
#include "seqpe/options.h"

#include <gtest/gtest.h>
#include <set>

using namespace seqpe;
using seqpe::test::mentions;

namespace {

std::string dump(const std::vector<Diagnostic>& d) {
    return format_diagnostics(d);
}

} // namespace

TEST(Config, DefaultsValidateCleanly) {
    const auto d = validate(RunConfig{});
    EXPECT_FALSE(has_errors(d)) << dump(d);
}

TEST(Config, EveryFieldHasAUniqueOptionAndRoundTripsThroughJson) {
    std::set<std::string> paths;
    for (const auto& o : option_table()) {
        EXPECT_TRUE(paths.insert(o.path).second) << "duplicate " << o.path;
        EXPECT_FALSE(o.help.empty()) << o.path;
        EXPECT_TRUE(o.get && o.set && o.relevant) << o.path;
    }
    RunConfig c;
    c.model.n_layer = 3;
    c.position_encoding.type = "rope";
    c.eval.length_multipliers = {1, 3};
    c.optim.lr = 2.5e-4;
    c.data.augment = true;
    RunConfig back;
    const auto d = config_from_json(config_to_json(c), back);
    EXPECT_TRUE(d.empty()) << dump(d);
    EXPECT_TRUE(differing_options(c, back).empty());
    EXPECT_EQ(config_to_json(c), config_to_json(back));
}

TEST(Config, PartialJsonKeepsDefaults) {
    RunConfig c;
    ASSERT_TRUE(config_from_json(R"({"model": {"n_layer": 6}, "optim.lr": 0.01})", c).empty());
    EXPECT_EQ(c.model.n_layer, 6);
    EXPECT_DOUBLE_EQ(c.optim.lr, 0.01);
    EXPECT_EQ(c.model.d_model, RunConfig{}.model.d_model);
}

TEST(Config, UnknownKeysAreErrorsWithSuggestions) {
    RunConfig c;
    const auto d = config_from_json(R"({"model": {"n_layers": 6}, "optimiser": {"lr": 1}})", c);
    ASSERT_EQ(d.size(), 2u) << dump(d);
    EXPECT_TRUE(mentions(d, "model.n_layers", "did you mean model.n_layer"));
    EXPECT_TRUE(mentions(d, "optimiser.lr", "unknown"));
}

TEST(Config, WrongTypesAreErrorsNamingThePath) {
    RunConfig c;
    const auto d = config_from_json(
        R"({"model": {"n_layer": "six", "dropout": "0.1", "tie_embeddings": 1, "d_model": 12.5},
            "eval": {"length_multipliers": [1, "2"]}, "position_encoding": {"type": 3}, "task": null})",
        c);
    EXPECT_TRUE(mentions(d, "model.n_layer", "integer"));
    EXPECT_TRUE(mentions(d, "model.dropout", "number"));
    EXPECT_TRUE(mentions(d, "model.tie_embeddings", "true or false"));
    EXPECT_TRUE(mentions(d, "model.d_model", "integer"));
    EXPECT_TRUE(mentions(d, "eval.length_multipliers"));
    EXPECT_TRUE(mentions(d, "position_encoding.type"));
    EXPECT_TRUE(mentions(d, "task"));
    EXPECT_EQ(d.size(), 7u) << dump(d);
    EXPECT_EQ(c.model.n_layer, RunConfig{}.model.n_layer); // bad values are not applied
}

TEST(Config, IntegralFloatsAreAcceptedForIntegers) {
    RunConfig c;
    EXPECT_TRUE(config_from_json(R"({"train": {"steps": 2e3}})", c).empty());
    EXPECT_EQ(c.train.steps, 2000);
}

TEST(Config, RangesAndChoicesAreChecked) {
    RunConfig c;
    auto d = config_from_json(R"({"model": {"n_layer": 0, "dropout": 1.5}, "position_encoding": {"type": "cope"},
                                  "optim": {"schedule": "step"}, "eval": {"length_multipliers": []}})",
                              c);
    EXPECT_TRUE(mentions(d, "model.n_layer", "out of range"));
    EXPECT_TRUE(mentions(d, "model.dropout", "out of range"));
    EXPECT_TRUE(mentions(d, "position_encoding.type", "seqpe"));
    EXPECT_TRUE(mentions(d, "optim.schedule", "cosine"));
    EXPECT_TRUE(mentions(d, "eval.length_multipliers", "empty"));
    EXPECT_FALSE(config_from_json("[1,2]", c).empty());
    EXPECT_FALSE(config_from_json("{\"model\":", c).empty());
}

TEST(Config, OverridesParseBareWordsJsonAndCommaLists) {
    RunConfig c;
    EXPECT_TRUE(apply_override(c, "position_encoding.type=rope").empty());
    EXPECT_EQ(c.position_encoding.type, "rope");
    EXPECT_TRUE(apply_override(c, "position_encoding.type=\"alibi\"").empty());
    EXPECT_EQ(c.position_encoding.type, "alibi");
    EXPECT_TRUE(apply_override(c, "model.n_layer=4").empty());
    EXPECT_EQ(c.model.n_layer, 4);
    EXPECT_TRUE(apply_override(c, "eval.length_multipliers=1,2,8").empty());
    EXPECT_EQ(c.eval.length_multipliers, (std::vector<int64_t>{1, 2, 8}));
    EXPECT_TRUE(apply_override(c, "eval.length_multipliers=[4]").empty());
    EXPECT_EQ(c.eval.length_multipliers, (std::vector<int64_t>{4}));
    EXPECT_TRUE(apply_override(c, "data.augment=true").empty());
    EXPECT_TRUE(c.data.augment);
    EXPECT_TRUE(mentions(apply_override(c, "model.n_layer=four"), "model.n_layer"));
    EXPECT_TRUE(mentions(apply_override(c, "model.n_layer"), "", "path=value"));
    EXPECT_TRUE(mentions(apply_override(c, "nope.x=1"), "nope.x", "unknown"));
    EXPECT_TRUE(mentions(apply_override(c, "data.augment=yes"), "data.augment"));
    EXPECT_TRUE(mentions(apply_override(c, "optim.lr=nan"), "optim.lr"));
}

TEST(Config, ValidationNamesTheFieldToChange) {
    RunConfig c;
    c.model.d_model = 130;
    c.model.n_head = 4;
    c.optim.min_lr = 1.0;
    c.train.batch_size = 16;
    c.train.grad_accum = 3;
    c.runtime.device = "gpu0";
    auto d = validate(c);
    EXPECT_TRUE(mentions(d, "model.n_head", "divide"));
    EXPECT_TRUE(mentions(d, "optim.min_lr"));
    EXPECT_TRUE(mentions(d, "train.grad_accum"));
    EXPECT_TRUE(mentions(d, "runtime.device"));
}

TEST(Config, EncodingAndTaskCombinationsThatMakeNoSenseAreErrors) {
    RunConfig c;
    c.position_encoding.type = "rope_mixed";
    EXPECT_TRUE(mentions(validate(c), "position_encoding.type", "for text use rope"));
    c.task = "image";
    c.data.image_size = 28;
    c.model.patch_size = 4;
    EXPECT_FALSE(mentions(validate(c), "position_encoding.type"));
    c.model.patch_size = 5;
    auto d = validate(c);
    EXPECT_TRUE(mentions(d, "model.patch_size", "does not divide data.image_size 28"));
    EXPECT_TRUE(mentions(d, "eval.image_sizes", "not a multiple"));
    c.model.patch_size = 4;
    c.eval.image_sizes = {28, 42};
    EXPECT_TRUE(mentions(validate(c), "eval.image_sizes", "42 is not a multiple of model.patch_size 4"));
    c.eval.image_sizes = {28};
    c.data.source = "sotu";
    EXPECT_TRUE(mentions(validate(c), "data.source", "text corpus"));
    RunConfig t;
    t.data.source = "fashion-mnist";
    EXPECT_TRUE(mentions(validate(t), "data.source", "image dataset"));
    RunConfig r;
    r.position_encoding.type = "rope";
    r.model.d_model = 36;
    r.model.n_head = 4; // head size 9: odd
    EXPECT_TRUE(mentions(validate(r), "model.n_head", "rotary"));
}

TEST(Config, SeqPeChecksDependOnTheTask) {
    RunConfig c;
    c.position_encoding.type = "seqpe";
    c.position_encoding.seqpe.shift.layouts = 5; // does not divide batch 16
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.shift.layouts", "do not divide"));
    c.position_encoding.seqpe.shift.layouts = 16;
    c.position_encoding.seqpe.max_position = 100; // below seq_len 128
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.max_position", "below the training length"));
    c.position_encoding.seqpe.max_position = 20000;
    c.position_encoding.seqpe.max_digits = 3; // cannot write 19999
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.max_digits"));
    c.position_encoding.seqpe.max_digits = 0;
    c.eval.length_multipliers = {1, 1000}; // 128000 tokens need 6 digits
    EXPECT_TRUE(mentions(validate(c), "eval.length_multipliers", "digits"));
    c.eval.length_multipliers = {1, 16};
    c.position_encoding.seqpe.contrastive.hard_prob = 0.7;
    c.position_encoding.seqpe.contrastive.window_prob = 0.6;
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.contrastive.window_prob"));
    c.position_encoding.seqpe.contrastive.hard_prob = 0.4;
    c.position_encoding.seqpe.heads = 3; // 128 % 3
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.heads"));
    c.position_encoding.seqpe.heads = 0;
    EXPECT_FALSE(has_errors(validate(c))) << dump(validate(c));
}

TEST(Config, AutoFieldsResolvePerTask) {
    // The official recipe's values (the workbench recipe: Diagnostics.RecipeAutoValues).
    RunConfig c;
    c.position_encoding.seqpe.recipe = "official";
    RunConfig r = resolve_config(c);
    EXPECT_EQ(r.data.source, "sotu");
    EXPECT_EQ(r.position_encoding.seqpe.apply, "attn_scalar");
    EXPECT_EQ(r.position_encoding.seqpe.qk_map, "single");
    EXPECT_EQ(r.position_encoding.seqpe.max_position, 20000);
    EXPECT_EQ(r.position_encoding.seqpe.embed_dim, 128);
    EXPECT_EQ(r.position_encoding.seqpe.heads, 2);
    EXPECT_EQ(r.position_encoding.seqpe.transfer.heads, 4);
    EXPECT_EQ(r.position_encoding.seqpe.contrastive.batch, 2); // 16 x 128 tokens: the official 16 per 16384
    EXPECT_EQ(r.position_encoding.seqpe.transfer.batch, 2);
    RunConfig official;
    official.position_encoding.seqpe.recipe = "official";
    official.train.batch_size = 32;
    official.train.seq_len = 512;
    EXPECT_EQ(resolve_config(official).position_encoding.seqpe.contrastive.batch, 16);
    RunConfig vit;
    vit.position_encoding.seqpe.recipe = "official";
    vit.task = "image";
    vit.data.image_size = 224;
    vit.model.patch_size = 16;
    vit.train.batch_size = 256;
    EXPECT_EQ(resolve_config(vit).position_encoding.seqpe.contrastive.batch, 32);
    c.task = "image";
    r = resolve_config(c);
    EXPECT_EQ(r.data.source, "fashion-mnist");
    EXPECT_EQ(r.position_encoding.seqpe.apply, "attn_mul");
    EXPECT_EQ(r.position_encoding.seqpe.qk_map, "multi");
    EXPECT_EQ(r.position_encoding.seqpe.max_position, 10000);
    EXPECT_EQ(config_to_json(resolve_config(r)), config_to_json(r)); // idempotent
}

TEST(Config, HashIsStableAndSensitive) {
    RunConfig a, b;
    EXPECT_EQ(config_hash(resolve_config(a)), config_hash(resolve_config(b)));
    EXPECT_EQ(config_hash(resolve_config(a)).size(), 12u);
    b.train.seed = 2;
    EXPECT_NE(config_hash(resolve_config(a)), config_hash(resolve_config(b)));
    // "auto" and its resolved value are the same run.
    RunConfig c = a;
    c.position_encoding.seqpe.apply = "attn_scalar";
    EXPECT_EQ(config_hash(resolve_config(a)), config_hash(resolve_config(c)));
}

TEST(Config, EncodingTableDrivesTheTypeChoices) {
    const OptionInfo* o = find_option("position_encoding.type");
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->choices, encoding_names());
    EXPECT_EQ(encoding_names().size(), 11u);
    EXPECT_FALSE(find_encoding("rope_mixed")->text);
    EXPECT_TRUE(find_encoding("seqpe")->image);
}

TEST(Config, EncodingTableKnowsWhichEncodingsAreRelative) {
    // The views ask the table (no name comparisons): relative encodings show an induced score.
    std::vector<std::string> relative, text_only_missing, image_missing, rotary;
    for (const EncodingInfo& e : encoding_table()) {
        if (e.relative) relative.push_back(e.name);
        if (!e.text) text_only_missing.push_back(e.name);
        if (!e.image) image_missing.push_back(e.name);
        if (e.rotary) rotary.push_back(e.name);
    }
    EXPECT_EQ(relative, (std::vector<std::string>{"rope", "rope_mixed", "xpos", "alibi", "t5", "fire", "kerple"}));
    EXPECT_EQ(text_only_missing, (std::vector<std::string>{"rope_mixed"})); // 2D-only: not offered for text runs
    EXPECT_EQ(image_missing, (std::vector<std::string>{"xpos", "fire"}));   // causal text only, as defined
    EXPECT_EQ(rotary, (std::vector<std::string>{"rope", "rope_mixed", "xpos"}));
    ASSERT_NE(find_encoding("seqpe"), nullptr);
    EXPECT_FALSE(find_encoding("seqpe")->relative);
    EXPECT_EQ(find_encoding("nope"), nullptr);
}

// Each encoding declares the options it reads: the option table's relevance follows it, with no
// encoding named in options.cpp.
TEST(Config, AnEncodingsOptionsAreRelevantOnlyForIt) {
    auto relevant = [](const std::string& type, const std::string& path, const std::string& task = "lm") {
        RunConfig c;
        c.task = task;
        c.position_encoding.type = type;
        return find_option(path)->relevant(c);
    };
    EXPECT_TRUE(relevant("t5", "position_encoding.t5_buckets"));
    EXPECT_FALSE(relevant("alibi", "position_encoding.t5_buckets"));
    EXPECT_TRUE(relevant("fire", "position_encoding.fire_width"));
    EXPECT_TRUE(relevant("kerple", "position_encoding.kerple_variant"));
    EXPECT_TRUE(relevant("xpos", "position_encoding.xpos_gamma"));
    EXPECT_TRUE(relevant("xpos", "position_encoding.rope_scaling")); // a rotation: RoPE's extensions apply
    EXPECT_FALSE(relevant("kerple", "position_encoding.rope_scaling"));
    EXPECT_TRUE(relevant("rope", "position_encoding.base"));
    EXPECT_TRUE(relevant("sinusoidal", "position_encoding.base"));
    EXPECT_FALSE(relevant("alibi", "position_encoding.base"));
    EXPECT_TRUE(relevant("seqpe", "position_encoding.seqpe.layers"));
    EXPECT_FALSE(relevant("learned", "position_encoding.seqpe.layers"));
    EXPECT_TRUE(relevant("learned", "position_encoding.randomize")); // every encoding with positions
    EXPECT_FALSE(relevant("none", "position_encoding.randomize"));
    EXPECT_FALSE(relevant("sinusoidal", "position_encoding.sin_2d")); // an image-only option
    EXPECT_TRUE(relevant("sinusoidal", "position_encoding.sin_2d", "image"));
}

TEST(Config, FieldEncodingRulesNameTheFieldToChange) {
    RunConfig c;
    c.position_encoding.type = "xpos";
    c.model.d_model = 30;
    c.model.n_head = 2; // head size 15: no rotary pairs
    EXPECT_TRUE(mentions(validate(c), "model.n_head", "rotary"));
    c = RunConfig{};
    c.position_encoding.type = "t5";
    c.position_encoding.t5_buckets = 64;
    c.position_encoding.t5_max_distance = 20; // not beyond the 32 exact buckets
    EXPECT_TRUE(mentions(validate(c), "position_encoding.t5_max_distance"));
    c = RunConfig{};
    c.position_encoding.type = "alibi";
    c.eval.mode = "yarn"; // RoPE's extensions: rotary encodings only
    EXPECT_TRUE(mentions(validate(c), "eval.mode", "rotary"));
    c.position_encoding.type = "xpos";
    EXPECT_FALSE(mentions(validate(c), "eval.mode"));
    c = RunConfig{};
    c.position_encoding.type = "none";
    c.position_encoding.randomize = true;
    EXPECT_TRUE(mentions(validate(c), "position_encoding.randomize", "no positions"));
    c = RunConfig{};
    c.position_encoding.type = "learned";
    c.position_encoding.randomize = true;
    c.position_encoding.randomize_max = 64; // below the training length 128
    EXPECT_TRUE(mentions(validate(c), "position_encoding.randomize_max"));
    c.position_encoding.randomize_max = 0; // auto: the longest evaluated length, 16 x 128
    EXPECT_FALSE(has_errors(validate(c))) << format_diagnostics(validate(c));
    EXPECT_EQ(resolve_config(c).position_encoding.randomize_max, 2048);
    c.position_encoding.type = "seqpe"; // its shift and randomized positions: one or the other
    EXPECT_TRUE(mentions(validate(c), "position_encoding.seqpe.shift.enabled"));
    c.position_encoding.seqpe.shift.enabled = false;
    EXPECT_FALSE(has_errors(validate(c))) << format_diagnostics(validate(c));
    EXPECT_GE(resolve_config(c).position_encoding.seqpe.max_position, 2048); // its digits cover the range
}

TEST(Config, EvaluationModesExpandByEncoding) {
    RunConfig c;
    c.position_encoding.type = "rope";
    EXPECT_EQ(evaluation_modes(c, "both"), (std::vector<std::string>{"extend", "interpolate"}));
    EXPECT_EQ(evaluation_modes(c, "all"),
              (std::vector<std::string>{"extend", "interpolate", "ntk", "dynamic-ntk", "yarn"}));
    EXPECT_EQ(evaluation_modes(c, "yarn"), (std::vector<std::string>{"yarn"}));
    c.position_encoding.type = "alibi";
    EXPECT_EQ(evaluation_modes(c, "all"), (std::vector<std::string>{"extend", "interpolate"}));
}

// Scale augmentation and the centre-crop protocol: in the option table (the form and --set offer
// them), crossed settings refused naming the field.
TEST(Config, ScaleAugmentationAndCenterCropAreOptionsWithTheirRules) {
    RunConfig c;
    c.task = "image";
    EXPECT_TRUE(apply_override(c, "data.scale_augment=true").empty());
    EXPECT_TRUE(apply_override(c, "eval.image_resize=center_crop").empty());
    EXPECT_FALSE(apply_override(c, "eval.image_resize=stretch").empty()); // not a choice
    EXPECT_FALSE(apply_override(c, "data.scale_min=0").empty());          // below its range
    EXPECT_FALSE(has_errors(validate(c)));
    c.data.augment = true;
    EXPECT_TRUE(mentions(validate(c), "data.augment"));
    c.data.augment = false;
    c.data.scale_min = 0.9;
    c.data.scale_max = 0.5;
    EXPECT_TRUE(mentions(validate(c), "data.scale_min"));
    c.data.scale_min = 0.35;
    c.data.ratio_min = 2;
    EXPECT_TRUE(mentions(validate(c), "data.ratio_min"));
}
