// Text datasets: split rule, input checks, BPE and byte tokenisation, the cache.
#include "helpers.h"

#include "seqpe/common/error.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/data/report.h"
#include "seqpe/data/text.h"
#include "seqpe/data/util.h"

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <cstring>
#include <thread>

using namespace seqpe;
using namespace seqpe::data;
using namespace seqpe::test;

namespace {

std::vector<Split> splits_for(size_t n) {
    std::vector<Split> v;
    for (size_t i = 0; i < n; ++i) v.push_back(text_split_of(i, n));
    return v;
}

std::vector<size_t> indices_of(const std::vector<Split>& v, Split s) {
    std::vector<size_t> out;
    for (size_t i = 0; i < v.size(); ++i)
        if (v[i] == s) out.push_back(i);
    return out;
}

// A folder of `n` small, distinct, valid documents.
void make_corpus(const fs::path& dir, int n) {
    for (int i = 0; i < n; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "doc%02d.txt", i);
        write_bytes(dir / name, "Document number " + std::to_string(i) + ". It has some words in it.\n");
    }
}

std::string expect_input_error(const TextOptions& o) {
    Reporter quiet;
    return seqpe::test::expect_input_error([&] { prepare_text(o, quiet); });
}

std::vector<uint16_t> read_u16(const fs::path& p) {
    const std::string b = read_bytes(p);
    std::vector<uint16_t> v(b.size() / 2);
    std::memcpy(v.data(), b.data(), v.size() * 2);
    return v;
}

std::vector<uint64_t> read_u64(const fs::path& p) {
    const std::string b = read_bytes(p);
    std::vector<uint64_t> v(b.size() / 8);
    std::memcpy(v.data(), b.data(), v.size() * 8);
    return v;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

// The documents of one split, in order, as token vectors (eos included) cut at the .docs offsets.
std::vector<std::vector<uint16_t>> split_docs(const fs::path& dir, const SplitInfo& s) {
    const auto tokens = read_u16(dir / s.file);
    const auto offs = read_u64(dir / s.docs_file);
    std::vector<std::vector<uint16_t>> docs;
    for (size_t d = 0; d < offs.size(); ++d) {
        const size_t end = d + 1 < offs.size() ? offs[d + 1] : tokens.size();
        docs.emplace_back(tokens.begin() + long(offs[d]), tokens.begin() + long(end));
    }
    return docs;
}

std::vector<std::string> sorted_txt(const fs::path& dir) {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".txt") v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
}

} // namespace

TEST(DataText, SplitRuleFor23Documents) {
    const auto v = splits_for(23);
    EXPECT_EQ(indices_of(v, Split::Valid), (std::vector<size_t>{5, 15}));
    EXPECT_EQ(indices_of(v, Split::Test), (std::vector<size_t>{9, 19}));
    EXPECT_EQ(indices_of(v, Split::Train),
              (std::vector<size_t>{0, 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 20, 21, 22}));
}

TEST(DataText, SplitRuleForFewerThanTenDocuments) {
    const auto v = splits_for(5);
    EXPECT_EQ(indices_of(v, Split::Train), (std::vector<size_t>{0, 1, 2}));
    EXPECT_EQ(indices_of(v, Split::Valid), (std::vector<size_t>{3}));
    EXPECT_EQ(indices_of(v, Split::Test), (std::vector<size_t>{4}));
    const auto three = splits_for(3);
    EXPECT_EQ(three, (std::vector<Split>{Split::Train, Split::Valid, Split::Test}));
    // 10 documents switch to the modulo rule: 5 valid, 9 test.
    const auto ten = splits_for(10);
    EXPECT_EQ(indices_of(ten, Split::Valid), (std::vector<size_t>{5}));
    EXPECT_EQ(indices_of(ten, Split::Test), (std::vector<size_t>{9}));
}

TEST(DataText, RejectsInvalidUtf8NamingFileAndOffset) {
    ScratchDir tmp;
    make_corpus(tmp / "corpus", 4);
    write_bytes(tmp / "corpus" / "latin1.txt", "Caf\xE9 au lait");
    TextOptions o;
    o.source = (tmp / "corpus").string();
    o.tokenizer = "byte";
    o.cache = tmp / "cache";
    const std::string msg = expect_input_error(o);
    EXPECT_NE(msg.find("latin1.txt"), std::string::npos) << msg;
    EXPECT_NE(msg.find("invalid UTF-8 at byte 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("iconv"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets").empty());
}

