// safetensors reader and writer on plain bytes (see safetensors.h). The header is parsed with
// nlohmann's SAX interface straight into TensorInfo records: no document tree, nothing nested deeper
// than the format allows, duplicate keys caught (a DOM parser would keep the last one silently).
#include "export/safetensors.h"
#include "seqpe/safetensors_file.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace seqpe::safetensors {

static_assert(std::endian::native == std::endian::little,
              "safetensors data are little-endian; this writer copies tensor memory as is");

namespace {

struct DTypeEntry {
    DType d;
    const char* name;
    uint64_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::Bool, "BOOL", 1}, {DType::U8, "U8", 1},   {DType::I8, "I8", 1},     {DType::I16, "I16", 2},
    {DType::U16, "U16", 2},   {DType::I32, "I32", 4}, {DType::U32, "U32", 4},   {DType::I64, "I64", 8},
    {DType::U64, "U64", 8},   {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8},
};

// Printable ASCII only, at most `max` characters: file content never breaks the one-line rule.
std::string one_line(std::string_view s, size_t max = 160) {
    std::string out;
    for (const char ch : s) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(ch);
        out += (u >= 0x20 && u < 0x7f) ? ch : '?';
    }
    return out;
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) {
    return __builtin_mul_overflow(a, b, &out);
}

std::string range_string(uint64_t b, uint64_t e) {
    return "[" + std::to_string(b) + ", " + std::to_string(e) + "]";
}

using json = nlohmann::json;

// SAX handler: root object -> ("__metadata__" -> object of strings | NAME -> tensor object).
class HeaderSax final : public nlohmann::json_sax<json> {
public:
    HeaderSax(Header& h, std::string where) : h_(h), where_(std::move(where)) {}

