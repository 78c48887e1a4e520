// Golden values of the field's encodings and RoPE's extensions (docs/METHOD.md §9) against the
// independent float64 reference of tests/tools/gen_golden.py (field_encodings.json). Parameters are
// set from the fixture (T5 tables, FIRE's MLP, KERPLE's r1 and r2); the engine computes in float32,
// so tolerances are float ones, stated at each assertion.
#include "golden_util.h"
#include "pe/fire.h"
#include "pe/kerple.h"
#include "pe/rope.h"
#include "pe/t5_bias.h"
#include "pe/xpos.h"

#include <gtest/gtest.h>

using namespace seqpe;
using namespace seqpe::golden;

namespace {

PeModelInfo model(int dims, int64_t heads, int64_t head_dim, int64_t trained = 16, bool causal = true) {
    PeModelInfo i;
    i.dims = dims;
    i.d_model = heads * head_dim;
    i.n_head = heads;
    i.n_layer = 1;
    i.train_length = trained;
    i.causal = causal;
    return i;
}

Layout positions_1d(const json& p) {
    Layout l;
    l.pos = torch::tensor(p.get<std::vector<int64_t>>(), torch::kLong).view({1, -1, 1});
    return l;
}

Layout positions_2d(const json& p) {
    std::vector<int64_t> flat;
    for (const auto& rc : p) {
        flat.push_back(rc[0].get<int64_t>());
        flat.push_back(rc[1].get<int64_t>());
    }
    Layout l;
    l.pos = torch::tensor(flat, torch::kLong).view({1, -1, 2});
    return l;
}

torch::Tensor bias_of(PositionEncodingImpl& pe, const Layout& l) {
    torch::NoGradGuard ng;
    pe.begin(l, l);
    const torch::Tensor b = pe.bias(0)[0];
    pe.end();
    return b;
}

void set(torch::Tensor& param, const torch::Tensor& value) {
    torch::NoGradGuard ng;
    param.copy_(value.to(param.dtype()).view(param.sizes()));
}

} // namespace

TEST(GoldenField, T5BiasOneSidedAndPerAxis) {
    const json j = load("field_encodings.json");
    const json& a = j.at("t5_1d");
    T5BiasImpl one(model(1, a.at("heads").get<int64_t>(), 8), a.at("buckets").get<int64_t>(),
                   a.at("max_distance").get<int64_t>());
    set(one.table, formula(a.at("table")));
    // Bias = table entries (float32 of amp-0.5 values): tolerance 1e-7.
    EXPECT_LT(report("t5 1d bias", max_abs(bias_of(one, positions_1d(a.at("positions"))), dbl(a.at("bias")))), 1e-7);
    const json& b = j.at("t5_2d");
    T5BiasImpl two(model(2, b.at("heads").get<int64_t>(), 8, 4, false), b.at("buckets").get<int64_t>(),
                   b.at("max_distance").get<int64_t>());
    set(two.table, formula(b.at("table")));
    EXPECT_LT(report("t5 2d bias", max_abs(bias_of(two, positions_2d(b.at("positions"))), dbl(b.at("bias")))), 2e-7);
}

TEST(GoldenField, Fire) {
    const json f = load("field_encodings.json").at("fire");
    FireImpl fire(model(1, f.at("heads").get<int64_t>(), 8), f.at("width").get<int64_t>(), f.at("c").get<double>(),
                  f.at("threshold").get<double>());
    set(fire.fc1->weight, formula(f.at("fc1_weight")));
    set(fire.fc1->bias, formula(f.at("fc1_bias")));
    set(fire.fc2->weight, formula(f.at("fc2_weight")));
    set(fire.fc2->bias, formula(f.at("fc2_bias")));
    // A float32 MLP of 4 hidden units on inputs in [0, 1.6]: tolerance 1e-6.
    EXPECT_LT(report("fire bias", max_abs(bias_of(fire, positions_1d(f.at("positions"))), dbl(f.at("bias")))), 1e-6);
}

