// Text datasets: document checks, the fixed split rule, SentencePiece BPE / byte tokenisation,
// split files and the manifest.
#include "seqpe/data/text.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/text.h"
#include "seqpe/common/token_file.h"
#include "seqpe/common/version.h"
#include "seqpe/data/fetch.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <regex>
#include <thread>
#include <unordered_map>

namespace seqpe::data {

const char* const kTextSplitRuleId = "text-doc-mod10/1";
const char* const kTextSplitRule =
    "Documents (one per .txt file) are sorted by relative path and numbered from 0; document i goes to "
    "valid when i mod 10 = 5, to test when i mod 10 = 9, and to train otherwise. With fewer than 10 "
    "documents the last goes to test, the second-to-last to valid and the rest to train.";

namespace {
constexpr size_t kSentenceMaxBytes = 2000; // SentencePiece drops training sentences over 4192 bytes
constexpr unsigned kSpmSeed = 20240601;
} // namespace

const char* split_name(Split s) {
    switch (s) {
    case Split::Train:
        return "train";
    case Split::Valid:
        return "valid";
    case Split::Test:
        return "test";
    }
    return "train";
}

Split text_split_of(size_t i, size_t n) {
    if (n < 10) {
        if (i + 1 == n) return Split::Test;
        if (i + 2 == n) return Split::Valid;
        return Split::Train;
    }
    if (i % 10 == 5) return Split::Valid;
    if (i % 10 == 9) return Split::Test;
    return Split::Train;
}

std::vector<int64_t> encode_with_dataset(const fs::path& dir, const std::string& text) {
    const DatasetManifest m = read_manifest(dir);
    if (m.kind != "text")
        throw InputError(dir.string() + " is a " + m.kind + " dataset: only text datasets tokenise text");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError("--text: nothing to tokenise (empty)");
    check_document("--text", text);
    std::vector<int64_t> ids;
    if (m.tokenizer.type == "byte") {
        for (const unsigned char c : text) ids.push_back(c);
        return ids;
    }
    sentencepiece::SentencePieceProcessor sp;
    if (const auto st = sp.Load((dir / m.tokenizer.model_file).string()); !st.ok())
        throw InputError("cannot load the tokenizer " + (dir / m.tokenizer.model_file).string() + ": " + st.message());
    std::vector<int> out;
    if (const auto st = sp.Encode(text, &out); !st.ok()) throw RunError(std::string("SentencePiece: ") + st.message());
    ids.assign(out.begin(), out.end());
    return ids;
}

// Whether a code point carries no text: Unicode white space, byte-order mark and zero-width
// characters, C0 and C1 controls.
static bool no_text(uint32_t cp) {
    if (cp < 0x20 || cp == 0x20 || (cp >= 0x7f && cp <= 0xa0)) return true;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
        cp == 0x205f || cp == 0x2060 || cp == 0x3000 || cp == 0xfeff)
        return true;
    return false;
}

void check_document(const std::string& display, std::string_view text) {
    if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
        throw InputError(display + ": not a text file (NUL byte at byte " + std::to_string(nul) +
                         "); remove it, or convert it to UTF-8 text if it is UTF-16");
    if (const auto bad = find_invalid_utf8(text))
        throw InputError(display + ": invalid UTF-8 at byte " + std::to_string(*bad) +
                         "; convert it (iconv -f latin1 -t utf-8) or remove it");
    if (text.empty()) throw InputError(display + ": empty; remove it");
    // Valid UTF-8 from here: decode and look for one code point that is text.
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = p[i];
        const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3Fu);
        if (!no_text(cp)) return;
        i += len;
    }
    throw InputError(display +
                     ": holds no text (only white space, a byte-order mark or control characters); remove it");
}

std::vector<std::pair<std::string, std::string>> bpe_trainer_options() {
    return {
        {"model_type", "bpe"},
        {"byte_fallback", "true"},
        {"character_coverage", "0.9995"},
        {"normalization_rule_name", "identity"},
        {"remove_extra_whitespaces", "false"},
        {"add_dummy_prefix", "true"},
        {"split_digits", "false"},
        {"unk_id", "0"},
        {"bos_id", "1"},
        {"eos_id", "2"},
        {"pad_id", "-1"},
        {"input_sentence_size", "2000000"},
        {"shuffle_input_sentence", "true"},
        {"max_sentence_length", "4192"},
        {"hard_vocab_limit", "true"},
    };
}

