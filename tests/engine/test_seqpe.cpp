// SeqPE encoder and objectives: docs/METHOD.md §11 facts 5, 6, 8, 11, 14, 16, 17, 26; gradients
// by finite differences; one encoder pass per step.
#include "pe/seqpe/seqpe.h"
#include "seqpe/config_io.h"
#include "test_util.h"
#include "train/task.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace seqpe;
using torch::indexing::Slice;

namespace {

EncoderOptions enc_opts(int dims, int64_t max_pos, int64_t E, int64_t heads, int64_t out, int64_t layers = 2) {
    EncoderOptions o;
    o.scheme = make_digit_scheme(dims, max_pos, 10, 0, false);
    o.embed_dim = E;
    o.heads = heads;
    o.out_dim = out;
    o.layers = layers;
    o.resid_dropout = 0.0;
    return o;
}

int64_t params(const torch::nn::Module& m) {
    return count_parameters(m);
}

RunConfig seqpe_config(const std::string& apply, const std::string& qk, bool multi_head = true, int64_t layers = 2) {
    RunConfig c = test::tiny_lm_config("seqpe");
    c.model.n_layer = layers;
    auto& s = c.position_encoding.seqpe;
    s.apply = apply;
    s.qk_map = qk;
    s.multi_head = multi_head;
    s.resid_dropout = 0.0;
    s.scalar_scale = 1.0; // the method's maths (the workbench recipe's gain is tested in test_diagnostics)
    return c;
}

PeModelInfo lm_info(const RunConfig& c) {
    PeModelInfo i;
    i.dims = 1;
    i.d_model = c.model.d_model;
    i.n_head = c.model.n_head;
    i.n_layer = c.model.n_layer;
    i.train_length = c.train.seq_len;
    return i;
}

} // namespace

TEST(SeqPeEncoder, ParameterCountsOfTheOfficialModels) { // §11.26, §11.6
    SequentialEncoder text(enc_opts(1, 20000, 768, 12, 768));
    EXPECT_EQ(params(*text), 14780160);
    EXPECT_EQ(text->slot->weight.size(0), 5);
    EXPECT_EQ(text->tok->weight.size(0), 10);
    EXPECT_FALSE(text->dim_emb.defined());
    EXPECT_EQ(params(*torch::nn::Linear(768, 1536)), 1181184);
    SequentialEncoder vit(enc_opts(2, 10000, 384, 6, 384));
    EXPECT_EQ(params(*vit), 3704064);
    EXPECT_EQ(vit->slot->weight.size(0), 4);
    EXPECT_EQ(vit->dim_emb.size(0), 2);
    EXPECT_EQ(12 * params(*torch::nn::Linear(384, 768)), 3548160);
}

TEST(SeqPeEncoder, OutputShapeAndBatchIndependence) { // §11.5, §11.8
    SequentialEncoder e(enc_opts(1, 20000, 32, 2, 24));
    e->eval();
    torch::NoGradGuard ng;
    const torch::Tensor a = e->forward(torch::tensor({{507}, {0}, {19999}}, torch::kLong));
    EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 24}));
    const torch::Tensor b = e->forward(torch::tensor({{19999}, {3}, {507}, {42}}, torch::kLong));
    EXPECT_LT((a[0] - b[2]).abs().max().item<float>(), 1e-6);
    EXPECT_LT((a[2] - b[0]).abs().max().item<float>(), 1e-6);
    EXPECT_GT((a[0] - a[1]).abs().max().item<float>(), 1e-4); // different positions differ
    // Positions that need more digits than the scheme has are refused.
    EXPECT_THROW(e->forward(torch::tensor({{100000}}, torch::kLong)), std::exception);
    // The digit tokens and the pad mask match the pure-C++ tokeniser.
    auto [tok, real] = e->tokenize(torch::tensor({{507}, {0}}, torch::kLong));
    EXPECT_TRUE(torch::equal(tok[0], torch::tensor({0, 0, 5, 0, 7}, torch::kLong)));
    EXPECT_TRUE(torch::equal(real[1], torch::tensor({0, 0, 0, 0, 1}, torch::kLong)));
}

