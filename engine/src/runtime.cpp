// Process set-up (memory reuse, threads) and machine facts.
#include "seqpe/runtime.h"

#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <sys/resource.h>
#include <cstdlib>
#include <thread>
#include <unistd.h>
#include <torch/version.h>

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

RuntimeInfo runtime_info() {
    RuntimeInfo info;
    info.torch_version = TORCH_VERSION;
    info.threads = at::get_num_threads();
    info.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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