TEST(DataText, RejectsEmptyWhitespaceAndNulFiles) {
    {
        ScratchDir tmp;
        make_corpus(tmp / "c", 4);
        write_bytes(tmp / "c" / "blank.txt", " \n\t \r\n");
        TextOptions o{(tmp / "c").string(), "byte", 4096, tmp / "cache", false};
        const std::string msg = expect_input_error(o);
        EXPECT_NE(msg.find("blank.txt: holds no text"), std::string::npos) << msg;
        EXPECT_NE(msg.find("remove it"), std::string::npos) << msg;
    }
    {
        ScratchDir tmp;
        make_corpus(tmp / "c", 4);
        write_bytes(tmp / "c" / "zero.txt", "");
        TextOptions o{(tmp / "c").string(), "byte", 4096, tmp / "cache", false};
        EXPECT_NE(expect_input_error(o).find("zero.txt: empty; remove it"), std::string::npos);
    }
    {
        ScratchDir tmp;
        make_corpus(tmp / "c", 4);
        write_bytes(tmp / "c" / "binary.txt", std::string("ab\0cd", 5));
        TextOptions o{(tmp / "c").string(), "byte", 4096, tmp / "cache", false};
        const std::string msg = expect_input_error(o);
        EXPECT_NE(msg.find("binary.txt: not a text file"), std::string::npos) << msg;
        EXPECT_NE(msg.find("byte 2"), std::string::npos) << msg;
    }
}

TEST(DataText, DocumentsWithoutTextAreNamedWithTheirCountForBothTokenizers) {
    // A byte-order mark alone, Unicode spaces (no-break, ideographic, zero-width), control
    // characters: no text, whatever the bytes; every such document named, with the count.
    for (const char* tok : {"byte", "bpe"}) {
        ScratchDir tmp;
        make_corpus(tmp / "c", 6);
        write_bytes(tmp / "c" / "bom.txt", "\xEF\xBB\xBF");
        write_bytes(tmp / "c" / "spaces.txt", "\xC2\xA0\xE3\x80\x80\xE2\x80\x8B \n");
        write_bytes(tmp / "c" / "controls.txt", "\x01\x02\x1B[0m\x7F\xC2\x85");
        TextOptions o{(tmp / "c").string(), tok, 300, tmp / "cache", false};
        const std::string msg = expect_input_error(o);
        EXPECT_NE(msg.find("2 of 9 documents cannot be used"), std::string::npos) << tok << ": " << msg;
        for (const char* name : {"bom.txt: holds no text", "spaces.txt: holds no text"})
            EXPECT_NE(msg.find(name), std::string::npos) << tok << ": " << msg;
        // "[0m" is text: the escape sequence's printable tail makes controls.txt a (useless) text.
        EXPECT_EQ(msg.find("controls.txt"), std::string::npos) << msg;
    }
    EXPECT_THROW(check_document("x.txt", "\x01\x02\x7F\xC2\x85"), InputError);
    EXPECT_NO_THROW(check_document("x.txt", "\xEF\xBB\xBFtext after a BOM"));
}

TEST(DataText, CheckDocumentAcceptsUtf8) {
    EXPECT_NO_THROW(check_document("x.txt", "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D"));
    EXPECT_THROW(check_document("x.txt", "\xC3"), InputError);         // truncated sequence
    EXPECT_THROW(check_document("x.txt", "\xED\xA0\x80"), InputError); // surrogate
}

TEST(DataText, RejectsTooFewDocumentsAndBadFolders) {
    ScratchDir tmp;
    make_corpus(tmp / "two", 2);
    TextOptions o{(tmp / "two").string(), "byte", 4096, tmp / "cache", false};
    std::string msg = expect_input_error(o);
    EXPECT_NE(msg.find("only 2 documents"), std::string::npos) << msg;
    EXPECT_NE(msg.find("at least 3"), std::string::npos) << msg;

    fs::create_directories(tmp / "none");
    write_bytes(tmp / "none" / "notes.md", "not a txt");
    o.source = (tmp / "none").string();
    msg = expect_input_error(o);
    EXPECT_NE(msg.find("no .txt files"), std::string::npos) << msg;

    o.source = (tmp / "missing").string();
    EXPECT_NE(expect_input_error(o).find("not found"), std::string::npos);
    o.source = (tmp / "none" / "notes.md").string();
    EXPECT_NE(expect_input_error(o).find("not a directory"), std::string::npos);
    o.source = (tmp / "two").string();
    o.tokenizer = "bpe";
    o.vocab_size = 100;
    EXPECT_NE(expect_input_error(o).find("--vocab-size 100 is out of range"), std::string::npos);
}

