#pragma once
// The dataset directory contract (seqpe-data/README.md): manifest.json plus binary split files, written by
// seqpe-data, read by the engine. Reading validates everything a later step relies on (format
// version, fields, file sizes), so a corrupt dataset is refused with one message naming the file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seqpe {

inline constexpr const char* kDatasetFormat = "seqpe-dataset/1";

struct SourceInfo {
    std::string path;   // relative to the source root
    std::string sha256; // of the file's bytes
    uint64_t bytes = 0;
};

struct TokenizerInfo {
    std::string type; // "sentencepiece-bpe" | "byte"
    int64_t vocab_size = 0;
    std::string model_file;  // "tokenizer.model" (empty for byte)
    std::string pieces_file; // "pieces.txt": one piece per line, id = line number
    int64_t eos_id = -1;     // appended after every document
    int64_t bos_id = -1;
    int64_t unk_id = -1;
    int64_t pad_id = -1;
};

struct SplitInfo {
    std::string name;          // "train" | "valid" | "test"
    uint64_t count = 0;        // tokens (text), images (image), examples (qa)
    uint64_t documents = 0;    // text: documents in the split
    uint64_t source_bytes = 0; // text: UTF-8 bytes of the documents
    std::string file;          // text: <split>.tokens; image: <split>.images; qa: <split>.jsonl
    std::string docs_file;     // text: <split>.docs (uint64 token offsets of document starts)
    std::string labels_file;   // image: <split>.labels
    std::string tokens_file;   // qa: <split>.tokens (concatenated examples)
    std::string index_file;    // qa: <split>.index (uint64 triples per example: start offset into
                               // tokens_file, prompt tokens, answer tokens including eos)
};

struct ImageInfo {
    int height = 0;
    int width = 0;
    int channels = 0;
    std::vector<std::string> classes;
    std::string label_dtype;  // "uint8" | "uint16"
    std::vector<double> mean; // per channel, of the train split, in [0, 1]
    std::vector<double> std;  // per channel, of the train split
};

struct DatasetManifest {
    std::string format = kDatasetFormat;
    std::string kind; // "text" | "image" | "qa"
    std::string name;
    std::string created; // ISO-8601 UTC
    std::string tool_version;
    std::string git_commit;
    std::string recipe_hash; // the cache key: hash of recipe + sources + format
    std::string source;      // what the user named: "sotu", a folder, "fashion-mnist"
    std::string split_rule;  // the documented, fixed split rule
    std::vector<SourceInfo> sources;
    TokenizerInfo tokenizer; // text and qa
    std::string token_dtype; // "uint16" (vocab <= 65535) | "uint32"
    std::vector<SplitInfo> splits;
    ImageInfo image;               // image only
    std::string extra_json = "{}"; // kind-specific extras (qa: task, lengths, depths)

    const SplitInfo* split(const std::string& name) const;
    int token_bytes() const { return token_dtype == "uint32" ? 4 : 2; }
};

std::string manifest_to_json(const DatasetManifest& m);
// Parses and checks a manifest text; `where` names the file in messages. Throws InputError.
DatasetManifest manifest_from_json(const std::string& text, const std::string& where);
// Reads <dir>/manifest.json and checks that every split file exists with the size the manifest
// implies. Throws InputError naming the file and what to do.
DatasetManifest read_manifest(const std::filesystem::path& dir);
void write_manifest(const std::filesystem::path& dir, const DatasetManifest& m);

// Current UTC time as ISO-8601 ("2026-11-24T21:14:03Z").
std::string utc_now_iso();

} // namespace seqpe
