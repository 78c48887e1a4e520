// The language model: shapes, causality, and KV-cache decoding equal to the full forward pass for
// every encoding (the official attn_scalar decoding flaw, docs/METHOD.md §12.8, must not exist
// here).
#include "model/lm.h"
#include "test_util.h"

#include "seqpe/encodings.h"

#include <gtest/gtest.h>

using namespace seqpe;
using torch::indexing::Slice;

namespace {

struct Case {
    std::string encoding, apply, qk;
};

std::vector<Case> cases() {
    std::vector<Case> v; // every text row of the encodings table; SeqPE in each application
    for (const EncodingInfo& e : encoding_table())
        if (e.text && std::string(e.name) != "seqpe") v.push_back({e.name, "", ""});
    for (const char* a : {"input_add", "attn_mul", "attn_add", "attn_scalar"})
        for (const char* q : {"none", "single", "multi"})
            if (std::string(a) != "input_add" || std::string(q) == "none") v.push_back({"seqpe", a, q});
    return v;
}

LanguageModel make_model(const Case& k) {
    RunConfig c = test::tiny_lm_config(k.encoding);
    c.train.seq_len = 24;
    if (!k.apply.empty()) {
        c.position_encoding.seqpe.apply = k.apply;
        c.position_encoding.seqpe.qk_map = k.qk;
    }
    torch::manual_seed(2);
    LanguageModel m(resolve_config(c), 50);
    m->eval();
    return m;
}

std::string name(const Case& k) {
    return k.encoding + (k.apply.empty() ? "" : "/" + k.apply + "/" + k.qk);
}

} // namespace

TEST(Model, ShapesAndCausalityForEveryEncoding) {
    for (const auto& k : cases()) {
        LanguageModel m = make_model(k);
        torch::NoGradGuard ng;
        torch::Tensor x = torch::randint(0, 50, {2, 20}, torch::kLong);
        const Layout l = layout_1d(20);
        const torch::Tensor a = m->forward(x, l);
        ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2, 20, 50})) << name(k);
        x.index_put_({Slice(), 12}, (x.index({Slice(), 12}) + 1) % 50); // change a later token
        const torch::Tensor b = m->forward(x, l);
        EXPECT_EQ((a.index({Slice(), Slice(0, 12)}) - b.index({Slice(), Slice(0, 12)})).abs().max().item<float>(), 0.0f)
            << name(k) << ": an earlier logit changed";
        EXPECT_GT((a.index({Slice(), 12}) - b.index({Slice(), 12})).abs().max().item<float>(), 0.0f) << name(k);
    }
}

TEST(Model, KvCacheDecodingEqualsTheFullForwardForEveryEncoding) {
    for (const auto& k : cases()) {
        LanguageModel m = make_model(k);
        torch::NoGradGuard ng;
        // Past the training length (24) except for the learned table, whose resampling depends on the
        // longest position of the forward pass.
        const int64_t T = k.encoding == "learned" ? 24 : 30;
        const torch::Tensor x = torch::randint(0, 50, {1, T}, torch::kLong);
        const torch::Tensor full = m->forward(x, layout_1d(T));
        KvCache cache;
        cache.reset(m->blocks->size());
        std::vector<torch::Tensor> parts;
        parts.push_back(m->forward(x.index({Slice(), Slice(0, 5)}), layout_1d(5, 0), &cache)); // a prompt
        for (int64_t t = 5; t < T; ++t)
            parts.push_back(m->forward(x.index({Slice(), Slice(t, t + 1)}), layout_1d(1, t), &cache));
        const torch::Tensor inc = torch::cat(parts, 1);
        EXPECT_LT((inc - full).abs().max().item<float>(), 1e-4) << name(k);
        EXPECT_EQ(cache.length, T);
    }
}

TEST(Model, TiedHeadSharesTheTokenEmbedding) {
    RunConfig c = test::tiny_lm_config("none");
    LanguageModel tied(resolve_config(c), 40);
    c.model.tie_embeddings = false;
    LanguageModel untied(resolve_config(c), 40);
    EXPECT_FALSE(tied->head);
    EXPECT_TRUE(untied->head);
    int64_t nt = 0, nu = 0;
    for (const auto& p : tied->parameters()) nt += p.numel();
    for (const auto& p : untied->parameters()) nu += p.numel();
    EXPECT_EQ(nu - nt, 40 * 32);
}
