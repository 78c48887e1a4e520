#pragma once
// NumPy .npy files of float32 (little-endian, C order): snapshots and exported matrices that
// Python reads with numpy.load. Version 1.0 headers.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace seqpe {

std::string npy_encode(const std::vector<float>& data, const std::vector<int64_t>& shape);
void write_npy(const std::filesystem::path& path, const std::vector<float>& data, const std::vector<int64_t>& shape);
// Throws InputError naming `where` for anything but a float32 C-order array whose size matches.
void npy_decode(const std::string& bytes, const std::string& where, std::vector<float>& data,
                std::vector<int64_t>& shape);
void read_npy(const std::filesystem::path& path, std::vector<float>& data, std::vector<int64_t>& shape);

} // namespace seqpe
