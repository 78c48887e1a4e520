// Memory-mapped dataset files and their atomic writers.
#include "seqpe/common/token_file.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace seqpe {

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(errno_message("cannot open " + path.string()));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw InputError(errno_message("cannot stat " + path.string()));
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ::close(fd);
            throw InputError(errno_message("cannot map " + path.string()));
        }
        data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

MappedFile::MappedFile(MappedFile&& o) noexcept : path_(std::move(o.path_)), data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
        path_ = std::move(o.path_);
        data_ = o.data_;
        size_ = o.size_;
        o.data_ = nullptr;
        o.size_ = 0;
    }
    return *this;
}

void write_tokens(const std::filesystem::path& path, std::span<const uint32_t> ids, int bytes_per_token) {
    std::string buf;
    if (bytes_per_token == 2) {
        buf.resize(ids.size() * 2);
        for (size_t i = 0; i < ids.size(); ++i) {
            if (ids[i] > 0xFFFF) throw RunError("token id " + std::to_string(ids[i]) + " does not fit uint16");
            const uint16_t v = static_cast<uint16_t>(ids[i]);
            std::memcpy(buf.data() + 2 * i, &v, 2);
        }
    } else {
        buf.resize(ids.size() * 4);
        std::memcpy(buf.data(), ids.data(), ids.size() * 4);
    }
    write_file_atomic(path, buf);
}

void write_u64(const std::filesystem::path& path, std::span<const uint64_t> values) {
    write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * 8));
}

} // namespace seqpe
