#pragma once
// Content hashes (OpenSSL): dataset cache keys, source checksums, config hashes, npm integrity.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace seqpe {

// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    std::string hex(); // finishes the digest; the object must not be updated afterwards

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view bytes);
// Streams the file; throws InputError naming it when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
// npm's "integrity" form: "sha512-" + base64(SHA-512 of the file).
std::string sha512_integrity_file(const std::filesystem::path& path);

} // namespace seqpe