    bool null() override { return unexpected("null"); }
    bool boolean(bool) override { return unexpected("a boolean"); }
    bool number_integer(number_integer_t v) override {
        if (v >= 0) return number_unsigned(static_cast<number_unsigned_t>(v));
        return unexpected("a negative number");
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (state_ == S::Shape) {
            if (cur_.shape.size() >= kMaxDims)
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has more than " + std::to_string(kMaxDims) +
                     " dimensions");
            if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has a dimension of " + std::to_string(v) +
                     ", beyond 2^63 - 1");
            cur_.shape.push_back(static_cast<int64_t>(v));
            return true;
        }
        if (state_ == S::Offsets) {
            if (n_offsets_ >= 2)
                fail(where_ + ": data_offsets of " + quote_name(cur_.name) +
                     " has more than two numbers; it must be [begin, end]");
            (n_offsets_++ == 0 ? cur_.begin : cur_.end) = v;
            return true;
        }
        return unexpected("a number");
    }
    bool number_float(number_float_t, const string_t&) override { return unexpected("a fractional number"); }
    bool binary(binary_t&) override { return unexpected("binary data"); }

    bool string(string_t& v) override {
        if (state_ == S::MetaValue) {
            h_.metadata[meta_key_] = v;
            state_ = S::Meta;
            return true;
        }
        if (state_ == S::TensorValue && field_ == F::DType) {
            const auto d = dtype_from_name(v);
            if (!d)
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has the unknown dtype " + quote_name(v) +
                     " (known: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64)");
            cur_.dtype = *d;
            state_ = S::Tensor;
            return true;
        }
        return unexpected("a string");
    }

    bool start_object(std::size_t) override {
        switch (state_) {
        case S::Start:
            state_ = S::Root;
            return true;
        case S::ExpectMeta:
            state_ = S::Meta;
            return true;
        case S::ExpectTensor:
            state_ = S::Tensor;
            return true;
        default:
            return unexpected("an object");
        }
    }
    bool key(string_t& k) override {
        switch (state_) {
        case S::Root:
            if (!names_.insert(k).second)
                fail(where_ + ": the header names " + quote_name(k) + " twice; every tensor name must be unique");
            if (k == "__metadata__") {
                state_ = S::ExpectMeta;
            } else {
                if (k.empty()) fail(where_ + ": the header holds a tensor with an empty name");
                cur_ = TensorInfo{};
                cur_.name = k;
                fields_ = 0;
                n_offsets_ = 0;
                state_ = S::ExpectTensor;
            }
            return true;
        case S::Meta:
            if (h_.metadata.count(k)) fail(where_ + ": __metadata__ holds the key " + quote_name(k) + " twice");
            meta_key_ = k;
            state_ = S::MetaValue;
            return true;
        case S::Tensor: {
            if (k == "dtype")
                field_ = F::DType;
            else if (k == "shape")
                field_ = F::Shape;
            else if (k == "data_offsets")
                field_ = F::Offsets;
            else
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has the unknown field " + quote_name(k) +
                     " (a tensor has dtype, shape and data_offsets)");
            const unsigned bit = 1u << static_cast<unsigned>(field_);
            if (fields_ & bit) fail(where_ + ": tensor " + quote_name(cur_.name) + " has two '" + k + "' fields");
            fields_ |= bit;
            state_ = S::TensorValue;
            return true;
        }
        default:
            return unexpected("a key");
        }
    }
    bool end_object() override {
        switch (state_) {
        case S::Root:
            state_ = S::Done;
            return true;
        case S::Meta:
            state_ = S::Root;
            return true;
        case S::Tensor:
            if (!(fields_ & (1u << static_cast<unsigned>(F::DType))))
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has no dtype");
            if (!(fields_ & (1u << static_cast<unsigned>(F::Shape))))
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has no shape");
            if (!(fields_ & (1u << static_cast<unsigned>(F::Offsets))))
                fail(where_ + ": tensor " + quote_name(cur_.name) + " has no data_offsets");
            h_.tensors.push_back(std::move(cur_));
            state_ = S::Root;
            return true;
        default:
            return unexpected("the end of an object");
        }
    }
    bool start_array(std::size_t) override {
        if (state_ == S::TensorValue && field_ == F::Shape) {
            state_ = S::Shape;
            return true;
        }
        if (state_ == S::TensorValue && field_ == F::Offsets) {
            state_ = S::Offsets;
            return true;
        }
        return unexpected("an array");
    }
    bool end_array() override {
        if (state_ == S::Shape) {
            state_ = S::Tensor;
            return true;
        }
        if (state_ == S::Offsets) {
            if (n_offsets_ != 2)
                fail(where_ + ": data_offsets of " + quote_name(cur_.name) + " has " + std::to_string(n_offsets_) +
                     " numbers; it must be [begin, end]");
            state_ = S::Tensor;
            return true;
        }
        return unexpected("the end of an array");
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        std::string what = ex.what();
        const auto p = what.find("] ");
        if (p != std::string::npos) what = what.substr(p + 2); // drop "[json.exception.parse_error.101]"
        fail(where_ + ": the header is not valid JSON (" + one_line(what) + ")");
        return false;
    }

    bool done() const { return state_ == S::Done; }

