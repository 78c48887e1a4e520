// Position-encoding diagnostics (train.diagnostics_every): the score share against hand-computed
// values, the centred geometry metric, and the "diag" records of a SeqPE run.
#include "collect_observer.h"
#include "inspect/geometry.h"
#include "model/lm.h"
#include "pe/absolute.h"
#include "pe/encoding.h"
#include "seqpe/config_io.h"
#include "seqpe/engine.h"
#include "seqpe/trainer.h"
#include "test_util.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::test;

TEST(Diagnostics, ScoreShareIsTheRatioOfRowCentredSpreads) {
    // One head, 2 queries x 3 keys, not causal. base rows (0, 1, 2) and (3, 3, 6): row-centred
    // values (-1, 0, 1) and (-1, -1, 2): mean square (2 + 6) / 6 = 4/3.
    const torch::Tensor base = torch::tensor({0.f, 1.f, 2.f, 3.f, 3.f, 6.f}).view({1, 2, 3});
    // pe = 2 x base + a per-row constant (which the softmax ignores): share exactly 2.
    const torch::Tensor pe = base * 2 + torch::tensor({5.f, -7.f}).view({1, 2, 1});
    EXPECT_NEAR(score_share(pe, base, false), 2.0, 1e-6);
    // A per-row constant alone moves nothing.
    EXPECT_NEAR(score_share(torch::tensor({1.f, 1.f, 1.f, 4.f, 4.f, 4.f}).view({1, 2, 3}), base, false), 0.0, 1e-7);
    // Causal, 3 x 3: row 0 sees key 0 only (no spread), row 1 keys 0-1, row 2 keys 0-2. base rows
    // (0 | 0 2 | 0 0 3) centred: row 1 (-1, 1), row 2 (-1, -1, 2): sum of squares 2 + 6 = 8.
    // pe rows (9 | 1 0 | 0 3 0) centred: row 1 (0.5, -0.5), row 2 (-1, 2, -1): 0.5 + 6 = 6.5.
    const torch::Tensor b3 = torch::tensor({0.f, 99.f, 99.f, 0.f, 2.f, 99.f, 0.f, 0.f, 3.f}).view({1, 3, 3});
    const torch::Tensor p3 = torch::tensor({9.f, 99.f, 99.f, 1.f, 0.f, 99.f, 0.f, 3.f, 0.f}).view({1, 3, 3});
    EXPECT_NEAR(score_share(p3, b3, true), std::sqrt(6.5 / 8.0), 1e-6);
}

TEST(Diagnostics, CentredCosineRemovesTheCommonComponent) {
    // A learned table whose rows are a large common vector plus a small one that grows with
    // the position: raw cosines are all ~1, centred cosines are exactly those of the small part.
    RunConfig c = tiny_lm_config("learned");
    LanguageModel m(resolve_config(c), 64);
    auto* learned = dynamic_cast<LearnedImpl*>(m->pe.get());
    ASSERT_NE(learned, nullptr);
    const int64_t L = c.train.seq_len, C = c.model.d_model;
    {
        torch::NoGradGuard ng;
        const torch::Tensor t = torch::arange(L, torch::kFloat).view({L, 1});
        torch::Tensor rows = torch::zeros({L, C});
        rows.select(1, 0).fill_(100.0);                         // common component
        rows.select(1, 1).copy_(t.view({L}) - (L - 1) / 2.0);   // centred ramp
        rows.select(1, 2).copy_(0.5 * torch::cos(t.view({L}))); // a second, oscillating direction
        learned->table.copy_(rows);
    }
    GeometryRequest r;
    r.count = L;
    torch::NoGradGuard ng;
    r.metric = "cosine";
    const GeometryResult raw = compute_geometry(*m->pe, resolve_config(c), r);
    r.metric = "centred";
    const GeometryResult cen = compute_geometry(*m->pe, resolve_config(c), r);
    EXPECT_GT(raw.matrix.data[L - 1], 0.98); // first vs last: the common part dominates
    // By hand: centred rows are (0, t - mean, c_t - mean(c)), c_t = cos(t) / 2; rows 0 and L-1.
    std::vector<double> cosv(L);
    double mc = 0;
    for (int64_t i = 0; i < L; ++i) mc += (cosv[i] = 0.5 * std::cos(static_cast<double>(i))) / static_cast<double>(L);
    const double mid = (L - 1) / 2.0;
    auto row = [&](int64_t i) { return std::pair<double, double>{static_cast<double>(i) - mid, cosv[i] - mc}; };
    const auto [a1, a2] = row(0);
    const auto [b1, b2] = row(L - 1);
    const double want = (a1 * b1 + a2 * b2) / std::hypot(a1, a2) / std::hypot(b1, b2);
    EXPECT_NEAR(cen.matrix.data[L - 1], want, 1e-4);
    EXPECT_LT(cen.matrix.data[L - 1], -0.9); // opposite ends of the ramp
    EXPECT_NE(cen.description.find("centred"), std::string::npos);
}