TEST(GoldenField, KerpleLogPowerAnd2D) {
    const json k = load("field_encodings.json").at("kerple");
    const auto r1 = k.at("r1").get<std::vector<double>>();
    const torch::Tensor r1t = torch::tensor(r1, torch::kDouble);
    for (const char* variant : {"log", "power"}) {
        const bool power = std::string(variant) == "power";
        KerpleImpl ker(model(1, 3, 8), power);
        const torch::Tensor r2 = torch::tensor(k.at(variant).at("r2").get<std::vector<double>>(), torch::kDouble);
        set(ker.raw1, torch::log(torch::expm1(r1t)));                                      // softplus^-1
        set(ker.raw2, power ? torch::log(r2 / (2.0 - r2)) : torch::log(torch::expm1(r2))); // logit(r2/2)
        // r1, r2 round-trip through float32 softplus / sigmoid (~1e-7 relative): log |bias| <= 6,
        // tolerance 5e-6; power up to 1.9 * 20^1.8 = 418, where d ln(d) dr2 turns 2e-8 in r2 into
        // 2.5e-5: tolerance 2e-4 (5e-7 relative).
        EXPECT_LT(report(std::string("kerple ") + variant,
                         max_abs(bias_of(ker, positions_1d(k.at("positions"))), dbl(k.at(variant).at("bias")))),
                  power ? 2e-4 : 5e-6);
    }
    const json& two = k.at("log_2d");
    KerpleImpl ker(model(2, 3, 8, 4, false), false);
    set(ker.raw1, torch::log(torch::expm1(r1t)));
    set(ker.raw2, torch::log(torch::expm1(torch::tensor(two.at("r2").get<std::vector<double>>(), torch::kDouble))));
    EXPECT_LT(report("kerple log 2d", max_abs(bias_of(ker, positions_2d(two.at("positions"))), dbl(two.at("bias")))),
              5e-6);
}

TEST(GoldenField, Xpos) {
    const json x = load("field_encodings.json").at("xpos");
    const int64_t Dh = x.at("head_dim").get<int64_t>();
    XposImpl xpos(model(1, 1, Dh), RopeOptions{x.at("base").get<double>(), false}, x.at("scale_base").get<double>(),
                  x.at("gamma").get<double>());
    const Layout l = positions_1d(x.at("positions"));
    torch::Tensor q = formula(x.at("q")).to(torch::kFloat), k = formula(x.at("k")).to(torch::kFloat);
    xpos.begin(l, l);
    xpos.apply_qk(0, q, k);
    xpos.end();
    // float32 rotation (angles <= 63) and zeta^(+-63/16) factors up to ~140: relative 1e-6, tolerance 2e-4.
    EXPECT_LT(report("xpos q", max_abs(q, dbl(x.at("q_out")))), 2e-4);
    EXPECT_LT(report("xpos k", max_abs(k, dbl(x.at("k_out")))), 2e-4);
}

TEST(GoldenField, RopeNtkAndYarn) {
    const json e = load("field_encodings.json").at("rope_ext_1d");
    const int64_t Dh = e.at("head_dim").get<int64_t>(), trained = e.at("trained").get<int64_t>();
    for (const char* mode : {"ntk", "yarn"}) {
        RopeOptions o{e.at("base").get<double>(), false};
        o.alpha = e.at("alpha").get<double>();
        o.beta = e.at("beta").get<double>();
        RopeImpl rope(model(1, 1, Dh, trained), o);
        Layout l = positions_1d(e.at("positions"));
        const int64_t evaluated = static_cast<int64_t>(trained * e.at("factor").get<double>());
        apply_eval_mode(l, mode, trained, evaluated, evaluated);
        torch::Tensor q = formula(e.at("q")).to(torch::kFloat), k = q.clone();
        rope.begin(l, l);
        rope.apply_qk(0, q, k);
        rope.end();
        // float32 rotation at angles <= 63: tolerance 2e-5 (as the plain RoPE golden).
        EXPECT_LT(report(std::string("rope ") + mode + " 1d", max_abs(q, dbl(e.at(mode)))), 2e-5);
    }
    const json t = load("field_encodings.json").at("rope_ext_2d_yarn");
    const int64_t D2 = t.at("head_dim").get<int64_t>(), g0 = t.at("trained").get<int64_t>();
    RopeImpl rope(model(2, 1, D2, g0, false), RopeOptions{t.at("base").get<double>(), false});
    Layout l = positions_2d(t.at("positions"));
    apply_eval_mode(l, "yarn", g0, t.at("rows").get<int64_t>(), t.at("cols").get<int64_t>());
    torch::Tensor q = formula(t.at("q")).to(torch::kFloat), k = q.clone();
    rope.begin(l, l);
    rope.apply_qk(0, q, k);
    rope.end();
    EXPECT_LT(report("rope yarn 2d per axis", max_abs(q, dbl(t.at("out")))), 2e-5);
}
