// IDX image/label files (plain or gzip): headers that claim more than the file holds are refused
// before allocation.
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/data/idx.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("seqpe-fuzz-" + std::to_string(::getpid()) + ".idx");
    seqpe::write_file_atomic(file, std::string_view(reinterpret_cast<const char*>(data), size));
    for (int ndims : {3, 1}) {
        try {
            (void)seqpe::data::read_idx(file, ndims);
        } catch (const seqpe::InputError&) {
        } catch (const seqpe::RunError&) {
        }
    }
    return 0;
}
