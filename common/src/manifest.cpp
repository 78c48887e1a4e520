// Dataset manifest (de)serialisation and validation.
#include "seqpe/common/manifest.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace seqpe {

using nlohmann::json;

const SplitInfo* DatasetManifest::split(const std::string& n) const {
    for (const auto& s : splits)
        if (s.name == n) return &s;
    return nullptr;
}

std::string utc_now_iso() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string manifest_to_json(const DatasetManifest& m) {
    json j;
    j["format"] = m.format;
    j["kind"] = m.kind;
    j["name"] = m.name;
    j["created"] = m.created;
    j["tool_version"] = m.tool_version;
    j["git_commit"] = m.git_commit;
    j["recipe_hash"] = m.recipe_hash;
    j["source"] = m.source;
    j["split_rule"] = m.split_rule;
    j["sources"] = json::array();
    for (const auto& s : m.sources)
        j["sources"].push_back({{"path", s.path}, {"sha256", s.sha256}, {"bytes", s.bytes}});
    if (m.kind != "image") {
        const auto& t = m.tokenizer;
        j["tokenizer"] = {{"type", t.type},
                          {"vocab_size", t.vocab_size},
                          {"model_file", t.model_file},
                          {"pieces_file", t.pieces_file},
                          {"eos_id", t.eos_id},
                          {"bos_id", t.bos_id},
                          {"unk_id", t.unk_id},
                          {"pad_id", t.pad_id}};
        j["token_dtype"] = m.token_dtype;
    } else {
        j["image"] = {{"height", m.image.height},
                      {"width", m.image.width},
                      {"channels", m.image.channels},
                      {"classes", m.image.classes},
                      {"label_dtype", m.image.label_dtype},
                      {"mean", m.image.mean},
                      {"std", m.image.std}};
    }
    json splits = json::object();
    for (const auto& s : m.splits) {
        json o = {{"count", s.count}, {"file", s.file}};
        if (!s.docs_file.empty()) {
            o["documents"] = s.documents;
            o["docs_file"] = s.docs_file;
            o["source_bytes"] = s.source_bytes;
        }
        if (!s.labels_file.empty()) o["labels_file"] = s.labels_file;
        if (!s.tokens_file.empty()) o["tokens_file"] = s.tokens_file;
        if (!s.index_file.empty()) o["index_file"] = s.index_file;
        splits[s.name] = o;
    }
    j["splits"] = splits;
    j["extra"] = json::parse(m.extra_json.empty() ? "{}" : m.extra_json);
    return j.dump(2) + "\n";
}

namespace {

// Reads a required field with a message naming the manifest and the field.
template <class T> T req(const json& j, const char* key, const std::string& where, const std::string& ctx = "") {
    const std::string field = ctx.empty() ? key : ctx + "." + key;
    if (!j.is_object() || !j.contains(key))
        throw InputError(where + ": missing field '" + field +
                         "'; the dataset is incomplete, prepare it again with seqpe-data");
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw InputError(where + ": field '" + field + "' has the wrong type; prepare the dataset again");
    }
}

template <class T> T opt(const json& j, const char* key, T fallback) {
    if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        return fallback;
    }
}

} // namespace