TEST(SeqPeEncoder, CausalEncoderIgnoresNothingButPaddingMaskChangesTheOutput) {
    SequentialEncoder plain(enc_opts(1, 20000, 16, 2, 16, 1));
    auto o = enc_opts(1, 20000, 16, 2, 16, 1);
    o.mask_padding = true;
    SequentialEncoder masked(o);
    torch::NoGradGuard ng;
    for (auto& p : masked->named_parameters()) p.value().copy_(plain->named_parameters()[p.key()]);
    plain->eval();
    masked->eval();
    const torch::Tensor pos = torch::tensor({{7}, {12345}}, torch::kLong);
    const torch::Tensor a = plain->forward(pos), b = masked->forward(pos);
    EXPECT_GT((a[0] - b[0]).abs().max().item<float>(), 1e-6); // 7 has padding: masking matters
    EXPECT_LT((a[1] - b[1]).abs().max().item<float>(), 1e-6); // 12345 has none: identical
}

TEST(SeqPeLoss, ContrastiveLossRewardsEmbeddingsOrderedLikePositions) { // §11.14
    // e(p) = r [cos(w p), sin(w p)] with w * max distance < pi: dot = r^2 cos(w (p - q)).
    const int64_t B = 32, c = 16, maxp = 200;
    const double w = 3.0 / maxp;
    Rng rng(1);
    std::vector<int64_t> anchors, cands, labels;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t a = static_cast<int64_t>(rng.below(maxp));
        anchors.push_back(a);
        auto picks = rng.sample(maxp, c + 1);
        picks.erase(std::remove(picks.begin(), picks.end(), a), picks.end());
        picks.resize(static_cast<size_t>(c));
        int64_t best = 0;
        for (int64_t k = 0; k < c; ++k) {
            cands.push_back(picks[static_cast<size_t>(k)]);
            if (std::abs(picks[static_cast<size_t>(k)] - a) < std::abs(picks[static_cast<size_t>(best)] - a)) best = k;
        }
        labels.push_back(best);
    }
    auto embed = [&](const std::vector<int64_t>& ps, double r, const std::vector<int64_t>* perm = nullptr) {
        torch::Tensor out = torch::empty({static_cast<int64_t>(ps.size()), 2}, torch::kDouble);
        for (size_t i = 0; i < ps.size(); ++i) {
            const int64_t p = perm ? (*perm)[static_cast<size_t>(ps[i])] : ps[i];
            out[static_cast<int64_t>(i)][0] = r * std::cos(w * static_cast<double>(p));
            out[static_cast<int64_t>(i)][1] = r * std::sin(w * static_cast<double>(p));
        }
        return out;
    };
    const torch::Tensor lab = torch::tensor(labels, torch::kLong);
    auto loss = [&](double r, const std::vector<int64_t>* perm = nullptr) {
        return contrastive_loss(embed(anchors, r, perm), embed(cands, r, perm).view({B, c, 2}), lab).item<double>();
    };
    double prev = loss(1.0);
    for (double r : {2.0, 4.0, 8.0, 16.0}) {
        const double l = loss(r);
        EXPECT_LT(l, prev);
        prev = l;
    }
    EXPECT_LT(loss(60.0), 0.05);
    std::vector<int64_t> perm(static_cast<size_t>(maxp));
    for (int64_t i = 0; i < maxp; ++i) perm[static_cast<size_t>(i)] = i;
    double shuffled = 0;
    for (int t = 0; t < 5; ++t) {
        rng.shuffle(perm);
        shuffled += loss(4.0, &perm) / 5;
    }
    EXPECT_GT(shuffled, loss(4.0) + 0.5);
}

