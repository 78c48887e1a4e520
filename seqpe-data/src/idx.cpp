// IDX (MNIST format) reader and writer over zlib's gz* functions.
#include "seqpe/data/idx.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/data/util.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>

namespace seqpe::data {

uint64_t IdxHeader::elements() const {
    uint64_t n = dims.empty() ? 0 : 1;
    for (const uint32_t d : dims) n *= d;
    return n;
}

namespace {

constexpr size_t kChunk = size_t(4) << 20;

class GzReader {
public:
    explicit GzReader(const fs::path& file) : file_(file) {
        std::error_code ec;
        if (!fs::exists(file, ec)) throw InputError(file.string() + ": not found");
        if (!fs::is_regular_file(file, ec)) throw InputError(file.string() + ": not a regular file");
        errno = 0;
        f_ = gzopen(file.c_str(), "rb");
        if (!f_) throw InputError(errno_message("cannot open " + file.string()));
        gzbuffer(f_, 1 << 17);
    }
    ~GzReader() {
        if (f_) gzclose(f_);
    }
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    // Reads up to n bytes; fewer only at the end of the data.
    size_t read(void* buf, size_t n) {
        size_t got = 0;
        while (got < n) {
            const unsigned want = static_cast<unsigned>(std::min<size_t>(n - got, size_t(1) << 30));
            const int r = gzread(f_, static_cast<char*>(buf) + got, want);
            if (r < 0) {
                int err = 0;
                const char* msg = gzerror(f_, &err);
                throw InputError(file_.string() + ": corrupt or truncated gzip data (" + (msg ? msg : "zlib error") +
                                 "); copy or download the file again");
            }
            if (r == 0) break;
            got += static_cast<size_t>(r);
        }
        return got;
    }
    bool plain() { return gzdirect(f_) == 1; }

private:
    fs::path file_;
    gzFile f_ = nullptr;
};

uint32_t be32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

IdxHeader parse_header(GzReader& in, const fs::path& file, int ndims) {
    const char* what = ndims == 3 ? "an IDX images file (idx3-ubyte)" : "an IDX labels file (idx1-ubyte)";
    uint8_t head[4];
    if (in.read(head, 4) < 4) throw InputError(file.string() + ": too short for an IDX header; expected " + what);
    IdxHeader h;
    h.magic = be32(head);
    const uint32_t expected = 0x00000800u | uint32_t(ndims);
    if (h.magic != expected)
        throw InputError(file.string() + ": bad magic number " + hex32(h.magic) + " (expected " + hex32(expected) +
                         " for " + what + "); check that this is the right file");
    std::vector<uint8_t> dims(4 * size_t(ndims));
    if (in.read(dims.data(), dims.size()) < dims.size())
        throw InputError(file.string() + ": truncated IDX header; copy or download the file again");
    for (int d = 0; d < ndims; ++d) h.dims.push_back(be32(dims.data() + 4 * d));
    if (h.dims[0] == 0) throw InputError(file.string() + ": the IDX header says the file holds no items");
    for (int d = 1; d < ndims; ++d)
        if (h.dims[d] < 1 || h.dims[d] > 4096)
            throw InputError(file.string() + ": IDX dimension " + std::to_string(d) + " is " +
                             std::to_string(h.dims[d]) + " (must be 1..4096); the file is corrupt or not " + what);
    return h;
}

} // namespace

IdxHeader read_idx_header(const fs::path& file, int ndims) {
    GzReader in(file);
    return parse_header(in, file, ndims);
}

IdxArray read_idx(const fs::path& file, int ndims) {
    GzReader in(file);
    IdxArray a;
    a.header = parse_header(in, file, ndims);
    const uint64_t total = a.header.elements();
    const uint64_t header_bytes = 4 + 4 * uint64_t(ndims);
    auto claim = [&] {
        std::string s = std::to_string(a.header.dims[0]) + (ndims == 3 ? " images of " : " labels");
        if (ndims == 3) s += std::to_string(a.header.dims[1]) + "x" + std::to_string(a.header.dims[2]);
        return s + " (" + std::to_string(total) + " bytes)";
    };
    // An uncompressed file's size is known: refuse a false claim before reading anything.
    if (in.plain()) {
        std::error_code ec;
        const uint64_t size = fs::file_size(file, ec);
        if (!ec && size - header_bytes < total)
            throw InputError(file.string() + ": the header claims " + claim() + " but the file holds only " +
                             std::to_string(size - header_bytes) +
                             " bytes of data; the file is truncated or corrupt, copy or download it again");
    }
    // Grow with the data actually read, never with the claim: a forged header cannot make us
    // allocate more than the file really decompresses to.
    a.data.reserve(static_cast<size_t>(std::min<uint64_t>(total, kChunk)));
    while (a.data.size() < total) {
        throw_if_cancelled();
        const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, total - a.data.size()));
        const size_t old = a.data.size();
        a.data.resize(old + want);
        const size_t got = in.read(a.data.data() + old, want);
        a.data.resize(old + got);
        if (got < want) break;
    }
    if (a.data.size() < total)
        throw InputError(file.string() + ": the header claims " + claim() + " but the file holds only " +
                         std::to_string(a.data.size()) +
                         " bytes of data; the file is truncated or corrupt, copy or download it again");
    uint8_t extra;
    if (in.read(&extra, 1) != 0)
        throw InputError(file.string() + ": has data after the " + claim() +
                         " its header describes; the file is corrupt or not an IDX file");
    return a;
}

void write_idx(const fs::path& file, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data, bool gzip) {
    std::string bytes;
    const uint32_t magic = 0x00000800u | uint32_t(dims.size());
    auto put = [&](uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<char>((v >> s) & 0xFF));
    };
    put(magic);
    for (const uint32_t d : dims) put(d);
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (!gzip) {
        write_file_atomic(file, bytes);
        return;
    }
    gzFile f = gzopen(file.c_str(), "wb");
    if (!f) throw RunError(errno_message("cannot write " + file.string()));
    size_t done = 0;
    while (done < bytes.size()) {
        const unsigned n = static_cast<unsigned>(std::min<size_t>(bytes.size() - done, size_t(1) << 30));
        if (gzwrite(f, bytes.data() + done, n) != int(n)) {
            gzclose(f);
            throw RunError("cannot write " + file.string());
        }
        done += n;
    }
    if (gzclose(f) != Z_OK) throw RunError("cannot write " + file.string());
}

} // namespace seqpe::data
