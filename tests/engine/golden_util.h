#pragma once
// The golden tests' side of tests/tools/gen_golden.py: fixture loading, tensors from JSON, the
// deterministic fill formula, error reporting (see test_golden.cpp's header for the formula).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/types.h>
#include <vector>

namespace seqpe::golden {

using json = nlohmann::json;

constexpr int kFormat = 1;

inline json load(const std::string& name) {
    const std::string path = std::string(SEQPE_SOURCE_DIR "/tests/engine/golden/") + name;
    std::ifstream f(path);
    if (!f) {
        ADD_FAILURE() << "missing golden fixture " << path << " (regenerate: tests/tools/gen_golden.py)";
        return json::object();
    }
    json j = json::parse(f);
    EXPECT_EQ(j.value("format", -1), kFormat) << path << ": fixture format differs from this test's";
    return j;
}

inline std::vector<int64_t> shape_of(const json& t) {
    return t.at("shape").get<std::vector<int64_t>>();
}

inline torch::Tensor dbl(const json& t) { // {"shape", "data"} -> float64 tensor
    const auto data = t.at("data").get<std::vector<double>>();
    return torch::tensor(data, torch::kDouble).view(shape_of(t));
}

inline torch::Tensor lng(const json& t) { // {"shape", "data"} -> int64 tensor
    const auto data = t.at("data").get<std::vector<int64_t>>();
    return torch::tensor(data, torch::kLong).view(shape_of(t));
}

inline torch::Tensor formula(int64_t seed, const std::vector<int64_t>& shape, double amp, double offset = 0.0) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    const torch::Tensor i = torch::arange(n, torch::kDouble);
    return (offset + amp * torch::sin(1.618 * static_cast<double>(seed) + 0.7071 * i + 0.0577 * (i * i))).view(shape);
}

inline torch::Tensor formula(const json& spec) { // {"seed", "amp", "shape"}
    return formula(spec.at("seed").get<int64_t>(), shape_of(spec), spec.at("amp").get<double>());
}

inline double max_abs(const torch::Tensor& a, const torch::Tensor& b) {
    EXPECT_EQ(a.sizes(), b.sizes());
    if (a.sizes() != b.sizes()) return INFINITY;
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

inline double report(const std::string& what, double err) {
    std::printf("[golden] %-48s max_abs_err=%.3e\n", what.c_str(), err);
    return err;
}

} // namespace seqpe::golden
