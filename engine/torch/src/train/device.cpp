// Device selection, autocast scopes and CUDA allocator statistics.
#include "train/device.h"

#include "seqpe/common/error.h"
#include "seqpe/runtime.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <regex>
#include <torch/cuda.h>
#include <torch/version.h>

#ifdef SEQPE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace seqpe {

torch::Device select_device(const std::string& d, int local_rank) {
    static const std::regex re("cpu|auto|cuda(:[0-9]+)?");
    if (!std::regex_match(d, re))
        throw InputError("runtime.device: '" + d + "' is not a device; use cpu, cuda, cuda:N or auto");
    if (d == "cpu") return torch::kCPU;
    const bool have = torch::cuda::is_available();
    const int64_t rank_index = local_rank >= 0 ? local_rank : 0;
    if (d == "auto")
        return have ? torch::Device(torch::kCUDA, static_cast<torch::DeviceIndex>(rank_index))
                    : torch::Device(torch::kCPU);
    if (!have)
        throw InputError("runtime.device: '" + d + "' was asked for, but " +
                         (at::hasCUDA() ? std::string("no CUDA device is visible")
                                        : std::string("this LibTorch has no CUDA support (build against a CUDA "
                                                      "LibTorch: the cuda preset, docs/SCALE-OUT.md)")) +
                         "; use runtime.device=cpu or auto");
    const int64_t idx = d.size() > 5 ? std::stoll(d.substr(5)) : rank_index;
    const auto count = static_cast<int64_t>(torch::cuda::device_count());
    if (idx >= count)
        throw InputError("runtime.device: cuda:" + std::to_string(idx) + " does not exist (" + std::to_string(count) +
                         " CUDA device" + (count == 1 ? "" : "s") + " visible" +
                         (local_rank >= 0 && d == "cuda" ? "; a distributed job uses cuda:LOCAL_RANK" : "") + ")");
    return torch::Device(torch::kCUDA, static_cast<torch::DeviceIndex>(idx));
}

std::string resolve_precision(const std::string& precision, bool cuda, bool native_bf16) {
    if (precision == "auto") return !cuda && native_bf16 ? "bf16" : "fp32";
    if (precision == "fp16" && !cuda)
        throw InputError("runtime.precision: fp16 autocast needs a CUDA device; on the CPU use bf16 (native on CPUs "
                         "with AVX512-BF16 or AMX), fp32, or auto");
    return precision;
}

std::string effective_precision(const torch::Device& device, const std::string& precision) {
    return resolve_precision(precision, device.is_cuda(), !device.is_cuda() && cpu_has_native_bf16());
}

AutocastScope::AutocastScope(const torch::Device& device, const std::string& precision) {
    if (precision == "fp32" || precision == "auto") return;
    const at::ScalarType dt = precision == "bf16" ? at::kBFloat16 : at::kHalf;
    cuda_ = device.is_cuda();
    if (!cuda_ && dt != at::kBFloat16) return; // fp16 on the CPU is refused by resolve_precision
    active_ = true;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const at::DeviceType type = cuda_ ? at::kCUDA : at::kCPU;
    prev_enabled_ = at::autocast::is_autocast_enabled(type);
    prev_dtype_ = at::autocast::get_autocast_dtype(type);
    at::autocast::set_autocast_dtype(type, dt);
    at::autocast::set_autocast_enabled(type, true);
#else
    if (cuda_) {
        prev_enabled_ = at::autocast::is_enabled();
        prev_dtype_ = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(dt);
        at::autocast::set_enabled(true);
    } else {
        prev_enabled_ = at::autocast::is_cpu_enabled();
        prev_dtype_ = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(dt);
        at::autocast::set_cpu_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (!active_) return;
    // As torch.autocast's __exit__: the cast cache lives until the outermost scope ends.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const at::DeviceType type = cuda_ ? at::kCUDA : at::kCPU;
    at::autocast::set_autocast_enabled(type, prev_enabled_);
    at::autocast::set_autocast_dtype(type, prev_dtype_);
#else
    if (cuda_) {
        at::autocast::set_enabled(prev_enabled_);
        at::autocast::set_autocast_gpu_dtype(prev_dtype_);
    } else {
        at::autocast::set_cpu_enabled(prev_enabled_);
        at::autocast::set_autocast_cpu_dtype(prev_dtype_);
    }
#endif
}

std::optional<GpuMemory> gpu_memory(const torch::Device& device) {
    if (!device.is_cuda()) return std::nullopt;
#ifdef SEQPE_WITH_CUDA
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
    constexpr size_t kAggregate = 0; // StatType::AGGREGATE (the enum moved namespaces across versions)
    constexpr double mb = 1024.0 * 1024.0;
    GpuMemory m;
    m.allocated_mb = static_cast<double>(stats.allocated_bytes[kAggregate].current) / mb;
    m.peak_allocated_mb = static_cast<double>(stats.allocated_bytes[kAggregate].peak) / mb;
    m.reserved_mb = static_cast<double>(stats.reserved_bytes[kAggregate].current) / mb;
    m.peak_reserved_mb = static_cast<double>(stats.reserved_bytes[kAggregate].peak) / mb;
    return m;
#else
    return std::nullopt;
#endif
}

} // namespace seqpe
