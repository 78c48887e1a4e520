// Config and project files: any bytes -> diagnostics, never a crash, hang or unbounded allocation.
#include "seqpe/config_io.h"
#include "seqpe/options.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    seqpe::RunConfig c;
    (void)seqpe::config_from_json(text, c);
    (void)seqpe::validate(c);
    const auto load = seqpe::parse_project(text, "/fuzz/project.json");
    if (!seqpe::has_errors(load.diagnostics))
        for (const auto& r : load.project.runs) {
            seqpe::RunConfig rc;
            (void)seqpe::project_run_config(load.project, r, rc);
            (void)seqpe::validate(rc);
            (void)seqpe::config_to_json(rc);
        }
    // The --set path: "a.b=value" lines.
    if (size < 256) (void)seqpe::apply_override(c, text);
    return 0;
}
