#pragma once
// The safetensors format (https://huggingface.co/docs/safetensors, "Format"):
//   8 bytes   N, the header size, unsigned little-endian
//   N bytes   UTF-8 JSON: {"NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...,
//             "__metadata__": {"key": "value", ...}}, padded with spaces
//   the rest  tensor data, little-endian and contiguous; offsets count from the byte after the header
//             and must cover the data section exactly, with no gap and no overlap.
// Plain bytes only: no torch here (export.cpp converts), so a fuzzer can feed parse_safetensors() any
// input. Every problem is an InputError "WHERE: problem" on one line, and no size read from a file is
// allocated before it has been checked against the bytes that are actually there.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seqpe::safetensors {

enum class DType { Bool, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64 };
const char* dtype_name(DType d); // "F32"
uint64_t dtype_size(DType d);    // bytes per element
std::optional<DType> dtype_from_name(std::string_view s);

inline constexpr uint64_t kMaxHeaderBytes = 100'000'000; // the reference implementation's limit
inline constexpr size_t kMaxDims = 64;

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0; // byte range in the data section
    uint64_t bytes() const { return end - begin; }
};

struct Header {
    std::vector<TensorInfo> tensors;             // sorted by name
    std::map<std::string, std::string> metadata; // "__metadata__"
    uint64_t header_bytes = 0;                   // N
    uint64_t data_bytes = 0;                     // size of the data section
    uint64_t data_start() const { return 8 + header_bytes; }
    const TensorInfo* find(std::string_view name) const;
};

// Validates the JSON header of a file whose data section holds `data_bytes` bytes: JSON syntax,
// fields and types, dtypes, shapes (no overflow), offsets (in range, consistent with the shape,
// covering the data exactly), duplicate names. `where` prefixes every message (the file name).
Header parse_header(std::string_view json, uint64_t data_bytes, const std::string& where);
// Validates a whole file held in memory: header size, then parse_header().
Header parse_safetensors(std::string_view file_bytes, const std::string& where);

// A file on disk: open() reads and validates only the header; tensor data are read on demand.
class Reader {
public:
    explicit Reader(const std::filesystem::path& file);
    const Header& header() const { return header_; }
    const std::filesystem::path& path() const { return path_; }
    uint64_t file_bytes() const { return file_bytes_; }
    // Copies the tensor's t.bytes() bytes into dst (the caller allocated them).
    void read(const TensorInfo& t, void* dst) const;
    std::string read(const TensorInfo& t) const;

private:
    std::filesystem::path path_;
    Header header_;
    uint64_t file_bytes_ = 0;
};

struct TensorData {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const void* data = nullptr; // contiguous, little-endian: product(shape) * dtype_size(dtype) bytes
};

// The header for `tensors` in name order (offsets contiguous in that order) and `metadata`, padded
// with spaces so that 8 + N is a multiple of 8. Throws InputError for empty or duplicate names.
std::string make_header(const std::vector<TensorData>& sorted_tensors,
                        const std::map<std::string, std::string>& metadata);
// Writes a file atomically (temporary sibling, fsync, rename). Tensors are sorted by name.
// Throws InputError for bad names or shapes, RunError naming the file for I/O failures.
void write_file(const std::filesystem::path& file, std::vector<TensorData> tensors,
                const std::map<std::string, std::string>& metadata);

// A name as it may appear in a one-line message: quoted, control characters escaped, shortened.
std::string quote_name(std::string_view name);
std::string shape_string(const std::vector<int64_t>& shape); // "[2, 3]"

} // namespace seqpe::safetensors
