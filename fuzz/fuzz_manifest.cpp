// Dataset manifests: any bytes -> a parsed manifest or an InputError.
#include "seqpe/common/error.h"
#include "seqpe/common/manifest.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto m = seqpe::manifest_from_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
        (void)seqpe::manifest_to_json(m);
    } catch (const seqpe::InputError&) {
    }
    return 0;
}
