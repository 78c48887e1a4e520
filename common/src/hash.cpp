// SHA-256 / SHA-512 through OpenSSL's EVP interface.
#include "seqpe/common/hash.h"

#include "seqpe/common/error.h"

#include <fstream>
#include <openssl/evp.h>
#include <vector>

namespace seqpe {

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
        throw RunError("OpenSSL: cannot initialise SHA-256");
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(impl_->ctx);
}

void Sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

static std::string to_hex(const unsigned char* d, unsigned n) {
    static const char* digits = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (unsigned i = 0; i < n; ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    return out;
}

std::string Sha256::hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(impl_->ctx, md, &n);
    return to_hex(md, n);
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes);
    return h.hex();
}

static void digest_file(const std::filesystem::path& path, const EVP_MD* md, unsigned char* out, unsigned* n) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot read " + path.string());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, md, nullptr);
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (in.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(in.gcount()));
    }
    const bool bad = in.bad();
    EVP_DigestFinal_ex(ctx, out, n);
    EVP_MD_CTX_free(ctx);
    if (bad) throw InputError("error while reading " + path.string());
}

std::string sha256_file(const std::filesystem::path& path) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    digest_file(path, EVP_sha256(), md, &n);
    return to_hex(md, n);
}

std::string sha512_integrity_file(const std::filesystem::path& path) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    digest_file(path, EVP_sha512(), md, &n);
    std::string b64(4 * ((n + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), md, static_cast<int>(n));
    b64.resize(static_cast<size_t>(len));
    return "sha512-" + b64;
}

} // namespace seqpe