namespace {

// Feeds SentencePiece the sentences of the training documents without copying the corpus.
class DocSentences : public sentencepiece::SentenceIterator {
public:
    explicit DocSentences(const std::vector<std::string_view>& docs) : docs_(docs) {
        if (!docs_.empty()) sentences_ = split_sentences(docs_[0], kSentenceMaxBytes);
        settle();
    }
    bool done() const override { return cancelled_ || doc_ >= docs_.size(); }
    void Next() override {
        ++k_;
        settle();
    }
    const std::string& value() const override { return current_; }
    sentencepiece::util::Status status() const override {
        if (cancelled_) return {sentencepiece::util::StatusCode::kCancelled, "cancelled"};
        return {};
    }
    uint64_t count() const { return count_; }

private:
    void settle() {
        while (doc_ < docs_.size() && k_ >= sentences_.size()) {
            ++doc_;
            k_ = 0;
            sentences_.clear();
            if (doc_ < docs_.size()) sentences_ = split_sentences(docs_[doc_], kSentenceMaxBytes);
        }
        if (cancel_requested()) cancelled_ = true;
        if (!done()) {
            current_.assign(sentences_[k_]);
            ++count_;
        }
    }

    const std::vector<std::string_view>& docs_;
    std::vector<std::string_view> sentences_;
    size_t doc_ = 0;
    size_t k_ = 0;
    std::string current_;
    uint64_t count_ = 0;
    bool cancelled_ = false;
};

struct Doc {
    std::string rel; // generic relative path
    fs::path path;   // absolute
    std::string text;
    std::string sha256;
    Split split = Split::Train;
};

std::string spm_seed_text() {
    return std::to_string(kSpmSeed);
}

} // namespace

std::string train_bpe(const std::vector<std::string_view>& train_docs, int vocab_size, Reporter& rep) {
    std::unordered_map<std::string, std::string> kw;
    for (const auto& [k, v] : bpe_trainer_options()) kw[k] = v;
    kw["vocab_size"] = std::to_string(vocab_size);
    kw["num_threads"] = std::to_string(thread_count());
    // SentencePiece logs every step to stderr; keep errors only unless asked.
    const char* spm_log = std::getenv("SEQPE_DATA_SPM_LOG");
    kw["minloglevel"] = (spm_log && *spm_log && std::string(spm_log) != "0") ? "0" : "2";
    sentencepiece::SetRandomGeneratorSeed(kSpmSeed);

    DocSentences it(train_docs);
    std::string serialized;
    const auto status = sentencepiece::SentencePieceTrainer::Train(kw, &it, &serialized);
    throw_if_cancelled();
    if (!status.ok()) {
        const std::string msg = status.message();
        std::smatch m;
        if (std::regex_search(
                msg, m, std::regex(R"(Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+))"))) {
            const long most = std::stol(m[2].str());
            if (most < kMinVocab)
                throw InputError("--vocab-size " + std::to_string(vocab_size) +
                                 " is too large for this corpus: its training documents yield only " +
                                 std::to_string(most) + " pieces; add more text or use --tokenizer byte");
            throw InputError("--vocab-size " + std::to_string(vocab_size) +
                             " is too large for this corpus: its training documents yield at most " +
                             std::to_string(most) + " pieces; use --vocab-size " + std::to_string(most) +
                             " or smaller, or add more text");
        }
        if (std::regex_search(msg, m, std::regex(R"(smaller than required_chars\. (\d+) vs (\d+))"))) {
            throw InputError(
                "--vocab-size " + std::to_string(vocab_size) +
                " is too small for this corpus: its characters, the 256 byte pieces and <unk>/<s>/</s> need " +
                m[2].str() + "; use --vocab-size " + m[2].str() + " or larger");
        }
        throw RunError("SentencePiece training failed: " + msg);
    }
    rep.log("info", "SentencePiece read " + std::to_string(it.count()) + " training sentences");
    return serialized;
}