TEST(SeqPeLoss, TransferLossPropertiesAndExplicitReduction) { // §11.16, §11.17
    torch::manual_seed(5);
    const int64_t B = 3, n = 6, H = 2, P = 8;
    const torch::Tensor t = torch::randn({B, n, P}, torch::kDouble);
    const torch::Tensor s = torch::randn({B, n, P}, torch::kDouble);
    EXPECT_NEAR(transfer_loss(t, t.clone(), H, "kl", 1.0, 1.0).item<double>(), 0.0, 1e-12);
    const double base = transfer_loss(t, s, H, "kl", 1.0, 1.0).item<double>();
    EXPECT_GT(base, 0.0);
    // An orthogonal map per head chunk of the student keeps every Gram matrix: same loss.
    const torch::Tensor Q = std::get<0>(torch::linalg_qr(torch::randn({P / H, P / H}, torch::kDouble)));
    const torch::Tensor rotated = torch::matmul(s.view({B, n, H, P / H}), Q).view({B, n, P});
    EXPECT_NEAR(transfer_loss(t, rotated, H, "kl", 1.0, 1.0).item<double>(), base, 1e-10);
    // Explicit: (1/(B H n^2)) sum_{b,h,j} [KL(P_T||P_S) + KL(P_S||P_T)]_j
    double sum = 0;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h) {
            const torch::Tensor T = t[b].index({Slice(), Slice(h * 4, h * 4 + 4)}),
                                S = s[b].index({Slice(), Slice(h * 4, h * 4 + 4)});
            const torch::Tensor pt = torch::softmax(torch::matmul(T, T.t()), -1),
                                ps = torch::softmax(torch::matmul(S, S.t()), -1);
            sum += ((pt * (pt.log() - ps.log())).sum() + (ps * (ps.log() - pt.log())).sum()).item<double>();
        }
    EXPECT_NEAR(base, sum / static_cast<double>(B * H * n * n), 1e-10);
    // beta = 1: no gradient reaches the teacher.
    const torch::Tensor tg = t.clone().requires_grad_(true), sg = s.clone().requires_grad_(true);
    transfer_loss(tg, sg, H, "kl", 1.0, 1.0).backward();
    EXPECT_FALSE(tg.grad().defined() && tg.grad().abs().max().item<double>() > 0);
    EXPECT_GT(sg.grad().abs().max().item<double>(), 0);
    EXPECT_NEAR(transfer_loss(t, t.clone(), H, "mse", 1.0, 1.0).item<double>(), 0.0, 1e-12);
}

TEST(SeqPeGrad, EncoderAndEveryApplyMethodMatchFiniteDifferences) {
    // Double precision; the loss is a fixed random projection of the attention scores of a layer.
    for (const std::string apply : {"input_add", "attn_mul", "attn_add", "attn_scalar"}) {
        for (const std::string qk : {"none", "single", "multi"}) {
            if (apply == "input_add" && qk != "none") continue;
            torch::manual_seed(11);
            RunConfig c = seqpe_config(apply, qk);
            c.model.d_model = 8;
            c.model.n_head = 2;
            c.position_encoding.seqpe.embed_dim = 8;
            c.position_encoding.seqpe.heads = 2;
            c.position_encoding.seqpe.layers = 1;
            SeqPeImpl pe(resolve_config(c), lm_info(c));
            pe.to(torch::kDouble);
            pe.eval();
            const torch::Tensor q0 = torch::randn({1, 2, 4, 4}, torch::kDouble),
                                k0 = torch::randn({1, 2, 4, 4}, torch::kDouble);
            const torch::Tensor x0 = torch::randn({1, 4, 8}, torch::kDouble);
            const torch::Tensor w = torch::randn({1, 2, 4, 4}, torch::kDouble);
            auto f = [&]() {
                Layout l = layout_1d(4, 96);
                pe.begin(l, l);
                torch::Tensor out;
                if (apply == "input_add") {
                    out = (pe.add_input(x0) * x0).sum();
                } else {
                    torch::Tensor q = q0, k = k0;
                    pe.apply_qk(0, q, k);
                    out = (torch::matmul(q, k.transpose(-2, -1)) * w).sum();
                }
                pe.end();
                return out;
            };
            pe.zero_grad();
            f().backward();
            int checked = 0;
            for (auto& p : pe.named_parameters()) {
                torch::Tensor param = p.value();
                const torch::Tensor grad = param.grad();
                if (!grad.defined()) continue;
                torch::NoGradGuard ng;
                auto flat = param.view({-1});
                for (int64_t i : {int64_t{0}, flat.numel() / 2, flat.numel() - 1}) {
                    const double orig = flat[i].item<double>(), h = 1e-6;
                    flat[i] = orig + h;
                    const double up = f().item<double>();
                    flat[i] = orig - h;
                    const double down = f().item<double>();
                    flat[i] = orig;
                    const double fd = (up - down) / (2 * h);
                    const double an = grad.view({-1})[i].item<double>();
                    EXPECT_NEAR(an, fd, 1e-6 + 1e-5 * std::abs(fd))
                        << apply << "/" << qk << " " << p.key() << "[" << i << "]";
                    ++checked;
                }
            }
            EXPECT_GT(checked, 10) << apply << "/" << qk;
        }
    }
}

