// safetensors files (`seqpe import`): any bytes -> a validated header whose tensors lie inside the
// data section, or an InputError; a header that claims more bytes than the file holds is refused
// before anything is allocated.
#include "export/safetensors.h"
#include "seqpe/common/error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto h = seqpe::safetensors::parse_safetensors(bytes, "fuzz.safetensors");
        for (const auto& t : h.tensors) // the promise import relies on: every range is readable
            if (t.end < t.begin || h.data_start() + t.end > size) std::abort();
    } catch (const seqpe::InputError&) {
    }
    return 0;
}