namespace {

// The documents of a text source: every .txt file under its folder, read and hashed.
struct TextSource {
    fs::path root;
    std::string base;  // dataset name stem
    std::string label; // manifest "source"
    std::vector<Doc> docs;
    std::vector<SourceInfo> sources;
    uint64_t bytes = 0;
};

TextSource read_text_source(const std::string& source, const fs::path& cache, Reporter& rep) {
    TextSource t;
    if (source == "sotu") {
        t.root = fetch_sotu(cache, rep).dir;
        t.base = "sotu";
        t.label = "sotu";
    } else {
        std::error_code ec;
        t.root = fs::absolute(fs::path(source), ec).lexically_normal();
        if (!fs::exists(t.root, ec))
            throw InputError(source + ": not found; pass --source sotu or a folder of UTF-8 .txt files");
        if (!fs::is_directory(t.root, ec))
            throw InputError(source + ": not a directory; pass --source sotu or a folder of UTF-8 .txt files");
        t.base = sanitize_name(folder_base_name(t.root));
        t.label = t.root.string();
    }
    const std::vector<fs::path> rels = list_files_recursive(t.root, {".txt"});
    if (rels.empty())
        throw InputError(t.root.string() +
                         ": no .txt files found; pass --source a folder of UTF-8 .txt files (one document per file)");
    if (rels.size() < 3)
        throw InputError(t.root.string() + ": only " + std::to_string(rels.size()) + " document" +
                         (rels.size() == 1 ? "" : "s") +
                         " (.txt files); at least 3 are needed (train, valid and test); add more files");

    rep.stage("hash", "reading " + std::to_string(rels.size()) + " documents from " + t.root.string());
    t.docs.resize(rels.size());
    for (size_t i = 0; i < rels.size(); ++i) {
        throw_if_cancelled();
        Doc& d = t.docs[i];
        d.rel = rels[i].generic_string();
        d.path = t.root / rels[i];
        d.text = read_file(d.path);
        d.sha256 = sha256_hex(d.text);
        d.split = text_split_of(i, rels.size());
        t.sources.push_back({d.rel, d.sha256, d.text.size()});
        t.bytes += d.text.size();
        rep.progress("hash", i + 1, rels.size());
    }
    return t;
}

// What decides the dataset's content besides the sources (its cache key).
std::vector<std::pair<std::string, std::string>> text_recipe(bool bpe, int vocab_size) {
    std::vector<std::pair<std::string, std::string>> recipe = {
        {"format", kDatasetFormat},
        {"kind", "text"},
        {"tokenizer", bpe ? "sentencepiece-bpe" : "byte"},
        {"vocab_size", std::to_string(bpe ? vocab_size : 257)},
        {"image_size", "0"},
        {"split_rule", kTextSplitRuleId},
        {"tool_version", kToolVersion},
    };
    if (bpe) {
        for (const auto& [k, v] : bpe_trainer_options()) recipe.emplace_back("spm." + k, v);
        recipe.emplace_back("spm.seed", spm_seed_text());
        recipe.emplace_back("spm.sentence_max_bytes", std::to_string(kSentenceMaxBytes));
    }
    return recipe;
}

// Every document is checked, and all the bad ones are named with their count, so that one run of
// the tool finds them all.
void check_documents(const TextSource& t, Reporter& rep) {
    rep.stage("check",
              "checking " + std::to_string(t.docs.size()) + " documents (" + human_bytes(double(t.bytes)) + ")");
    std::vector<std::string> bad;
    for (const Doc& d : t.docs) {
        try {
            check_document(d.path.string(), d.text);
        } catch (const InputError& e) {
            bad.push_back(e.what());
        }
    }
    if (bad.size() == 1) throw InputError(bad[0]);
    if (!bad.empty()) {
        std::string list;
        for (size_t i = 0; i < bad.size() && i < 5; ++i) list += (i ? "; " : "") + bad[i];
        throw InputError(std::to_string(bad.size()) + " of " + std::to_string(t.docs.size()) +
                         " documents cannot be used: " + list +
                         (bad.size() > 5 ? "; and " + std::to_string(bad.size() - 5) + " more" : ""));
    }
    std::array<size_t, 3> ndocs{};
    for (const Doc& d : t.docs) ++ndocs[size_t(d.split)];
    rep.stage("split", std::to_string(t.docs.size()) + " documents: " + std::to_string(ndocs[0]) + " train, " +
                           std::to_string(ndocs[1]) + " valid, " + std::to_string(ndocs[2]) +
                           " test (by document: i mod 10 = 5 valid, 9 test)");
}

// The tokenizer into `dir` (BPE trained on the train split only, or bytes): tokenizer.model,
// pieces.txt and the manifest's tokenizer entry.
void make_tokenizer(const TextSource& t, bool bpe, int vocab_size, const fs::path& dir,
                    sentencepiece::SentencePieceProcessor& sp, DatasetManifest& m, Reporter& rep) {
    std::vector<std::string> pieces;
    if (bpe) {
        std::vector<std::string_view> train_docs;
        uint64_t train_bytes = 0;
        for (const Doc& d : t.docs)
            if (d.split == Split::Train) {
                train_docs.emplace_back(d.text);
                train_bytes += d.text.size();
            }
        rep.stage("tokenizer", "training SentencePiece BPE (vocab " + std::to_string(vocab_size) + ") on " +
                                   std::to_string(train_docs.size()) + " train documents (" +
                                   human_bytes(double(train_bytes)) + ")");
        const auto t0 = std::chrono::steady_clock::now();
        const std::string model = train_bpe(train_docs, vocab_size, rep);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (const auto st = sp.LoadFromSerializedProto(model); !st.ok())
            throw RunError(std::string("cannot load the trained SentencePiece model: ") + st.message());
        write_file_atomic(dir / "tokenizer.model", model);
        const int n = sp.GetPieceSize();
        if (n != vocab_size)
            rep.log("warning",
                    "SentencePiece made " + std::to_string(n) + " pieces instead of " + std::to_string(vocab_size));
        for (int i = 0; i < n; ++i) pieces.push_back(sp.IdToPiece(i));
        rep.stage("tokenizer",
                  "trained the tokenizer in " + human_duration(secs) + " (" + std::to_string(n) + " pieces)");
        m.tokenizer = {"sentencepiece-bpe", n,           "tokenizer.model", "pieces.txt",
                       sp.eos_id(),         sp.bos_id(), sp.unk_id(),       -1};
    } else {
        for (int b = 0; b < 256; ++b) pieces.push_back(byte_piece(static_cast<unsigned char>(b)));
        pieces.emplace_back("</s>");
        m.tokenizer = {"byte", 257, "", "pieces.txt", 256, -1, -1, -1};
    }
    std::string pieces_text;
    for (const auto& p : pieces) {
        if (p.find('\n') != std::string::npos)
            throw RunError("a tokenizer piece contains a newline; cannot write pieces.txt");
        pieces_text += p;
        pieces_text += '\n';
    }
    write_file_atomic(dir / "pieces.txt", pieces_text);
}

// Token ids of every document (in parallel), each ending with the tokenizer's end-of-sequence id.
std::vector<std::vector<uint32_t>> encode_documents(const TextSource& t, bool bpe,
                                                    const sentencepiece::SentencePieceProcessor& sp, uint32_t eos,
                                                    Reporter& rep) {
    rep.stage("encode", "encoding " + std::to_string(t.docs.size()) + " documents");
    test_stall("encode");
    std::vector<std::vector<uint32_t>> ids(t.docs.size());
    std::atomic<uint64_t> encoded{0};
    rep.progress("encode", 0, t.docs.size());
    parallel_for(t.docs.size(), [&](size_t i) {
        throw_if_cancelled();
        std::vector<uint32_t>& out = ids[i];
        if (bpe) {
            std::vector<int> v;
            if (const auto st = sp.Encode(t.docs[i].text, &v); !st.ok())
                throw RunError(t.docs[i].path.string() + ": SentencePiece cannot encode it: " + st.message());
            out.assign(v.begin(), v.end());
        } else {
            out.reserve(t.docs[i].text.size() + 1);
            for (const char c : t.docs[i].text) out.push_back(static_cast<unsigned char>(c));
        }
        out.push_back(eos);
        rep.progress("encode", encoded.fetch_add(1) + 1, t.docs.size());
    });
    throw_if_cancelled();
    return ids;
}

// <split>.tokens and <split>.docs (document offsets) into `dir`, the splits into the manifest;
// returns the documents of each split for the manifest's extra fields.
nlohmann::json write_text_splits(const TextSource& t, const std::vector<std::vector<uint32_t>>& ids,
                                 const fs::path& dir, DatasetManifest& m, Reporter& rep) {
    rep.stage("write", "writing the split files");
    nlohmann::json split_docs = nlohmann::json::object();
    for (const Split s : {Split::Train, Split::Valid, Split::Test}) {
        std::vector<uint32_t> tokens;
        std::vector<uint64_t> offsets;
        SplitInfo info;
        info.name = split_name(s);
        split_docs[info.name] = nlohmann::json::array();
        for (size_t i = 0; i < t.docs.size(); ++i) {
            if (t.docs[i].split != s) continue;
            offsets.push_back(tokens.size());
            tokens.insert(tokens.end(), ids[i].begin(), ids[i].end());
            info.source_bytes += t.docs[i].text.size();
            split_docs[info.name].push_back(t.docs[i].rel);
        }
        info.count = tokens.size();
        info.documents = offsets.size();
        info.file = info.name + ".tokens";
        info.docs_file = info.name + ".docs";
        write_tokens(dir / info.file, tokens, 2);
        write_u64(dir / info.docs_file, offsets);
        m.splits.push_back(std::move(info));
    }
    return split_docs;
}

} // namespace