TEST(DataText, BpeOnFixtureRoundTrips) {
    ScratchDir tmp;
    TextOptions o;
    o.source = sotu_excerpt().string();
    o.tokenizer = "bpe";
    o.vocab_size = 400;
    o.cache = tmp / "cache";
    Reporter quiet;
    const PrepareResult r = prepare_text(o, quiet);
    EXPECT_FALSE(r.cache_hit);
    const DatasetManifest& m = r.manifest;
    const fs::path dir = r.dir;
    EXPECT_EQ(dir.parent_path(), tmp / "cache" / "datasets");
    EXPECT_EQ(m.format, "seqpe-dataset/1");
    EXPECT_EQ(m.kind, "text");
    EXPECT_EQ(m.name, "sotu-excerpt-bpe400");
    EXPECT_EQ(dir.filename().string(), "sotu-excerpt-bpe400-" + m.recipe_hash.substr(0, 12));
    EXPECT_EQ(m.tokenizer.type, "sentencepiece-bpe");
    EXPECT_EQ(m.tokenizer.vocab_size, 400);
    EXPECT_EQ(m.tokenizer.unk_id, 0);
    EXPECT_EQ(m.tokenizer.bos_id, 1);
    EXPECT_EQ(m.tokenizer.eos_id, 2);
    EXPECT_EQ(m.tokenizer.pad_id, -1);
    EXPECT_EQ(m.token_dtype, "uint16");
    EXPECT_FALSE(m.split_rule.empty());
    EXPECT_FALSE(m.created.empty());
    EXPECT_FALSE(m.tool_version.empty());

    // Sources: every fixture file with its sha256 and size, sorted by path.
    const auto names = sorted_txt(sotu_excerpt());
    ASSERT_EQ(names.size(), 12u);
    ASSERT_EQ(m.sources.size(), 12u);
    for (size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(m.sources[i].path, names[i]);
        EXPECT_EQ(m.sources[i].sha256, sha256_file(sotu_excerpt() / names[i]));
        EXPECT_EQ(m.sources[i].bytes, fs::file_size(sotu_excerpt() / names[i]));
    }

    // 12 documents: index 5 valid, 9 test, the other 10 train.
    ASSERT_NE(m.split("train"), nullptr);
    ASSERT_NE(m.split("valid"), nullptr);
    ASSERT_NE(m.split("test"), nullptr);
    EXPECT_EQ(m.split("train")->documents, 10u);
    EXPECT_EQ(m.split("valid")->documents, 1u);
    EXPECT_EQ(m.split("test")->documents, 1u);

    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load((dir / "tokenizer.model").string()).ok());
    EXPECT_EQ(sp.GetPieceSize(), 400);

    // pieces.txt: one line per id, equal to the model's pieces.
    const auto pieces = lines_of(read_bytes(dir / "pieces.txt"));
    ASSERT_EQ(pieces.size(), 400u);
    for (int i = 0; i < 400; ++i) EXPECT_EQ(pieces[size_t(i)], sp.IdToPiece(i)) << i;

    std::map<std::string, std::vector<std::string>> members = {{"train", {}}, {"valid", {}}, {"test", {}}};
    for (size_t i = 0; i < names.size(); ++i) members[split_name(text_split_of(i, names.size()))].push_back(names[i]);
    for (const auto& s : m.splits) {
        SCOPED_TRACE(s.name);
        EXPECT_EQ(fs::file_size(dir / s.file), s.count * 2);
        EXPECT_EQ(fs::file_size(dir / s.docs_file), s.documents * 8);
        const auto docs = split_docs(dir, s);
        ASSERT_EQ(docs.size(), members[s.name].size());
        EXPECT_EQ(read_u64(dir / s.docs_file).front(), 0u);
        uint64_t bytes = 0;
        for (size_t d = 0; d < docs.size(); ++d) {
            const std::string original = read_bytes(sotu_excerpt() / members[s.name][d]);
            bytes += original.size();
            ASSERT_GE(docs[d].size(), 2u);
            EXPECT_EQ(docs[d].back(), 2) << "every document ends with eos";
            EXPECT_EQ(std::count(docs[d].begin(), docs[d].end(), uint16_t(2)), 1) << "eos only at the end";
            std::vector<int> ids(docs[d].begin(), docs[d].end() - 1);
            std::string back;
            ASSERT_TRUE(sp.Decode(ids, &back).ok());
            EXPECT_EQ(back, original) << members[s.name][d];
            // Encoding again gives the stored ids (the tokens are SentencePiece's, not ad hoc).
            std::vector<int> again;
            ASSERT_TRUE(sp.Encode(original, &again).ok());
            EXPECT_EQ(again, ids);
        }
        EXPECT_EQ(s.source_bytes, bytes);
    }
    // The manifest on disk reads back the same through the engine's reader.
    EXPECT_NO_THROW(read_manifest(dir));
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets") == std::vector<std::string>{dir.filename().string()});
}