TEST(SeqPeModule, NoneMapUsesTheEmbeddingForBothQueryAndKey) { // §11.11
    RunConfig c = seqpe_config("attn_add", "none");
    SeqPeImpl pe(resolve_config(c), lm_info(c));
    pe.eval();
    torch::NoGradGuard ng;
    Layout l = layout_1d(5);
    pe.begin(l, l);
    torch::Tensor q = torch::zeros({1, 4, 5, 8}), k = torch::zeros({1, 4, 5, 8});
    pe.apply_qk(0, q, k);
    const torch::Tensor e = pe.embeddings(torch::arange(5).view({5, 1})); // (5, 32)
    const torch::Tensor heads = e.view({5, 4, 8}).permute({1, 0, 2}).unsqueeze(0);
    EXPECT_LT((q - heads).abs().max().item<float>(), 1e-6);
    EXPECT_LT((k - heads).abs().max().item<float>(), 1e-6);
}

TEST(SeqPeModule, OneEncoderPassPerStepOverDistinctPositions) {
    RunConfig c = seqpe_config("attn_scalar", "single");
    c.position_encoding.seqpe.shift.rate = 0; // unshifted: main + contrastive + transfer
    c.position_encoding.seqpe.transfer.start_step = 0;
    SeqPeImpl pe(resolve_config(c), lm_info(c));
    pe.train();
    Layout l = layout_1d(c.train.seq_len);
    StepContext ctx;
    ctx.step = 3;
    ctx.seed = 1;
    ctx.batch_size = 8;
    ctx.layout = &l;
    pe.prepare_step(ctx);
    const auto& s = c.position_encoding.seqpe;
    const int64_t rows = c.train.seq_len + s.contrastive.batch * (1 + s.contrastive.candidates) +
                         s.transfer.batch * s.transfer.positions;
    EXPECT_LE(pe.rows_encoded_last_step(), rows);
    EXPECT_GE(pe.rows_encoded_last_step(), c.train.seq_len);
    const auto aux = pe.aux_losses();
    ASSERT_EQ(aux.size(), 2u);
    EXPECT_EQ(aux[0].name, "loss_contrastive");
    EXPECT_EQ(aux[1].name, "loss_distill");
    EXPECT_TRUE(std::isfinite(aux[0].value.item<double>()));
    pe.end_step();
    // A shifted step has G layouts and no distillation sample.
    RunConfig sh = c;
    sh.position_encoding.seqpe.shift.rate = 1.0;
    SeqPeImpl pe2(resolve_config(sh), lm_info(sh));
    Layout l2 = layout_1d(sh.train.seq_len);
    ctx.layout = &l2;
    pe2.prepare_step(ctx);
    EXPECT_EQ(l2.groups(), sh.position_encoding.seqpe.shift.layouts);
    EXPECT_GT(l2.pos.min().item<int64_t>(), -1);
    ASSERT_EQ(pe2.aux_losses().size(), 1u);
}

TEST(SeqPeModule, EvaluationEncodesOnceAndTracksWeightUpdates) {
    RunConfig c = seqpe_config("input_add", "none");
    SeqPeImpl pe(resolve_config(c), lm_info(c));
    pe.eval();
    Layout l = layout_1d(40);
    torch::Tensor a, b;
    {
        torch::NoGradGuard ng;
        pe.begin(l, l);
        a = pe.add_input(torch::zeros({1, 40, 32}));
        pe.end();
    }
    {
        torch::NoGradGuard ng;
        for (auto& p : pe.parameters()) p.add_(0.01); // an optimiser step
        pe.begin(l, l);
        b = pe.add_input(torch::zeros({1, 40, 32}));
        pe.end();
    }
    EXPECT_GT((a - b).abs().max().item<float>(), 1e-5); // the cache did not serve stale embeddings
    torch::NoGradGuard ng;
    pe.begin(l, l);
    const torch::Tensor c2 = pe.add_input(torch::zeros({1, 40, 32}));
    EXPECT_LT((c2 - b).abs().max().item<float>(), 1e-7);
}

