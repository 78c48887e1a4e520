#pragma once
// IDX files (the MNIST format), plain or gzip-compressed, read with zlib's gzread (which reads
// plain files too). Only unsigned-byte data (type 0x08) is supported: magic 0x00000803 for images
// (3 dims: count, rows, cols) and 0x00000801 for labels (1 dim: count). Headers are checked before
// anything is allocated: dims other than the count must be in 1..4096, and a header that claims more
// data than the file holds is refused (data are read in chunks, never reserved from the claim).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace seqpe::data {

struct IdxHeader {
    uint32_t magic = 0;
    std::vector<uint32_t> dims;
    uint64_t elements() const;
};

struct IdxArray {
    IdxHeader header;
    std::vector<uint8_t> data; // elements() bytes
};

// `ndims`: 3 for images, 1 for labels. Throws InputError naming the file.
IdxHeader read_idx_header(const std::filesystem::path& file, int ndims);
IdxArray read_idx(const std::filesystem::path& file, int ndims);

// Writers for tests and tools: big-endian header + data; gzip-compressed when `gzip`.
void write_idx(const std::filesystem::path& file, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
               bool gzip);

} // namespace seqpe::data