TEST(DataText, BpeVocabularyTooLargeOrTooSmallIsInputError) {
    ScratchDir tmp;
    TextOptions o{sotu_excerpt().string(), "bpe", 20000, tmp / "cache", false};
    std::string msg = expect_input_error(o);
    EXPECT_NE(msg.find("--vocab-size 20000 is too large"), std::string::npos) << msg;
    EXPECT_NE(msg.find("or smaller"), std::string::npos) << msg;
    // A failing preparation leaves neither a dataset nor a temporary folder.
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets").empty());

    o.vocab_size = 260;
    msg = expect_input_error(o);
    EXPECT_NE(msg.find("--vocab-size 260 is too small"), std::string::npos) << msg;
    EXPECT_NE(msg.find("or larger"), std::string::npos) << msg;
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets").empty());
}

TEST(DataText, ByteTokensAreTheBytes) {
    ScratchDir tmp;
    copy_txt(sotu_excerpt(), tmp / "corpus");
    write_bytes(tmp / "corpus" / "2022_unicode.txt",
                "Caf\xC3\xA9, na\xC3\xAFve \xE2\x80\x94 \xF0\x9F\x98\x80 end\n\ttab");
    TextOptions o{(tmp / "corpus").string(), "byte", 4096, tmp / "cache", false};
    Reporter quiet;
    const PrepareResult r = prepare_text(o, quiet);
    const auto& m = r.manifest;
    EXPECT_EQ(m.name, "corpus-byte");
    EXPECT_EQ(m.tokenizer.type, "byte");
    EXPECT_EQ(m.tokenizer.vocab_size, 257);
    EXPECT_EQ(m.tokenizer.eos_id, 256);
    EXPECT_EQ(m.tokenizer.bos_id, -1);
    EXPECT_EQ(m.tokenizer.unk_id, -1);
    EXPECT_TRUE(m.tokenizer.model_file.empty());
    EXPECT_FALSE(fs::exists(r.dir / "tokenizer.model"));
    const auto pieces = lines_of(read_bytes(r.dir / "pieces.txt"));
    ASSERT_EQ(pieces.size(), 257u);
    EXPECT_EQ(pieces[65], "A");
    EXPECT_EQ(pieces[32], "\xE2\x96\x81");
    EXPECT_EQ(pieces[10], "<0x0A>");
    EXPECT_EQ(pieces[256], "</s>");

    const auto names = sorted_txt(tmp / "corpus");
    ASSERT_EQ(names.size(), 13u);
    std::map<std::string, std::vector<std::string>> members;
    for (size_t i = 0; i < names.size(); ++i) members[split_name(text_split_of(i, names.size()))].push_back(names[i]);
    uint64_t total = 0;
    for (const auto& s : m.splits) {
        const auto docs = split_docs(r.dir, s);
        ASSERT_EQ(docs.size(), members[s.name].size());
        for (size_t d = 0; d < docs.size(); ++d) {
            const std::string original = read_bytes(tmp / "corpus" / members[s.name][d]);
            ASSERT_EQ(docs[d].size(), original.size() + 1);
            for (size_t k = 0; k < original.size(); ++k)
                ASSERT_EQ(docs[d][k], static_cast<unsigned char>(original[k])) << members[s.name][d] << " byte " << k;
            EXPECT_EQ(docs[d].back(), 256);
            // The engine's piece-based decoder gives the text back too.
            std::vector<int64_t> ids(docs[d].begin(), docs[d].end());
            EXPECT_EQ(Vocabulary(pieces).decode(ids), original);
        }
        EXPECT_EQ(s.count, s.source_bytes + s.documents);
        total += s.count;
    }
    EXPECT_GT(total, 12u * 2000u);
}

