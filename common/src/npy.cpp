// .npy v1.0: "\x93NUMPY", version 1.0, uint16 header length, a Python-dict header padded with
// spaces to a 64-byte boundary and ending in '\n', then the raw data.
#include "seqpe/common/npy.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <cstring>
#include <regex>

namespace seqpe {

std::string npy_encode(const std::vector<float>& data, const std::vector<int64_t>& shape) {
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i)
        dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    const uint16_t n = static_cast<uint16_t>(header.size());
    out.append(reinterpret_cast<const char*>(&n), 2);
    out += header;
    out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
    return out;
}

void write_npy(const std::filesystem::path& path, const std::vector<float>& data, const std::vector<int64_t>& shape) {
    write_file_atomic(path, npy_encode(data, shape));
}

void npy_decode(const std::string& b, const std::string& where, std::vector<float>& data, std::vector<int64_t>& shape) {
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) throw InputError(where + ": not a .npy file");
    uint16_t n;
    std::memcpy(&n, b.data() + 8, 2);
    if (b[6] != 1 || 10u + n > b.size()) throw InputError(where + ": unsupported or truncated .npy header");
    const std::string header = b.substr(10, n);
    if (header.find("'descr': '<f4'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos)
        throw InputError(where + ": expected a float32 C-order array");
    static const std::regex shape_re("'shape': \\(([0-9, ]*)\\)");
    std::smatch m;
    if (!std::regex_search(header, m, shape_re)) throw InputError(where + ": .npy header has no shape");
    shape.clear();
    int64_t count = 1;
    const std::string dims = m[1];
    size_t pos = 0;
    while (pos < dims.size()) {
        while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
        if (pos >= dims.size()) break;
        int64_t v = 0;
        size_t used = 0;
        while (pos + used < dims.size() && dims[pos + used] >= '0' && dims[pos + used] <= '9') {
            v = v * 10 + (dims[pos + used] - '0');
            if (v > (int64_t(1) << 40)) throw InputError(where + ": .npy shape out of range");
            ++used;
        }
        if (used == 0) throw InputError(where + ": malformed .npy shape");
        if (v > 0 && count > (int64_t(1) << 40) / v) throw InputError(where + ": .npy shape out of range");
        shape.push_back(v);
        count *= v;
        pos += used;
    }
    const size_t bytes = static_cast<size_t>(count) * sizeof(float);
    if (b.size() != 10u + n + bytes)
        throw InputError(where + ": " + std::to_string(b.size() - 10 - n) + " data bytes, the shape needs " +
                         std::to_string(bytes));
    data.resize(static_cast<size_t>(count));
    if (bytes > 0) std::memcpy(data.data(), b.data() + 10 + n, bytes);
}

void read_npy(const std::filesystem::path& path, std::vector<float>& data, std::vector<int64_t>& shape) {
    npy_decode(read_file(path), path.string(), data, shape);
}

} // namespace seqpe
