// .npy snapshots: any bytes -> a float32 array or an InputError, never an allocation the file
// cannot back.
#include "seqpe/common/error.h"
#include "seqpe/common/npy.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<float> v;
    std::vector<int64_t> shape;
    try {
        seqpe::npy_decode(std::string(reinterpret_cast<const char*>(data), size), "fuzz", v, shape);
    } catch (const seqpe::InputError&) {
    }
    return 0;
}