private:
    enum class S { Start, Root, ExpectMeta, Meta, MetaValue, ExpectTensor, Tensor, TensorValue, Shape, Offsets, Done };
    enum class F : unsigned { DType = 0, Shape = 1, Offsets = 2 };

    [[noreturn]] void fail(const std::string& msg) const { throw InputError(msg); }
    bool unexpected(const char* what) const {
        switch (state_) {
        case S::Start:
            fail(where_ + ": the header is not a JSON object (found " + what + ")");
        case S::ExpectMeta:
            fail(where_ + ": __metadata__ is " + what + ", not an object of strings");
        case S::Meta:
        case S::MetaValue:
            fail(where_ + ": __metadata__ value of " + quote_name(meta_key_) + " is " + what + ", not a string");
        case S::ExpectTensor:
            fail(where_ + ": " + quote_name(cur_.name) + " is " + what +
                 ", not an object with dtype, shape and data_offsets");
        case S::TensorValue:
            if (field_ == F::DType)
                fail(where_ + ": dtype of " + quote_name(cur_.name) + " is " + what + ", not a string");
            if (field_ == F::Shape)
                fail(where_ + ": shape of " + quote_name(cur_.name) + " is " + what + ", not an array");
            fail(where_ + ": data_offsets of " + quote_name(cur_.name) + " is " + what + ", not [begin, end]");
        case S::Shape:
            fail(where_ + ": shape of " + quote_name(cur_.name) + " holds " + what +
                 "; it must hold non-negative integers");
        case S::Offsets:
            fail(where_ + ": data_offsets of " + quote_name(cur_.name) + " holds " + what +
                 "; it must hold two non-negative integers");
        default:
            fail(where_ + ": unexpected " + what + " in the header");
        }
    }

    Header& h_;
    std::string where_;
    S state_ = S::Start;
    F field_ = F::DType;
    unsigned fields_ = 0;
    int n_offsets_ = 0;
    TensorInfo cur_;
    std::string meta_key_;
    std::set<std::string> names_;
};

