// Inspection: geometry per encoding, snapshots written during training, attention maps of a run.
#include "inspect/geometry.h"
#include "model/lm.h"
#include "model/vit.h"
#include "pe/absolute.h"
#include "pe/alibi.h"
#include "pe/rope.h"
#include "seqpe/common/error.h"
#include "seqpe/dataset.h"
#include "seqpe/encodings.h"
#include "seqpe/engine.h"
#include "seqpe/inspect.h"
#include "seqpe/trainer.h"
#include "test_util.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {
struct Snapshots : Observer {
    std::vector<Snapshot> got;
    void on_snapshot(const Snapshot& s) override { got.push_back(s); }
};

// Trains `c` on the dataset `data` into `run_dir` and opens the finished run for probing
// (nullptr, with a test failure, when training did not complete).
std::unique_ptr<Inspector> trained_inspector(const RunConfig& c, const std::filesystem::path& data,
                                             const std::filesystem::path& run_dir) {
    TrainerOptions o;
    o.run_dir = run_dir;
    o.dataset_dir = data;
    Snapshots obs;
    const RunOutcome outcome = make_trainer(c, o)->run(obs, {}).outcome;
    EXPECT_EQ(outcome, RunOutcome::Completed);
    return outcome == RunOutcome::Completed ? open_inspector(run_dir) : nullptr;
}
} // namespace

TEST(Inspect, SpearmanOnKnownSeries) {
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
    EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 2, 2, 3}), 1.0, 1e-12); // ties get average ranks
}

TEST(Inspect, GeometryOfEveryTextEncoding) {
    for (const EncodingInfo& e : encoding_table()) { // every text row of the table
        if (!e.text) continue;
        const std::string enc = e.name;
        RunConfig c = tiny_lm_config(enc);
        LanguageModel m(resolve_config(c), 64);
        GeometryRequest r;
        r.count = 40;
        m->eval();
        torch::NoGradGuard ng;
        const GeometryResult g = compute_geometry(*m->pe, resolve_config(c), r);
        ASSERT_EQ(g.matrix.shape, (std::vector<int64_t>{40, 40})) << enc;
        EXPECT_EQ(g.positions.size(), 40u);
        EXPECT_EQ(g.train_extent, 16);
        if (e.relative) {
            EXPECT_EQ(g.kind, "relative") << enc;
            EXPECT_TRUE(g.projection.data.empty());
            EXPECT_NE(g.description.find(e.title), std::string::npos) << g.description;
        } else if (!e.has_positions()) {
            EXPECT_EQ(g.kind, "none");
        } else {
            EXPECT_EQ(g.kind, "embedding") << enc;
            EXPECT_EQ(g.projection.shape, (std::vector<int64_t>{40, 2}));
            EXPECT_NEAR(g.matrix.data[0], 1.0, 1e-5) << enc << ": cosine of a vector with itself";
        }
        if (enc == "alibi") {
            // -slope * |i - j|, averaged over heads: a perfect rank correlation with distance.
            EXPECT_NEAR(g.rank_correlation, 1.0, 1e-9);
            EXPECT_LT(g.matrix.data[39], g.matrix.data[1]); // farther is more negative
        }
        if (enc == "sinusoidal") {
            EXPECT_GT(g.rank_correlation, 0.5) << "sin/cos similarity falls with distance";
        }
        if (enc == "rope") {
            EXPECT_NEAR(g.matrix.data[0], 1.0, 1e-5); // equal positions: no rotation
        }
    }
}

TEST(Inspect, GeometryIn2DAndPastTheTrainingLength) {
    RunConfig c = tiny_image_config("seqpe");
    VisionTransformer v(resolve_config(c), 1, 4);
    v->eval();
    GeometryRequest r;
    r.rows = 6;
    r.cols = 5;
    const GeometryResult g = compute_geometry(*v->pe, resolve_config(c), r);
    EXPECT_EQ(g.matrix.shape, (std::vector<int64_t>{30, 30}));
    EXPECT_EQ(g.dims, 2);
    EXPECT_EQ(g.positions.size(), 60u);
    EXPECT_EQ(g.positions[2 * 7], 1); // cell 7 of a 6x5 grid is (1, 2)
    EXPECT_EQ(g.positions[2 * 7 + 1], 2);
    r.layer = 1; // SeqPE attn_mul with per-layer maps: the layer's query-PE against its key-PE
    const GeometryResult q = compute_geometry(*v->pe, resolve_config(c), r);
    EXPECT_EQ(q.matrix.shape, (std::vector<int64_t>{30, 30}));
    EXPECT_NE(q.description.find("layer 1"), std::string::npos);
    // A learned table far past its 4x4 grid is resized, not refused.
    RunConfig lc = tiny_image_config("learned");
    VisionTransformer lv(resolve_config(lc), 1, 4);
    r.layer = -1;
    r.rows = r.cols = 12;
    EXPECT_EQ(compute_geometry(*lv->pe, resolve_config(lc), r).matrix.shape[0], 144);
}

