// Metrics records (one JSON line each, the files other programs and killed runs leave behind).
#include "seqpe/common/error.h"
#include "seqpe/evaluate.h"
#include "seqpe/records.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        if (auto r = seqpe::record_from_json(text.substr(start, nl - start))) (void)seqpe::record_to_json(*r);
        start = nl + 1;
    }
    try {
        (void)seqpe::eval_report_from_json(text, "fuzz");
    } catch (const seqpe::InputError&) {
    }
    return 0;
}