DatasetManifest manifest_from_json(const std::string& text, const std::string& where) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) { // parse errors, and numbers too large to represent
        throw InputError(where + ": not valid JSON (" + std::string(e.what()) +
                         "); prepare the dataset again with seqpe-data");
    }
    if (!j.is_object()) throw InputError(where + ": expected a JSON object");
    DatasetManifest m;
    m.format = req<std::string>(j, "format", where);
    if (m.format != kDatasetFormat)
        throw InputError(where + ": unsupported dataset format '" + m.format + "' (this build reads " + kDatasetFormat +
                         "); prepare the dataset again with this seqpe-data");
    m.kind = req<std::string>(j, "kind", where);
    if (m.kind != "text" && m.kind != "image" && m.kind != "qa")
        throw InputError(where + ": field 'kind' must be text, image or qa, not '" + m.kind + "'");
    m.name = opt<std::string>(j, "name", "");
    m.created = opt<std::string>(j, "created", "");
    m.tool_version = opt<std::string>(j, "tool_version", "");
    m.git_commit = opt<std::string>(j, "git_commit", "");
    m.recipe_hash = opt<std::string>(j, "recipe_hash", "");
    m.source = opt<std::string>(j, "source", "");
    m.split_rule = opt<std::string>(j, "split_rule", "");
    if (j.contains("sources") && j["sources"].is_array())
        for (const auto& s : j["sources"])
            m.sources.push_back(
                {opt<std::string>(s, "path", ""), opt<std::string>(s, "sha256", ""), opt<uint64_t>(s, "bytes", 0)});
    if (m.kind != "image") {
        const json& t = j.contains("tokenizer") ? j["tokenizer"] : json();
        m.tokenizer.type = req<std::string>(t, "type", where, "tokenizer");
        m.tokenizer.vocab_size = req<int64_t>(t, "vocab_size", where, "tokenizer");
        m.tokenizer.model_file = opt<std::string>(t, "model_file", "");
        m.tokenizer.pieces_file = req<std::string>(t, "pieces_file", where, "tokenizer");
        m.tokenizer.eos_id = opt<int64_t>(t, "eos_id", -1);
        m.tokenizer.bos_id = opt<int64_t>(t, "bos_id", -1);
        m.tokenizer.unk_id = opt<int64_t>(t, "unk_id", -1);
        m.tokenizer.pad_id = opt<int64_t>(t, "pad_id", -1);
        if (m.tokenizer.vocab_size < 2 || m.tokenizer.vocab_size > (int64_t(1) << 31))
            throw InputError(where + ": tokenizer.vocab_size " + std::to_string(m.tokenizer.vocab_size) +
                             " is out of range");
        m.token_dtype = req<std::string>(j, "token_dtype", where);
        if (m.token_dtype != "uint16" && m.token_dtype != "uint32")
            throw InputError(where + ": token_dtype must be uint16 or uint32");
        if (m.token_dtype == "uint16" && m.tokenizer.vocab_size > 65536)
            throw InputError(where + ": token_dtype uint16 cannot hold a vocabulary of " +
                             std::to_string(m.tokenizer.vocab_size));
    } else {
        const json& im = j.contains("image") ? j["image"] : json();
        m.image.height = req<int>(im, "height", where, "image");
        m.image.width = req<int>(im, "width", where, "image");
        m.image.channels = req<int>(im, "channels", where, "image");
        m.image.classes = req<std::vector<std::string>>(im, "classes", where, "image");
        m.image.label_dtype = opt<std::string>(im, "label_dtype", "uint8");
        m.image.mean = opt<std::vector<double>>(im, "mean", {});
        m.image.std = opt<std::vector<double>>(im, "std", {});
        if (m.image.mean.size() != size_t(m.image.channels) || m.image.std.size() != size_t(m.image.channels)) {
            m.image.mean.assign(size_t(std::max(m.image.channels, 0)), 0.5);
            m.image.std.assign(size_t(std::max(m.image.channels, 0)), 0.5);
        }
        if (m.image.height <= 0 || m.image.width <= 0 || m.image.height > 8192 || m.image.width > 8192 ||
            (m.image.channels != 1 && m.image.channels != 3))
            throw InputError(where + ": image size " + std::to_string(m.image.height) + "x" +
                             std::to_string(m.image.width) + "x" + std::to_string(m.image.channels) +
                             " is not supported");
        if (m.image.classes.empty() || m.image.classes.size() > 65535)
            throw InputError(where + ": image.classes must list 1..65535 class names");
        if (m.image.label_dtype != "uint8" && m.image.label_dtype != "uint16")
            throw InputError(where + ": image.label_dtype must be uint8 or uint16");
    }
    if (!j.contains("splits") || !j["splits"].is_object() || j["splits"].empty())
        throw InputError(where + ": missing field 'splits'; prepare the dataset again");
    for (auto it = j["splits"].begin(); it != j["splits"].end(); ++it) {
        const std::string ctx = "splits." + it.key();
        SplitInfo s;
        s.name = it.key();
        s.count = req<uint64_t>(it.value(), "count", where, ctx);
        s.file = req<std::string>(it.value(), "file", where, ctx);
        s.documents = opt<uint64_t>(it.value(), "documents", 0);
        s.docs_file = opt<std::string>(it.value(), "docs_file", "");
        s.source_bytes = opt<uint64_t>(it.value(), "source_bytes", 0);
        s.labels_file = opt<std::string>(it.value(), "labels_file", "");
        s.tokens_file = opt<std::string>(it.value(), "tokens_file", "");
        s.index_file = opt<std::string>(it.value(), "index_file", "");
        if (!s.index_file.empty() && s.tokens_file.empty())
            throw InputError(where + ": " + ctx + " has an index_file but no tokens_file; prepare the dataset again");
        for (const std::string* f : {&s.file, &s.docs_file, &s.labels_file, &s.tokens_file, &s.index_file})
            if (f->find('/') != std::string::npos || f->find("..") != std::string::npos)
                throw InputError(where + ": " + ctx + " names a file outside the dataset directory");
        m.splits.push_back(std::move(s));
    }
    if (j.contains("extra") && j["extra"].is_object()) m.extra_json = j["extra"].dump();
    return m;
}

