// Process set-up (memory reuse, threads) and machine facts.
#include "seqpe/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <sys/resource.h>
#include <thread>
#include <torch/cuda.h>
#include <torch/version.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace seqpe {

void reexec_with_passive_openmp(char** argv) {
    const char* policy = std::getenv("OMP_WAIT_POLICY");
    if (policy && *policy) return; // the user's choice, or we already restarted
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv); // returns only on failure: then go on as we are
}

void init_runtime(int threads) {
    // glibc returns freed blocks above the mmap threshold to the kernel at once, and trims the heap
    // top; a training step frees and re-allocates the same large buffers, so each step page-faults
    // them in again (measured: 0.26 s of a 1 s step). Serve everything from the heap and never trim.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads > 0 ? threads : cores);
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xcr0() {
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}
#endif

bool cpu_has_native_bf16() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool yes = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return false; // OSXSAVE
        const uint64_t x = xcr0();
        const bool avx512_os = (x & 0xE6) == 0xE6;              // XMM, YMM, opmask, ZMM state enabled
        const bool amx_os = (x & (3ull << 17)) == (3ull << 17); // TILECFG, TILEDATA
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
        const bool amx_bf16 = d & (1u << 22);
        const bool avx512f = b & (1u << 16);
        unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
        const bool avx512_bf16 = __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) && (a1 & (1u << 5));
        return at::hasMKLDNN() && ((avx512_os && avx512f && avx512_bf16) || (amx_os && amx_bf16));
    }();
    return yes;
#else
    return false; // other architectures: fp32 unless asked for bf16 explicitly
#endif
}

static std::string cpu_brand() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned r[12] = {0};
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000004u) return {};
    for (unsigned i = 0; i < 3; ++i)
        __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    std::string s(reinterpret_cast<const char*>(r), sizeof r);
    s = s.c_str();
    const auto first = s.find_first_not_of(' '), last = s.find_last_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
#else
    return {};
#endif
}

RuntimeInfo runtime_info() {
    RuntimeInfo info;
    info.torch_version = TORCH_VERSION;
    info.threads = at::get_num_threads();
    info.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    info.cpu = cpu_brand();
    info.cpu_bf16 = cpu_has_native_bf16();
    try {
        info.cuda_built = at::hasCUDA();
        info.cuda_devices = static_cast<int>(torch::cuda::device_count());
    } catch (...) {
        info.cuda_devices = 0;
    }
    // Which BLAS did the dynamic linker pick for libblas.so.3? (OpenBLAS vs the 30x slower reference)
    dl_iterate_phdr(
        [](dl_phdr_info* i, size_t, void* data) -> int {
            const std::string name = i->dlpi_name ? i->dlpi_name : "";
            if (name.find("libblas") != std::string::npos || name.find("openblas") != std::string::npos) {
                *static_cast<std::string*>(data) = name;
                return 1;
            }
            return 0;
        },
        &info.blas);
    return info;
}

long long peak_rss_bytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<long long>(ru.ru_maxrss) * 1024;
}

} // namespace seqpe