TEST(Inspect, GeometryReadInterpolatedIsWhatTheInterpolateEvaluationReads) {
    // The tiny ViT trains on a 4 x 4 grid; the probe reads an 8 x 8 one both ways.
    const auto cell = [](const GeometryResult& g, int64_t a, int64_t b) {
        const int64_t n = g.matrix.shape[0];
        return g.matrix.data[static_cast<size_t>(a * n + b)];
    };
    GeometryRequest r;
    r.rows = r.cols = 8;
    r.metric = "cosine";
    {
        // SeqPE: the 4 x 4 grid's encodings resampled bicubically, as the evaluation resamples them.
        RunConfig c = tiny_image_config("seqpe");
        VisionTransformer v(resolve_config(c), 1, 4);
        v->eval();
        torch::NoGradGuard ng;
        r.mode = "interpolate";
        const GeometryResult g = compute_geometry(*v->pe, resolve_config(c), r);
        EXPECT_EQ(g.mode, "interpolate");
        EXPECT_NE(g.description.find("read interpolated"), std::string::npos) << g.description;
        const torch::Tensor cells = torch::arange(16, torch::kLong);
        const torch::Tensor e4 = v->pe->embeddings(torch::stack({cells.div(4, "floor"), cells.remainder(4)}, 1));
        torch::Tensor e8 = resample_2d(e4.view({4, 4, -1}), 8, 8).reshape({64, -1});
        e8 = e8 / e8.norm(2, 1, true);
        const torch::Tensor want = torch::matmul(e8, e8.t()); // (64, 64)
        for (int64_t a : {0, 9, 27, 63})
            for (int64_t b : {1, 18, 36, 62})
                EXPECT_NEAR(cell(g, a, b), want[a][b].item<double>(), 1e-5) << a << ", " << b;
        r.mode = "extend"; // extended, the 8 x 8 grid reads positions 4..7 the encoder never saw
        const GeometryResult x = compute_geometry(*v->pe, resolve_config(c), r);
        EXPECT_GT(std::abs(cell(x, 0, 63) - cell(g, 0, 63)), 1e-4);
        // At the training grid the two reads are the same.
        r.rows = r.cols = 4;
        const GeometryResult x4 = compute_geometry(*v->pe, resolve_config(c), r);
        r.mode = "interpolate";
        const GeometryResult g4 = compute_geometry(*v->pe, resolve_config(c), r);
        EXPECT_EQ(x4.matrix.data, g4.matrix.data);
        r.rows = r.cols = 8;
    }
    {
        // Sinusoidal (axial) reads scaled positions: cell (2, 4) of 8 x 8 is (1, 2) of 4 x 4.
        RunConfig c = tiny_image_config("sinusoidal");
        VisionTransformer v(resolve_config(c), 1, 4);
        r.mode = "interpolate";
        const GeometryResult g = compute_geometry(*v->pe, resolve_config(c), r);
        GeometryRequest r4;
        r4.rows = r4.cols = 4;
        r4.metric = "cosine";
        const GeometryResult x4 = compute_geometry(*v->pe, resolve_config(c), r4);
        EXPECT_NEAR(cell(g, 2 * 8 + 4, 6 * 8 + 2), cell(x4, 1 * 4 + 2, 3 * 4 + 1), 1e-5);
        EXPECT_NEAR(cell(g, 0, 4 * 8 + 6), cell(x4, 0, 2 * 4 + 3), 1e-5);
    }
    {
        // RoPE-2D: Position Interpolation, so (0, 2) of 8 x 8 scores against (0, 0) as (0, 1) of 4 x 4.
        RunConfig c = tiny_image_config("rope");
        VisionTransformer v(resolve_config(c), 1, 4);
        r.mode = "interpolate";
        const GeometryResult g = compute_geometry(*v->pe, resolve_config(c), r);
        ASSERT_EQ(g.kind, "relative");
        GeometryRequest r4;
        r4.rows = r4.cols = 4;
        const GeometryResult x4 = compute_geometry(*v->pe, resolve_config(c), r4);
        EXPECT_NEAR(cell(g, 0, 2), cell(x4, 0, 1), 1e-5);
        EXPECT_NEAR(cell(g, 0, 6 * 8 + 4), cell(x4, 0, 3 * 4 + 2), 1e-5);
        EXPECT_GT(std::abs(cell(g, 0, 2) - cell(x4, 0, 2)), 1e-4); // not the extended score
    }
    // The learnable table is resampled to the grid in both modes: the two reads are the same.
    RunConfig c = tiny_image_config("learned");
    VisionTransformer v(resolve_config(c), 1, 4);
    r.mode = "interpolate";
    const GeometryResult li = compute_geometry(*v->pe, resolve_config(c), r);
    r.mode = "extend";
    EXPECT_EQ(li.matrix.data, compute_geometry(*v->pe, resolve_config(c), r).matrix.data);
    r.mode = "stretch";
    EXPECT_THROW(compute_geometry(*v->pe, resolve_config(c), r), InputError);
}