// Shapes against offsets, offsets against the data section: in range, no gap, no overlap.
void check_layout(Header& h, const std::string& where) {
    for (const auto& t : h.tensors) {
        uint64_t n = 1;
        for (const int64_t d : t.shape)
            if (mul_overflows(n, static_cast<uint64_t>(d), n))
                throw InputError(where + ": the shape " + shape_string(t.shape) + " of " + quote_name(t.name) +
                                 " has more elements than fit in 64 bits");
        uint64_t bytes = 0;
        if (mul_overflows(n, dtype_size(t.dtype), bytes))
            throw InputError(where + ": the shape " + shape_string(t.shape) + " of " + quote_name(t.name) +
                             " needs more bytes than fit in 64 bits");
        if (t.end < t.begin)
            throw InputError(where + ": data_offsets " + range_string(t.begin, t.end) + " of " + quote_name(t.name) +
                             " end before they begin");
        if (t.end > h.data_bytes)
            throw InputError(where + ": data_offsets " + range_string(t.begin, t.end) + " of " + quote_name(t.name) +
                             " run past the end of the data (" + std::to_string(h.data_bytes) + " bytes)");
        if (t.end - t.begin != bytes)
            throw InputError(where + ": " + quote_name(t.name) + " (" + dtype_name(t.dtype) + ", shape " +
                             shape_string(t.shape) + ") needs " + std::to_string(bytes) +
                             " bytes but its data_offsets " + range_string(t.begin, t.end) + " cover " +
                             std::to_string(t.end - t.begin));
    }
    std::vector<const TensorInfo*> by_offset;
    by_offset.reserve(h.tensors.size());
    for (const auto& t : h.tensors) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t expected = 0;
    const TensorInfo* prev = nullptr;
    for (const TensorInfo* t : by_offset) {
        if (t->begin < expected)
            throw InputError(where + ": the data of " + quote_name(t->name) + " " + range_string(t->begin, t->end) +
                             " overlaps that of " + quote_name(prev->name) + " " +
                             range_string(prev->begin, prev->end));
        if (t->begin > expected)
            throw InputError(where + ": data bytes [" + std::to_string(expected) + ", " + std::to_string(t->begin) +
                             ") belong to no tensor; the offsets must cover the data without gaps");
        expected = t->end;
        prev = t;
    }
    if (expected != h.data_bytes)
        throw InputError(where + ": the last " + std::to_string(h.data_bytes - expected) + " of " +
                         std::to_string(h.data_bytes) + " data bytes belong to no tensor");
    std::sort(h.tensors.begin(), h.tensors.end(),
              [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
}

uint64_t read_le64(const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void check_header_size(uint64_t n, uint64_t file_bytes, const std::string& where) {
    if (n > kMaxHeaderBytes)
        throw InputError(where + ": header size " + std::to_string(n) +
                         " is over the 100 MB limit; not a safetensors file");
    if (n > file_bytes - 8)
        throw InputError(where + ": header size " + std::to_string(n) + " is larger than the file (" +
                         std::to_string(file_bytes) + " bytes); the file is truncated or not a safetensors file");
}

} // namespace

const char* dtype_name(DType d) {
    for (const auto& e : kDTypes)
        if (e.d == d) return e.name;
    return "?";
}

uint64_t dtype_size(DType d) {
    for (const auto& e : kDTypes)
        if (e.d == d) return e.size;
    return 1;
}

std::optional<DType> dtype_from_name(std::string_view s) {
    for (const auto& e : kDTypes)
        if (s == e.name) return e.d;
    return std::nullopt;
}

const TensorInfo* Header::find(std::string_view name) const {
    auto it = std::lower_bound(tensors.begin(), tensors.end(), name,
                               [](const TensorInfo& t, std::string_view n) { return t.name < n; });
    return it != tensors.end() && it->name == name ? &*it : nullptr;
}

std::string quote_name(std::string_view name) {
    return "'" + one_line(name, 120) + "'";
}

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

Header parse_header(std::string_view text, uint64_t data_bytes, const std::string& where) {
    Header h;
    h.header_bytes = text.size();
    h.data_bytes = data_bytes;
    if (text.empty() || text.front() != '{')
        throw InputError(where + ": the header does not begin with '{'; not a safetensors file");
    HeaderSax sax(h, where);
    json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, /*strict=*/true);
    if (!sax.done()) throw InputError(where + ": the header is not valid JSON (it ends early)");
    check_layout(h, where);
    return h;
}

Header parse_safetensors(std::string_view bytes, const std::string& where) {
    if (bytes.size() < 8)
        throw InputError(where + ": " + std::to_string(bytes.size()) + " bytes, too short for a safetensors file");
    const uint64_t n = read_le64(reinterpret_cast<const unsigned char*>(bytes.data()));
    check_header_size(n, bytes.size(), where);
    return parse_header(bytes.substr(8, static_cast<size_t>(n)), bytes.size() - 8 - n, where);
}

Reader::Reader(const fs::path& file) : path_(file) {
    const std::string where = file.string();
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw InputError(where + ": file not found (or not a regular file)");
    file_bytes_ = fs::file_size(file, ec);
    if (ec) throw InputError(where + ": cannot read: " + ec.message());
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(errno_message("cannot read " + where));
    if (file_bytes_ < 8)
        throw InputError(where + ": " + std::to_string(file_bytes_) + " bytes, too short for a safetensors file");
    unsigned char size_bytes[8];
    in.read(reinterpret_cast<char*>(size_bytes), 8);
    if (!in) throw InputError(where + ": cannot read the header size");
    const uint64_t n = read_le64(size_bytes);
    check_header_size(n, file_bytes_, where);
    std::string text(static_cast<size_t>(n), '\0'); // bounded by the file size and the 100 MB limit
    in.read(text.data(), static_cast<std::streamsize>(n));
    if (!in) throw InputError(where + ": the file ended inside the header; it is truncated");
    header_ = parse_header(text, file_bytes_ - 8 - n, where);
}

void Reader::read(const TensorInfo& t, void* dst) const {
    if (t.bytes() == 0) return;
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw InputError(errno_message("cannot read " + path_.string()));
    in.seekg(static_cast<std::streamoff>(header_.data_start() + t.begin));
    in.read(static_cast<char*>(dst), static_cast<std::streamsize>(t.bytes()));
    if (!in || static_cast<uint64_t>(in.gcount()) != t.bytes())
        throw InputError(path_.string() + ": the file ended inside the data of " + quote_name(t.name) +
                         "; it was truncated after it was opened");
}

std::string Reader::read(const TensorInfo& t) const {
    std::string out(static_cast<size_t>(t.bytes()), '\0');
    read(t, out.data());
    return out;
}

std::string make_header(const std::vector<TensorData>& tensors, const std::map<std::string, std::string>& metadata) {
    auto quoted = [](const std::string& s, const char* what) {
        try {
            return json(s).dump();
        } catch (const std::exception&) {
            throw InputError(std::string(what) + " " + quote_name(s) + " is not valid UTF-8");
        }
    };
    std::string h = "{";
    if (!metadata.empty()) {
        h += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [k, v] : metadata) {
            h += (first ? "" : ",") + quoted(k, "metadata key") + ":" + quoted(v, "metadata value");
            first = false;
        }
        h += "}";
    }
    uint64_t offset = 0;
    std::set<std::string> seen;
    for (const auto& t : tensors) {
        if (t.name.empty() || t.name == "__metadata__")
            throw InputError("cannot write a tensor named " + quote_name(t.name) + " to a safetensors file");
        if (!seen.insert(t.name).second) throw InputError("two tensors are named " + quote_name(t.name));
        uint64_t bytes = dtype_size(t.dtype);
        for (const int64_t d : t.shape)
            if (d < 0 || mul_overflows(bytes, static_cast<uint64_t>(d), bytes))
                throw InputError("tensor " + quote_name(t.name) + " has the invalid shape " + shape_string(t.shape));
        if (h.size() > 1) h += ",";
        h += quoted(t.name, "tensor name") + ":{\"dtype\":\"" + dtype_name(t.dtype) + "\",\"shape\":[";
        for (size_t i = 0; i < t.shape.size(); ++i) h += (i ? "," : "") + std::to_string(t.shape[i]);
        h += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    h += "}";
    while ((8 + h.size()) % 8 != 0) h += ' ';
    return h;
}

void write_file(const fs::path& file, std::vector<TensorData> tensors,
                const std::map<std::string, std::string>& metadata) {
    std::sort(tensors.begin(), tensors.end(), [](const TensorData& a, const TensorData& b) { return a.name < b.name; });
    const std::string header = make_header(tensors, metadata);
    if (file.has_parent_path()) make_dirs(file.parent_path());
    const fs::path tmp = temp_sibling(file);
    try {
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) throw RunError(errno_message("cannot write " + file.string()));
            unsigned char size_bytes[8];
            uint64_t n = header.size();
            for (int i = 0; i < 8; ++i, n >>= 8) size_bytes[i] = static_cast<unsigned char>(n & 0xff);
            out.write(reinterpret_cast<const char*>(size_bytes), 8);
            out.write(header.data(), static_cast<std::streamsize>(header.size()));
            for (const auto& t : tensors) {
                uint64_t bytes = dtype_size(t.dtype);
                for (const int64_t d : t.shape) bytes *= static_cast<uint64_t>(d); // checked in make_header
                if (bytes) out.write(static_cast<const char*>(t.data), static_cast<std::streamsize>(bytes));
            }
            out.flush();
            if (!out) throw RunError(errno_message("cannot write " + file.string()));
        }
        fsync_path(tmp);
        std::error_code ec;
        fs::rename(tmp, file, ec);
        if (ec) throw RunError("cannot replace " + file.string() + ": " + ec.message());
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
}

} // namespace seqpe::safetensors

namespace seqpe {

namespace fs = std::filesystem;

fs::path safetensors_config_path(const fs::path& out_file) {
    return out_file.parent_path() / (out_file.stem().string() + ".config.json");
}

SafetensorsSummary read_safetensors_summary(const fs::path& file) {
    const safetensors::Reader r(file);
    SafetensorsSummary s;
    s.file_bytes = r.file_bytes();
    s.metadata = r.header().metadata;
    for (const auto& t : r.header().tensors)
        s.tensors.push_back({t.name, safetensors::dtype_name(t.dtype), t.shape, t.bytes()});
    return s;
}

} // namespace seqpe