TEST(DataText, SecondRunIsACacheHitAndAChangedFileIsNot) {
    ScratchDir tmp;
    copy_txt(sotu_excerpt(), tmp / "corpus");
    TextOptions o{(tmp / "corpus").string(), "bpe", 400, tmp / "cache", false};
    Reporter quiet;
    const PrepareResult first = prepare_text(o, quiet);
    EXPECT_FALSE(first.cache_hit);
    const std::string manifest = read_bytes(first.dir / "manifest.json");
    const auto mtime = fs::last_write_time(first.dir / "manifest.json");
    const auto tokens_mtime = fs::last_write_time(first.dir / "train.tokens");

    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto t0 = std::chrono::steady_clock::now();
    const PrepareResult second = prepare_text(o, quiet);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(second.cache_hit);
    EXPECT_EQ(second.dir, first.dir);
    EXPECT_EQ(read_bytes(second.dir / "manifest.json"), manifest);
    EXPECT_EQ(fs::last_write_time(second.dir / "manifest.json"), mtime);
    EXPECT_EQ(fs::last_write_time(second.dir / "train.tokens"), tokens_mtime);
    EXPECT_LT(secs, 0.5) << "a cache hit must not retrain or re-encode";

    // Another vocabulary is another dataset.
    TextOptions o2 = o;
    o2.vocab_size = 420;
    const PrepareResult other_vocab = prepare_text(o2, quiet);
    EXPECT_NE(other_vocab.dir, first.dir);

    // One changed byte in one document: another hash, another folder; the old one stays.
    std::string doc = read_bytes(tmp / "corpus" / "1790_george_washington_n.txt");
    doc[10] = doc[10] == 'x' ? 'y' : 'x';
    write_bytes(tmp / "corpus" / "1790_george_washington_n.txt", doc);
    const PrepareResult changed = prepare_text(o, quiet);
    EXPECT_FALSE(changed.cache_hit);
    EXPECT_NE(changed.dir, first.dir);
    EXPECT_NE(changed.manifest.recipe_hash, first.manifest.recipe_hash);
    EXPECT_EQ(changed.manifest.name, first.manifest.name);
    EXPECT_TRUE(fs::exists(first.dir / "manifest.json"));

    // --force rebuilds in place.
    TextOptions forced = o;
    forced.force = true;
    const PrepareResult rebuilt = prepare_text(forced, quiet);
    EXPECT_FALSE(rebuilt.cache_hit);
    EXPECT_EQ(rebuilt.dir, changed.dir);
    EXPECT_NO_THROW(read_manifest(rebuilt.dir));
    // Nothing temporary is left behind.
    for (const auto& n : list_dir(tmp / "cache" / "datasets")) EXPECT_EQ(n.find(".tmp."), std::string::npos) << n;
}

TEST(DataText, CorruptDatasetFolderIsRebuilt) {
    ScratchDir tmp;
    TextOptions o{sotu_excerpt().string(), "byte", 4096, tmp / "cache", false};
    Reporter quiet;
    const PrepareResult first = prepare_text(o, quiet);
    fs::resize_file(first.dir / "train.tokens", 10); // truncated: read_manifest refuses it
    const PrepareResult again = prepare_text(o, quiet);
    EXPECT_FALSE(again.cache_hit);
    EXPECT_EQ(again.dir, first.dir);
    EXPECT_EQ(fs::file_size(again.dir / "train.tokens"), again.manifest.split("train")->count * 2);
}

TEST(DataText, CancelledPreparationLeavesNoFolder) {
    ScratchDir tmp;
    TextOptions o{sotu_excerpt().string(), "byte", 4096, tmp / "cache", false};
    Reporter quiet;
    request_cancel();
    EXPECT_THROW(prepare_text(o, quiet), Cancelled);
    reset_cancel();
    EXPECT_TRUE(list_dir(tmp / "cache" / "datasets").empty());
}

TEST(DataText, NamesAndStaleTemps) {
    EXPECT_EQ(sanitize_name("My Corpus (v2)"), "My-Corpus-v2");
    EXPECT_EQ(sanitize_name("..."), "data");
    EXPECT_EQ(folder_base_name("/a/b/corpus/"), "corpus");
    ScratchDir tmp;
    // A temp folder of a process that no longer exists is removed; ours and foreign names stay.
    fs::create_directories(tmp / "x-abc.tmp.999999999.0");
    fs::create_directories(tmp / ("x-abc.tmp." + std::to_string(::getpid()) + ".0"));
    fs::create_directories(tmp / "x-abc");
    fs::create_directories(tmp / "a.tmp.999999999.b-byte-0123456789ab"); // a dataset named like a temp
    cleanup_stale_temps(tmp.path());
    EXPECT_EQ(list_dir(tmp.path()), (std::vector<std::string>{"a.tmp.999999999.b-byte-0123456789ab", "x-abc",
                                                              "x-abc.tmp." + std::to_string(::getpid()) + ".0"}));
}