TEST(Inspect, TrainerWritesSnapshotsThatReadBack) {
    TempDir tmp("snap");
    const auto data = write_text_dataset(tmp / "data", 64, 20000, 2000, 2000);
    RunConfig c = tiny_lm_config("seqpe");
    c.train.steps = 20;
    c.train.snapshot_every = 10;
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    Snapshots obs;
    ASSERT_EQ(make_trainer(c, o)->run(obs, {}).outcome, RunOutcome::Completed);
    ASSERT_EQ(obs.got.size(), 3u); // at initialisation, step 10, step 20
    EXPECT_EQ(obs.got[1].step, 10);
    const auto list = list_geometry_snapshots(tmp / "run");
    ASSERT_EQ(list.size(), 3u);
    const GeometryResult back = read_geometry_snapshot(list[2].second);
    EXPECT_EQ(back.matrix.data, obs.got[2].geometry.matrix.data);
    EXPECT_EQ(back.projection.shape, obs.got[2].geometry.projection.shape);
    EXPECT_EQ(back.positions, obs.got[2].geometry.positions);
    EXPECT_NE(obs.got[0].geometry.matrix.data, obs.got[2].geometry.matrix.data) << "training changed the embeddings";
}

TEST(Inspect, AttentionMapsOfAFinishedRun) {
    TempDir tmp("attn");
    const auto data = write_image_dataset(tmp / "data", 300, 50, 50);
    RunConfig c = tiny_image_config("rope");
    c.train.steps = 3;
    auto in = trained_inspector(c, data, tmp / "run");
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->step(), 3);
    int h = 0, w = 0, ch = 0;
    int64_t label = -1;
    const auto px = in->sample_image(5, &h, &w, &ch, &label);
    EXPECT_EQ(h, 16);
    EXPECT_EQ(px.size(), 256u);
    for (int size : {16, 24, 40}) { // any resolution the patch divides
        const AttentionResult a = in->image_attention(px, h, w, ch, size);
        const int64_t g = size / 4, T = 1 + g * g;
        ASSERT_EQ(a.probs.shape, (std::vector<int64_t>{2, 4, T, T}));
        EXPECT_EQ(a.grid_rows, g);
        EXPECT_EQ(a.prefix, 1);
        for (int64_t row = 0; row < T; row += 7) { // rows are distributions
            double sum = 0;
            for (int64_t k = 0; k < T; ++k) sum += a.probs.data[static_cast<size_t>(row * T + k)];
            EXPECT_NEAR(sum, 1.0, 1e-4);
        }
    }
    EXPECT_THROW(in->image_attention(px, h, w, ch, 18), InputError);
    EXPECT_THROW(in->text_attention({1, 2, 3}), InputError);
}

