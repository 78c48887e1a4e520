#pragma once
// Devices, autocast and GPU memory figures: what differs between a CPU and a CUDA LibTorch.
// Everything here compiles against both (API differences are guarded by TORCH_VERSION_*; the
// c10_cuda allocator statistics need SEQPE_WITH_CUDA, which cmake/SeqpeTorch.cmake defines when
// the LibTorch has CUDA).
#include <optional>
#include <string>
#include <torch/types.h>

namespace seqpe {

// runtime.device -> a device: cpu | cuda | cuda:N | auto (CUDA when a device is visible, else the
// CPU). With `local_rank` >= 0 (a distributed job: one GPU per process) "cuda" and "auto" mean
// cuda:local_rank. Throws InputError naming runtime.device when CUDA is asked for but this
// LibTorch has none or no device is visible, or when the index does not exist.
torch::Device select_device(const std::string& name, int local_rank = -1);

// The precision a run computes in, from runtime.precision:
//   auto  bf16 on a CPU with native bf16 instructions (cpu_has_native_bf16), fp32 elsewhere
//         (CUDA included: ask for bf16/fp16 there explicitly);
//   bf16  autocast to bf16 on either device (on a CPU without native bf16 oneDNN emulates it,
//         slower than fp32: the trainer says so in the log);
//   fp16  CUDA only: the CPU has no fp16 autocast, so it is refused (InputError naming the field).
// `native_bf16` is the CPU's answer, passed in so that tests can take both branches.
std::string resolve_precision(const std::string& precision, bool cuda, bool native_bf16);
std::string effective_precision(const torch::Device& device, const std::string& precision);

// Autocast of the forward pass to bf16 (CPU or CUDA) or fp16 (CUDA) (at::autocast, as
// torch.autocast does); a no-op in fp32. Weights, gradients and the optimiser stay fp32; the
// models keep the residual stream, layer norms, softmax and every loss in fp32 themselves
// (autocast's CPU policy would run them in bf16).
class AutocastScope {
public:
    AutocastScope(const torch::Device& device, const std::string& precision);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;
    bool active() const { return active_; }

private:
    bool active_ = false;
    bool cuda_ = false;
    bool prev_enabled_ = false;
    at::ScalarType prev_dtype_ = at::kHalf;
};

struct GpuMemory {
    double allocated_mb = 0, reserved_mb = 0;           // now
    double peak_allocated_mb = 0, peak_reserved_mb = 0; // since the process started
};
// The CUDA caching allocator's figures for `device`; nullopt on the CPU, and in builds without
// the c10_cuda headers (SEQPE_WITH_CUDA undefined).
std::optional<GpuMemory> gpu_memory(const torch::Device& device);

} // namespace seqpe