TEST(SeqPeEncoder, SharedPrefixForwardEqualsTheDenseForward) {
    for (int dims : {1, 2}) {
        auto o = enc_opts(dims, dims == 1 ? 20000 : 10000, 32, 4, 24, 2);
        o.attn_dropout = 0;
        SequentialEncoder e(o);
        e->eval();
        torch::NoGradGuard ng;
        const int64_t hi = dims == 1 ? 20000 : 100;
        torch::Tensor pos = torch::randint(0, hi, {300, dims}, torch::kLong);
        pos = torch::cat({pos, torch::arange(0, 64).view({-1, 1}).expand({64, dims})}, 0); // shared prefixes
        const torch::Tensor a = e->forward_dense(pos);
        const int64_t dense_tokens = e->tokens_last_forward();
        const torch::Tensor b = e->forward_shared(pos);
        EXPECT_LT((a - b).abs().max().item<float>(), 1e-5) << dims << "D";
        EXPECT_LT(e->tokens_last_forward(), dense_tokens) << "prefixes are shared";
    }
    // Gradients agree too (training uses the shared path).
    auto o = enc_opts(1, 20000, 16, 2, 8, 1);
    SequentialEncoder e(o);
    e->eval();
    const torch::Tensor pos = torch::tensor({{0}, {1}, {10}, {507}, {508}, {19999}}, torch::kLong);
    e->forward_dense(pos).pow(2).sum().backward();
    std::vector<torch::Tensor> g1;
    for (auto& p : e->parameters()) {
        g1.push_back(p.grad().clone());
        p.mutable_grad().zero_();
    }
    e->forward_shared(pos).pow(2).sum().backward();
    size_t i = 0;
    for (auto& p : e->parameters()) EXPECT_LT((p.grad() - g1[i++]).abs().max().item<float>(), 1e-5);
}

// Interpolated decoding (QA generation) asks for one position at a time with `extent` set: each step
// must read the same resampled table as the whole sequence, not a table resampled to one row.
TEST(SeqPeModule, InterpolatedReadOfOnePositionEqualsItsRowInTheWholeSequence) {
    RunConfig c = seqpe_config("input_add", "none");
    SeqPeImpl pe(resolve_config(c), lm_info(c));
    pe.eval();
    torch::NoGradGuard ng;
    const int64_t n = 40, trained = 16;
    auto read = [&](Layout l) {
        l.trained_length = trained;
        l.scale = static_cast<double>(trained) / n;
        l.extent = n;
        pe.begin(l, l);
        const torch::Tensor x = pe.add_input(torch::zeros({1, l.length(), 32})); // (1, N, C)
        pe.end();
        return x[0];
    };
    const torch::Tensor whole = read(layout_1d(n));
    ASSERT_EQ(whole.size(0), n);
    EXPECT_GT((whole[0] - whole[n - 1]).abs().max().item<float>(), 1e-4); // the rows differ
    for (int64_t k : {0, 7, 39}) {
        const torch::Tensor one = read(layout_1d(1, k));
        EXPECT_LT((one[0] - whole[k]).abs().max().item<float>(), 1e-6) << "position " << k;
    }
    // Without extent, a prefix reads the same rows too (the table spans its own largest position).
    Layout prefix = layout_1d(n);
    prefix.trained_length = trained;
    prefix.scale = static_cast<double>(trained) / n;
    pe.begin(prefix, prefix);
    const torch::Tensor again = pe.add_input(torch::zeros({1, n, 32}))[0];
    pe.end();
    EXPECT_LT((again - whole).abs().max().item<float>(), 1e-6);
}
