#pragma once
// Process-wide set-up for programs that run the engine, and facts about the machine.
#include <string>

namespace seqpe {

// Keeps freed memory in the process (glibc would return large buffers to the kernel and fault
// them in again every step) and sets LibTorch's intra-op threads (0 = all cores; LibTorch's own
// default is the physical core count, 1 on some VMs). Call once at program start.
void init_runtime(int threads = 0);

struct RuntimeInfo {
    std::string torch_version;
    int threads = 1;
    int cores = 1;
    bool cuda_built = false;
    int cuda_devices = 0;
    std::string blas; // the libblas the process resolved
};
RuntimeInfo runtime_info();

// Peak resident set size of this process in bytes.
long long peak_rss_bytes();

} // namespace seqpe
