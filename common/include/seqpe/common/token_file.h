#pragma once
// Binary split files of a dataset: read-only memory maps (engine) and atomic writers (data tool).
// All multi-byte values are little-endian, which is this platform's native order (checked below).
#include <bit>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace seqpe {

static_assert(std::endian::native == std::endian::little,
              "dataset files are little-endian; a big-endian host needs byte swaps here");

// A read-only memory map of a whole file. Movable, not copyable.
class MappedFile {
public:
    MappedFile() = default;
    explicit MappedFile(const std::filesystem::path& path); // throws InputError naming the path
    ~MappedFile();
    MappedFile(MappedFile&& o) noexcept;
    MappedFile& operator=(MappedFile&& o) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

// Writes token ids as uint16 (bytes_per_token 2) or uint32 (4), atomically. Throws RunError when
// an id does not fit the type.
void write_tokens(const std::filesystem::path& path, std::span<const uint32_t> ids, int bytes_per_token);
void write_u64(const std::filesystem::path& path, std::span<const uint64_t> values);

} // namespace seqpe