TEST(Diagnostics, SeqPeRunWritesDiagRecordsWithSharesAndAccuracy) {
    TempDir tmp("diag");
    const auto data = write_text_dataset(tmp / "data", 64, 8000, 2000, 2000);
    RunConfig c = tiny_lm_config("seqpe");
    short_run(c, 10);
    c.train.diagnostics_every = 5;
    auto& s = c.position_encoding.seqpe;
    s.transfer.start_step = 0;
    s.transfer.batch = 2;
    s.shift.enabled = false; // distillation runs on unshifted steps only
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    Collect obs;
    ASSERT_EQ(make_trainer(c, o)->run(obs, {}).outcome, RunOutcome::Completed);
    std::vector<Record> diag;
    for (const auto& r : obs.records)
        if (r.kind == "diag") diag.push_back(r);
    ASSERT_EQ(diag.size(), 3u); // steps 1, 5 and 10
    EXPECT_EQ(diag[0].step, 1);
    EXPECT_EQ(diag[1].step, 5);
    EXPECT_EQ(diag[2].step, 10);
    for (const auto& d : diag) {
        const double l0 = d.get("pe_share_l0").value_or(-1), l1 = d.get("pe_share_l1").value_or(-1);
        EXPECT_GT(l0, 0);
        EXPECT_GT(l1, 0);
        EXPECT_NEAR(d.get("pe_share").value_or(-1), (l0 + l1) / 2, 1e-12);
        const double acc = d.get("contrastive_acc").value_or(-1);
        EXPECT_GE(acc, 0);
        EXPECT_LE(acc, 1);
        EXPECT_NEAR(d.get("contrastive_chance").value_or(0), 1.0 / static_cast<double>(s.contrastive.candidates),
                    1e-12);
        const double sm = d.get("share_main").value_or(-1), sc = d.get("share_contrastive").value_or(-1),
                     sd = d.get("share_distill").value_or(-1);
        EXPECT_GT(sm, 0);
        EXPECT_GT(sc, 0);
        EXPECT_GT(sd, 0);
        EXPECT_NEAR(sm + sc + sd, 1.0, 1e-9);
        EXPECT_NEAR(sm,
                    d.get("grad_main").value_or(0) /
                        (d.get("grad_main").value_or(0) + d.get("grad_contrastive").value_or(0) +
                         d.get("grad_distill").value_or(0)),
                    1e-9);
        const double rc = d.get("rank_corr").value_or(NAN), pc1 = d.get("pc1_share").value_or(NAN);
        EXPECT_GE(rc, -1);
        EXPECT_LE(rc, 1);
        EXPECT_GT(pc1, 0);
        EXPECT_LE(pc1, 1 + 1e-9);
    }
    // The records are in metrics.jsonl too, for seqpe info and the GUI.
    int on_disk = 0;
    for (const auto& r : read_metrics(RunPaths{o.run_dir}.metrics())) on_disk += r.kind == "diag";
    EXPECT_EQ(on_disk, 3);
}

