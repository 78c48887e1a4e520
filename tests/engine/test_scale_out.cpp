// Scale-out pieces that run on a CPU-only machine: device selection and its errors, the fp16
// loss scaler, the torchrun environment and the
// batch-sharding checks. (Two-process training is in tests/cli/test_distributed.cpp.)
#include "seqpe/common/error.h"
#include "seqpe/distributed.h"
#include "seqpe/engine.h"
#include "seqpe/run_dir.h"
#include "seqpe/trainer.h"
#include "test_util.h"
#include "train/device.h"
#include "train/distributed.h"
#include "train/loss_scale.h"

#include <cmath>
#include <cstdlib>
#include <gtest/gtest.h>
#include <optional>
#include <torch/cuda.h>

using namespace seqpe;
using namespace seqpe::test;

namespace {

template <class F> std::string input_error_of(F f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// Sets (or clears, for nullptr) environment variables for a scope.
class ScopedEnv {
public:
    ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
        for (const auto& [k, v] : vars) {
            const char* old = std::getenv(k);
            saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            if (v)
                ::setenv(k, v, 1);
            else
                ::unsetenv(k);
        }
    }
    ~ScopedEnv() {
        for (const auto& [k, v] : saved_) {
            if (v)
                ::setenv(k.c_str(), v->c_str(), 1);
            else
                ::unsetenv(k.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

} // namespace

TEST(Device, SelectionAndItsErrorsWithoutAGpu) {
    if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is visible: the no-GPU errors do not apply";
    EXPECT_EQ(select_device("cpu"), torch::Device(torch::kCPU));
    EXPECT_EQ(select_device("auto"), torch::Device(torch::kCPU)); // auto: CUDA when visible, else the CPU
    EXPECT_EQ(select_device("auto", 3), torch::Device(torch::kCPU));
    for (const char* d : {"cuda", "cuda:3"}) {
        const std::string e = input_error_of([&] { select_device(d); });
        EXPECT_NE(e.find("runtime.device"), std::string::npos) << d << ": " << e;
        EXPECT_NE(e.find(d), std::string::npos) << e;
        EXPECT_NE(e.find("cpu or auto"), std::string::npos) << e; // says what to use instead
    }
    EXPECT_NE(input_error_of([] { select_device("gpu0"); }).find("runtime.device"), std::string::npos);
}

TEST(Device, TrainerRefusesCudaOnACpuMachineNamingTheField) {
    if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is visible";
    TempDir tmp("device");
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, 1000);
    RunConfig c = tiny_lm_config("learned");
    c.runtime.device = "cuda:3";
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    const std::string e = input_error_of([&] { make_trainer(c, o); });
    EXPECT_NE(e.find("runtime.device"), std::string::npos) << e;
}

TEST(Precision, Fp16IsRefusedOnTheCpuAndCudaKeepsWhatItWasAsked) {
    EXPECT_EQ(effective_precision(torch::Device(torch::kCUDA, 0), "fp16"), "fp16");
    EXPECT_EQ(effective_precision(torch::Device(torch::kCUDA, 0), "auto"), "fp32");
    const std::string e = input_error_of([] { effective_precision(torch::kCPU, "fp16"); });
    EXPECT_NE(e.find("runtime.precision"), std::string::npos) << e;
    EXPECT_FALSE(gpu_memory(torch::kCPU).has_value());
    // A run asking for fp16 on the CPU is refused before it starts, naming the field.
    TempDir tmp("precision");
    const auto data = write_text_dataset(tmp / "data", 64, 4000, 1000, 1000);
    RunConfig c = tiny_lm_config("rope");
    c.runtime.device = "auto";
    c.runtime.precision = "fp16";
    TrainerOptions o;
    o.run_dir = tmp / "run";
    o.dataset_dir = data;
    if (!torch::cuda::is_available()) {
        const std::string e2 = input_error_of([&] { make_trainer(c, o); });
        EXPECT_NE(e2.find("runtime.precision"), std::string::npos) << e2;
    }
}

TEST(LossScaler, SkipsAndHalvesOnOverflowThenGrowsAfterCleanSteps) {
    LossScaler s(1024.0, /*growth_interval=*/3);
    // Clean gradients are divided by the scale.
    torch::Tensor p = torch::zeros({4}, torch::requires_grad());
    p.mutable_grad() = torch::full({4}, 2048.0);
    EXPECT_TRUE(s.unscale({p}));
    EXPECT_TRUE(torch::allclose(p.grad(), torch::full({4}, 2.0)));
    EXPECT_TRUE(s.update(true));
    EXPECT_EQ(s.scale(), 1024.0);
    EXPECT_EQ(s.clean_steps(), 1);

    // inf or NaN anywhere: not finite, the step is skipped, the scale halves, the count restarts.
    for (const double bad : {INFINITY, NAN}) {
        torch::Tensor q = torch::zeros({3}, torch::requires_grad());
        q.mutable_grad() = torch::tensor({1.0, bad, 1.0}).to(torch::kFloat);
        const double before = s.scale();
        EXPECT_FALSE(s.unscale({p, q}));
        EXPECT_FALSE(s.update(false));
        EXPECT_EQ(s.scale(), before / 2);
        EXPECT_EQ(s.clean_steps(), 0);
    }
    EXPECT_EQ(s.skipped_steps(), 2);
    // growth_interval clean steps in a row double it.
    const double low = s.scale();
    EXPECT_TRUE(s.update(true));
    EXPECT_TRUE(s.update(true));
    EXPECT_EQ(s.scale(), low);
    EXPECT_TRUE(s.update(true));
    EXPECT_EQ(s.scale(), 2 * low);
    EXPECT_EQ(s.clean_steps(), 0);
    // The defaults are GradScaler's: 2^16, x2 after 2000 clean steps, x0.5 on overflow.
    LossScaler d;
    EXPECT_EQ(d.scale(), 65536.0);
    for (int i = 0; i < 1999; ++i) d.update(true);
    EXPECT_EQ(d.scale(), 65536.0);
    d.update(true);
    EXPECT_EQ(d.scale(), 131072.0);
    d.restore(512.0, 7); // from a checkpoint
    EXPECT_EQ(d.scale(), 512.0);
    EXPECT_EQ(d.clean_steps(), 7);
}

TEST(Distributed, TheEnvironmentIsReadAsTorchrunWritesIt) {
    {
        ScopedEnv env({{"MASTER_ADDR", "10.0.0.5"},
                       {"MASTER_PORT", "29511"},
                       {"RANK", "3"},
                       {"WORLD_SIZE", "8"},
                       {"LOCAL_RANK", "1"},
                       {"LOCAL_WORLD_SIZE", "2"}});
        const DistributedEnv e = distributed_env_from_environment();
        EXPECT_EQ(e.master_addr, "10.0.0.5");
        EXPECT_EQ(e.master_port, 29511);
        EXPECT_EQ(e.rank, 3);
        EXPECT_EQ(e.world_size, 8);
        EXPECT_EQ(e.local_rank, 1);
        EXPECT_EQ(e.local_world_size, 2);
    }
    {
        ScopedEnv env({{"MASTER_ADDR", "127.0.0.1"},
                       {"MASTER_PORT", "29511"},
                       {"RANK", "1"},
                       {"WORLD_SIZE", "2"},
                       {"LOCAL_RANK", nullptr},
                       {"LOCAL_WORLD_SIZE", nullptr}});
        EXPECT_EQ(distributed_env_from_environment().local_rank, 1); // defaults to RANK
    }
    {
        ScopedEnv env({{"MASTER_ADDR", nullptr}, {"MASTER_PORT", "1"}, {"RANK", "0"}, {"WORLD_SIZE", "2"}});
        EXPECT_NE(input_error_of([] { distributed_env_from_environment(); }).find("MASTER_ADDR"), std::string::npos);
    }
    {
        ScopedEnv env({{"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29511"}, {"RANK", "2"}, {"WORLD_SIZE", "2"}});
        EXPECT_NE(input_error_of([] { distributed_env_from_environment(); }).find("RANK"), std::string::npos);
    }
    {
        ScopedEnv env({{"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "http"}, {"RANK", "0"}, {"WORLD_SIZE", "2"}});
        EXPECT_NE(input_error_of([] { distributed_env_from_environment(); }).find("MASTER_PORT"), std::string::npos);
    }
}

TEST(Distributed, TheGlobalBatchMustSplitEvenlyOverTheRanks) {
    RunConfig c = tiny_lm_config("seqpe");
    c.train.batch_size = 8;
    c.position_encoding.seqpe.shift.layouts = 4;
    EXPECT_NO_THROW(check_shardable(c, 2)); // 2 ranks x 4 examples, 4 layouts each
    EXPECT_NE(input_error_of([&] { check_shardable(c, 3); }).find("train.batch_size"), std::string::npos);
    EXPECT_NE(input_error_of([&] { check_shardable(c, 4); }).find("shift.layouts"), std::string::npos);
    c.position_encoding.seqpe.shift.enabled = false;
    EXPECT_NO_THROW(check_shardable(c, 4));
    c.train.grad_accum = 4;
    EXPECT_NE(input_error_of([&] { check_shardable(c, 4); }).find("grad_accum"), std::string::npos);
}
