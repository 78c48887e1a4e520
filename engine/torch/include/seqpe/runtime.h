#pragma once
// Process-wide set-up for programs that run the engine, and facts about the machine.
#include <string>

namespace seqpe {

// Keeps freed memory in the process (glibc would return large buffers to the kernel and fault
// them in again every step) and sets LibTorch's intra-op threads (0 = all cores; LibTorch's own
// default is the physical core count, 1 on some VMs). Call once at program start.
void init_runtime(int threads = 0);

// OpenMP worker threads spin between parallel regions by default; when other processes want the
// cores (a build, a browser, a second run) a spinning thread holds the core its partner needs and
// a training step slows 10-45x (docs/PERFORMANCE.md). libgomp reads OMP_WAIT_POLICY before main(),
// so a program that wants PASSIVE must restart itself: when the variable is unset, this sets it to
// PASSIVE and re-executes the program with the same arguments (same pid). An explicit
// OMP_WAIT_POLICY (e.g. ACTIVE on a dedicated server) is respected. Call first thing in main().
void reexec_with_passive_openmp(char** argv);

struct RuntimeInfo {
    std::string torch_version;
    int threads = 1;
    int cores = 1;
    bool cuda_built = false;
    int cuda_devices = 0;
    std::string blas;      // the libblas the process resolved
    std::string cpu;       // the processor's brand string (CPUID), empty where unknown
    bool cpu_bf16 = false; // native bf16 arithmetic: what runtime.precision auto uses on the CPU
};
RuntimeInfo runtime_info();

// True when the CPU computes bf16 natively (AVX512-BF16 or AMX-BF16, enabled by the OS) and this
// LibTorch has oneDNN, whose bf16 matrix products use those instructions. Without them oneDNN
// converts to fp32 and bf16 is slower than fp32, so runtime.precision auto stays fp32 there.
bool cpu_has_native_bf16();

// Peak resident set size of this process in bytes.
long long peak_rss_bytes();

} // namespace seqpe