PrepareResult prepare_text(const TextOptions& o, Reporter& rep) {
    if (o.tokenizer != "bpe" && o.tokenizer != "byte")
        throw InputError("--tokenizer must be bpe or byte, not '" + o.tokenizer + "'");
    const bool bpe = o.tokenizer == "bpe";
    if (bpe && (o.vocab_size < kMinVocab || o.vocab_size > kMaxVocab))
        throw InputError("--vocab-size " + std::to_string(o.vocab_size) + " is out of range; use " +
                         std::to_string(kMinVocab) + ".." + std::to_string(kMaxVocab));
    const fs::path cache = resolve_cache(o.cache);
    const TextSource t = read_text_source((o.source.empty() || o.source == "auto") ? "sotu" : o.source, cache, rep);

    const std::string name = t.base + (bpe ? "-bpe" + std::to_string(o.vocab_size) : "-byte");
    const std::string hash = recipe_hash(text_recipe(bpe, o.vocab_size), t.sources);
    CacheEntry entry(cache, name, hash);
    if (auto hit = entry.lookup(o.force, rep)) return std::move(*hit);

    check_documents(t, rep);
    make_dirs(entry.dir().parent_path());
    TempDir tmp(entry.dir());
    DatasetManifest m;
    sentencepiece::SentencePieceProcessor sp;
    make_tokenizer(t, bpe, o.vocab_size, tmp.path(), sp, m, rep);
    const auto ids = encode_documents(t, bpe, sp, static_cast<uint32_t>(m.tokenizer.eos_id), rep);
    const nlohmann::json split_docs = write_text_splits(t, ids, tmp.path(), m, rep);

    entry.stamp(m, "text");
    m.source = t.label;
    m.split_rule = kTextSplitRule;
    m.sources = t.sources;
    m.token_dtype = "uint16"; // vocab <= 65535 always (kMaxVocab)
    nlohmann::json extra = {{"source_root", t.root.string()}, {"split_documents", split_docs}};
    if (bpe) {
        nlohmann::json opts = nlohmann::json::object();
        for (const auto& [k, v] : bpe_trainer_options()) opts[k] = v;
        opts["seed"] = kSpmSeed;
        opts["training_sentence_max_bytes"] = kSentenceMaxBytes;
        opts["trained_on"] = "train split only";
        extra["tokenizer_options"] = opts;
    }
    m.extra_json = extra.dump();
    write_manifest(tmp.path(), m);
    return entry.publish(tmp, o.force);
}

} // namespace seqpe::data