static void check_size(const fs::path& file, uint64_t expected, const std::string& what) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec)
        throw InputError(file.string() + ": missing (" + what +
                         "); the dataset is incomplete, prepare it again with seqpe-data");
    if (size != expected)
        throw InputError(file.string() + ": " + std::to_string(size) + " bytes, but the manifest implies " +
                         std::to_string(expected) + " (" + what +
                         "); the file is truncated or corrupt, prepare the dataset again");
}

// qa: <split>.tokens holds whole tokens; <split>.index holds `count` triples (start, prompt tokens,
// answer tokens) and the last example ends exactly at the end of the tokens file.
static void check_qa_tokens(const fs::path& dir, const SplitInfo& s, int token_bytes) {
    const fs::path tokens = dir / s.tokens_file;
    std::error_code ec;
    const auto tsize = fs::file_size(tokens, ec);
    if (ec)
        throw InputError(tokens.string() + ": missing (" + s.name +
                         " example tokens); the dataset is incomplete, prepare it again with seqpe-data");
    if (tsize % uint64_t(token_bytes) != 0)
        throw InputError(tokens.string() + ": " + std::to_string(tsize) + " bytes, not a whole number of " +
                         std::to_string(token_bytes) +
                         "-byte tokens; the file is truncated or corrupt, prepare the dataset again");
    if (s.index_file.empty()) return;
    const fs::path index = dir / s.index_file;
    check_size(index, s.count * 24, std::to_string(s.count) + " examples of 3 uint64");
    if (s.count == 0) return;
    uint64_t last[3] = {0, 0, 0};
    std::ifstream f(index, std::ios::binary);
    f.seekg(std::streamoff((s.count - 1) * 24));
    if (!f.read(reinterpret_cast<char*>(last), sizeof last))
        throw InputError(index.string() + ": cannot be read; prepare the dataset again");
    if (last[0] + last[1] + last[2] != tsize / uint64_t(token_bytes))
        throw InputError(index.string() + ": the last example ends at token " +
                         std::to_string(last[0] + last[1] + last[2]) + ", but " + tokens.string() + " holds " +
                         std::to_string(tsize / uint64_t(token_bytes)) + " tokens; prepare the dataset again");
}

DatasetManifest read_manifest(const fs::path& dir) {
    const fs::path mpath = dir / "manifest.json";
    std::error_code ec;
    if (!fs::exists(mpath, ec))
        throw InputError(mpath.string() + ": not found; this is not a prepared dataset (run `seqpe data prepare`)");
    DatasetManifest m = manifest_from_json(read_file(mpath), mpath.string());
    for (const auto& s : m.splits) {
        if (m.kind == "text") {
            check_size(dir / s.file, s.count * m.token_bytes(), std::to_string(s.count) + " tokens");
            if (!s.docs_file.empty())
                check_size(dir / s.docs_file, s.documents * 8, std::to_string(s.documents) + " document offsets");
        } else if (m.kind == "image") {
            const uint64_t per = uint64_t(m.image.height) * m.image.width * m.image.channels;
            check_size(dir / s.file, s.count * per, std::to_string(s.count) + " images");
            check_size(dir / s.labels_file, s.count * (m.image.label_dtype == "uint16" ? 2 : 1),
                       std::to_string(s.count) + " labels");
        } else {
            if (!fs::exists(dir / s.file, ec))
                throw InputError((dir / s.file).string() + ": missing; prepare the dataset again");
            if (!s.tokens_file.empty()) check_qa_tokens(dir, s, m.token_bytes());
        }
    }
    if (m.kind != "image" && !m.tokenizer.pieces_file.empty() && !fs::exists(dir / m.tokenizer.pieces_file, ec))
        throw InputError((dir / m.tokenizer.pieces_file).string() + ": missing; prepare the dataset again");
    return m;
}

void write_manifest(const fs::path& dir, const DatasetManifest& m) {
    write_file_atomic(dir / "manifest.json", manifest_to_json(m));
}

} // namespace seqpe