TEST(Inspect, TextAttentionIsCausalWithTokenLabels) {
    TempDir tmp("text");
    const auto data = write_text_dataset(tmp / "data", 64, 5000, 1000, 1000);
    RunConfig c = tiny_lm_config("alibi");
    c.train.steps = 2;
    auto in = trained_inspector(c, data, tmp / "run");
    ASSERT_NE(in, nullptr);
    const auto toks = in->sample_tokens(100, 12);
    ASSERT_EQ(toks.size(), 12u);
    const AttentionResult a = in->text_attention(toks);
    ASSERT_EQ(a.probs.shape, (std::vector<int64_t>{2, 4, 12, 12}));
    ASSERT_EQ(a.tokens.size(), 12u);
    EXPECT_EQ(a.tokens[0], "t" + std::to_string(toks[0])); // the dataset's pieces
    for (int64_t q = 0; q < 12; ++q)
        for (int64_t k = q + 1; k < 12; ++k) EXPECT_EQ(a.probs.data[static_cast<size_t>(q * 12 + k)], 0.0f);
}

TEST(Inspect, TextOfTheUsersOwnIsTokenisedByTheDataToolAndAttended) {
    const std::filesystem::path tool = std::filesystem::path(SEQPE_BINARY_DIR) / "seqpe-data/seqpe-data";
    if (!std::filesystem::exists(tool)) GTEST_SKIP() << "this build has no seqpe-data (tsan preset)";
    ::setenv("SEQPE_DATA_TOOL", tool.c_str(), 0);
    TempDir tmp("usertext");
    const auto data = write_text_dataset(tmp / "data", 300, 5000, 1000, 1000); // byte ids fit in 300
    RunConfig c = tiny_lm_config("alibi");
    c.train.steps = 1;
    auto in = trained_inspector(c, data, tmp / "run");
    ASSERT_NE(in, nullptr);
    const std::vector<int64_t> ids = in->encode_text("Hi, \xc3\xa9!"); // byte tokenizer: UTF-8 bytes
    EXPECT_EQ(ids, (std::vector<int64_t>{72, 105, 44, 32, 0xc3, 0xa9, 33}));
    const AttentionResult a = in->text_attention(ids);
    ASSERT_EQ(a.tokens.size(), 7u);
    EXPECT_EQ(a.tokens[0], "t72");
    EXPECT_THROW(in->encode_text("   "), InputError);                   // nothing to tokenise
    EXPECT_THROW(in->encode_text("a\xff b"), InputError);               // not UTF-8
    EXPECT_EQ(encode_text(data, "AB"), (std::vector<int64_t>{65, 66})); // the engine's call, without a run

    // A vocabulary smaller than the ids: refused by name, never an index past the table.
    const auto small = write_text_dataset(tmp / "small", 64, 5000, 1000, 1000);
    try {
        (void)encode_text(small, "Hi");
        auto in2 = trained_inspector(c, small, tmp / "run-small");
        ASSERT_NE(in2, nullptr);
        in2->encode_text("Hi");
        FAIL() << "no error for tokens outside the vocabulary";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("vocabulary of 64"), std::string::npos) << e.what();
    }
}

// Relative encodings also give the score against distance per head (the Geometry view's curve):
// ALiBi's is -slope_h * d exactly, at every distance past the training length too.
TEST(Inspect, RelativeEncodingsGiveTheirScoreAgainstDistancePerHead) {
    for (const EncodingInfo& e : encoding_table()) {
        if (!e.text) continue;
        RunConfig c = tiny_lm_config(e.name);
        LanguageModel m(resolve_config(c), 64);
        m->eval();
        torch::NoGradGuard ng;
        GeometryRequest r;
        r.count = 48; // past the training length 16
        const GeometryResult g = compute_geometry(*m->pe, resolve_config(c), r);
        if (!e.relative) {
            EXPECT_TRUE(g.profile.data.empty()) << e.name;
            continue;
        }
        ASSERT_EQ(g.profile.shape, (std::vector<int64_t>{c.model.n_head, 48})) << e.name;
        EXPECT_EQ(g.profile_query, 47);
        if (std::string(e.name) == "alibi") {
            const auto slopes = AlibiImpl::slopes(c.model.n_head);
            for (int64_t h = 0; h < c.model.n_head; ++h)
                for (int64_t d : {0, 1, 15, 30, 47})
                    EXPECT_NEAR(g.profile.data[static_cast<size_t>(h * 48 + d)], -slopes[static_cast<size_t>(h)] * d,
                                1e-5);
        }
    }
}