TEST(Diagnostics, MainTaskGradientIsTheWholeGradientWhenTheAuxiliaryLossesAreOff) {
    // With both objectives off every PE gradient comes from the main task: share_* are absent and
    // grad_main is the norm the optimiser sees for the PE group before clipping (a 1-step run
    // with clipping off and lr 0 leaves the weights as they were, so the norm is reproducible).
    TempDir tmp("diagmain");
    const auto data = write_text_dataset(tmp / "data", 64, 8000, 2000, 2000);
    RunConfig c = tiny_lm_config("seqpe");
    short_run(c, 1);
    c.train.diagnostics_every = 1;
    c.position_encoding.seqpe.contrastive.weight = 0;
    c.position_encoding.seqpe.transfer.weight = 0;
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    Collect obs;
    ASSERT_EQ(make_trainer(c, o)->run(obs, {}).outcome, RunOutcome::Completed);
    const Record* d = nullptr;
    const Record* t = nullptr;
    for (const auto& r : obs.records) {
        if (r.kind == "diag") d = &r;
        if (r.kind == "train") t = &r;
    }
    ASSERT_NE(d, nullptr);
    ASSERT_NE(t, nullptr);
    EXPECT_FALSE(d->get("share_main").has_value());
    EXPECT_FALSE(d->get("contrastive_acc").has_value());
    EXPECT_GT(d->get("grad_main").value_or(0), 0);
}

TEST(Diagnostics, RecipeAutoValues) {
    // The quickstart's shape: width 128, 4 heads, 16 x 128 tokens, 600 steps, evaluated to 16x.
    RunConfig c;
    c.train.steps = 600;
    c.position_encoding.type = "seqpe";
    const RunConfig w = resolve_config(c);
    const auto& s = w.position_encoding.seqpe;
    EXPECT_EQ(s.contrastive.batch, 64);
    EXPECT_EQ(s.transfer.batch, 16);
    EXPECT_EQ(s.transfer.start_step, 100); // optim.warmup_steps
    EXPECT_EQ(s.max_position, 16 * 128);
    // C / (init_std^2 P E) = 128 / (0.0004 * 128 * 128)
    EXPECT_NEAR(s.scalar_scale, 128.0 / (0.0004 * 128 * 128), 1e-9);
    c.position_encoding.seqpe.recipe = "official";
    const auto& o = resolve_config(c).position_encoding.seqpe;
    EXPECT_EQ(o.contrastive.batch, 2); // 16 x 128 tokens at 16 per 16384, at least 2
    EXPECT_EQ(o.transfer.batch, 2);
    EXPECT_EQ(o.transfer.start_step, 0);
    EXPECT_EQ(o.max_position, 20000);
    EXPECT_EQ(o.scalar_scale, 1.0);
    // Explicit values win over either recipe.
    c.position_encoding.seqpe.scalar_scale = 3;
    c.position_encoding.seqpe.contrastive.batch = 5;
    EXPECT_EQ(resolve_config(c).position_encoding.seqpe.scalar_scale, 3);
    EXPECT_EQ(resolve_config(c).position_encoding.seqpe.contrastive.batch, 5);
    // Image: the largest evaluated grid, 84 px / 4 px patches = 21 per axis.
    RunConfig im;
    im.task = "image";
    im.position_encoding.type = "seqpe";
    EXPECT_EQ(resolve_config(im).position_encoding.seqpe.max_position, 21 * 21);
    EXPECT_EQ(resolve_config(im).position_encoding.seqpe.apply, "attn_scalar");
    EXPECT_NEAR(resolve_config(im).position_encoding.seqpe.scalar_scale, 128.0 / (0.0004 * 128 * 128), 1e-9);
    im.position_encoding.seqpe.apply = "attn_mul"; // asked for: the official maths, no gain
    EXPECT_EQ(resolve_config(im).position_encoding.seqpe.scalar_scale, 1.0);
    im.position_encoding.seqpe.recipe = "official";
    im.position_encoding.seqpe.apply = "auto";
    EXPECT_EQ(resolve_config(im).position_encoding.seqpe.apply, "attn_mul");
}
