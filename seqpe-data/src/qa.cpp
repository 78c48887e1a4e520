// QA datasets: RULER-style needle-in-a-haystack (single and multi-key) and passkey retrieval over
// the documents of a prepared text dataset, tokenised with that dataset's own tokenizer. This file:
// options, the source text, the splits and their files; one example's prompt: qa_prompt.cpp.
#include "seqpe/data/qa.h"
#include "qa_prompt.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/text.h"
#include "seqpe/common/token_file.h"
#include "seqpe/common/version.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <limits>
#include <map>
#include <numeric>
#include <set>

namespace seqpe::data {

using namespace qa_gen;

namespace {

constexpr const char* kQaGeneratorId = "qa-ruler/1";
constexpr const char* kNiahNeedle = "One of the special magic numbers for {key} is: {value}.";
constexpr const char* kNiahQuestion =
    "\nWhat is the special magic number for {key} mentioned in the provided text? Answer:";
constexpr const char* kPasskeyNeedle = "The pass key is {value}. Remember it. {value} is the pass key.";
constexpr const char* kPasskeyQuestion = "\nWhat is the pass key? The pass key is";

const char* const kQaSplitRule =
    "Haystacks are contiguous sentences of the source text dataset's documents of the same split role "
    "(documents in the text dataset's split order, joined with a newline): train and valid examples come "
    "from its train and valid documents, every test-<length> split from its test documents.";

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + with.size()))
        s.replace(p, what.size(), with);
    return s;
}

std::string join_ints(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

struct SplitPlan {
    std::string name;
    const Stream* stream = nullptr;
    uint64_t length = 0;
    std::vector<int> depths; // per example; -1 = random
};

void check_options(const QaOptions& o) {
    if (o.task != "niah" && o.task != "passkey")
        throw InputError("--task must be niah or passkey, not '" + o.task + "'");
    auto check_length = [](const std::string& flag, int l) {
        if (l < kQaMinLength)
            throw InputError(flag + " " + std::to_string(l) + " is below the minimum of " +
                             std::to_string(kQaMinLength) + " tokens");
        if (l > kQaMaxLength)
            throw InputError(flag + " " + std::to_string(l) + " is above the maximum of " +
                             std::to_string(kQaMaxLength) + " tokens");
    };
    check_length("--train-length", o.train_length);
    if (o.lengths.empty()) throw InputError("--lengths is empty; give at least one test length, e.g. 256,512");
    for (const int l : o.lengths) check_length("--lengths", l);
    for (size_t i = 0; i < o.lengths.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (o.lengths[i] == o.lengths[j])
                throw InputError("--lengths names " + std::to_string(o.lengths[i]) + " twice");
    if (o.depths.empty()) throw InputError("--depths is empty; give at least one depth in percent, e.g. 0,50,100");
    for (size_t i = 0; i < o.depths.size(); ++i) {
        if (o.depths[i] < 0 || o.depths[i] > 100)
            throw InputError("--depths " + std::to_string(o.depths[i]) + " is not a percentage (0..100)");
        for (size_t j = 0; j < i; ++j)
            if (o.depths[i] == o.depths[j])
                throw InputError("--depths names " + std::to_string(o.depths[i]) + " twice");
    }
    for (const auto& [flag, v] : {std::pair<const char*, int>{"--train-examples", o.train_examples},
                                  {"--valid-examples", o.valid_examples},
                                  {"--test-examples", o.test_examples}})
        if (v < 1 || v > kQaMaxExamples)
            throw InputError(std::string(flag) + " " + std::to_string(v) + " is out of range; use 1.." +
                             std::to_string(kQaMaxExamples));
    if (o.distractors < 0 || o.distractors > kQaMaxDistractors)
        throw InputError("--distractors " + std::to_string(o.distractors) + " is out of range; use 0.." +
                         std::to_string(kQaMaxDistractors));
}

// The text dataset named by --from, or the one `seqpe-data text` makes for the options.
PrepareResult source_dataset(const QaOptions& o, Reporter& rep) {
    if (o.from.empty()) {
        rep.stage("source",
                  "text dataset for --source " + (o.text.source.empty() ? std::string("sotu") : o.text.source));
        return prepare_text(o.text, rep);
    }
    std::error_code ec;
    const fs::path dir = fs::absolute(fs::path(o.from), ec).lexically_normal();
    if (!fs::is_directory(dir, ec))
        throw InputError("--from " + o.from + ": not a folder; pass a text dataset folder made by `seqpe-data text`");
    DatasetManifest m;
    try {
        m = read_manifest(dir);
    } catch (const InputError& e) {
        throw InputError("--from " + o.from + " is not a usable text dataset: " + e.what());
    }
    if (m.kind != "text")
        throw InputError("--from " + o.from + " is a " + m.kind +
                         " dataset, not a text dataset; pass a folder made by `seqpe-data text`");
    rep.stage("source", "text dataset " + dir.string());
    return {dir, true, std::move(m)};
}

// Re-reads the documents of each split role from the text dataset's source folder, checking them
// against the manifest's hashes.
std::array<Stream, 3> read_streams(const PrepareResult& src, Reporter& rep) {
    const DatasetManifest& m = src.manifest;
    nlohmann::json extra;
    try {
        extra = nlohmann::json::parse(m.extra_json);
    } catch (const std::exception&) {
        extra = nlohmann::json::object();
    }
    if (!extra.contains("source_root") || !extra["source_root"].is_string() || !extra.contains("split_documents") ||
        !extra["split_documents"].is_object())
        throw InputError(src.dir.string() + ": the manifest records no source_root/split_documents; prepare the text "
                                            "dataset again with this seqpe-data");
    const fs::path root = extra["source_root"].get<std::string>();
    std::map<std::string, std::string> sha;
    for (const auto& s : m.sources) sha[s.path] = s.sha256;
    std::array<Stream, 3> streams;
    const char* roles[3] = {"train", "valid", "test"};
    size_t total = 0;
    for (const char* r : roles)
        if (extra["split_documents"].contains(r) && extra["split_documents"][r].is_array())
            total += extra["split_documents"][r].size();
    rep.stage("read", "reading " + std::to_string(total) + " documents from " + root.string());
    size_t done = 0;
    for (int i = 0; i < 3; ++i) {
        Stream& st = streams[size_t(i)];
        st.role = roles[i];
        const nlohmann::json& list =
            extra["split_documents"].contains(roles[i]) ? extra["split_documents"][roles[i]] : nlohmann::json::array();
        if (!list.is_array() || list.empty())
            throw InputError(src.dir.string() + ": the text dataset lists no " + st.role +
                             " documents; prepare it again");
        for (const auto& rel_j : list) {
            throw_if_cancelled();
            const std::string rel = rel_j.is_string() ? rel_j.get<std::string>() : std::string();
            const auto it = sha.find(rel);
            if (rel.empty() || it == sha.end())
                throw InputError(src.dir.string() + ": split document '" + rel +
                                 "' is not among the manifest's sources; prepare the text dataset again");
            const fs::path p = root / rel;
            std::error_code ec;
            if (!fs::is_regular_file(p, ec))
                throw InputError(p.string() + ": missing; the text dataset's source files moved or were deleted "
                                              "(prepare it again from where they are now)");
            QaDoc d{rel, read_file(p)};
            if (sha256_hex(d.text) != it->second)
                throw InputError(p.string() + ": changed since the text dataset " + m.name +
                                 " was prepared (sha256 differs); prepare the text dataset again");
            st.docs.push_back(std::move(d));
            rep.progress("read", ++done, total);
        }
    }
    return streams;
}

} // namespace

std::string niah_needle(std::string_view key, std::string_view value) {
    return replace_all(replace_all(kNiahNeedle, "{key}", key), "{value}", value);
}
std::string niah_question(std::string_view key) {
    return replace_all(kNiahQuestion, "{key}", key);
}
std::string passkey_needle(std::string_view value) {
    return replace_all(kPasskeyNeedle, "{value}", value);
}
std::string passkey_question() {
    return kPasskeyQuestion;
}

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
    if (n == 0) throw std::invalid_argument("uniform_below(0)");
    // Accept x >= 2^64 mod n: the accepted range holds a whole number of copies of [0, n).
    const uint64_t threshold = (uint64_t(0) - n) % n;
    for (;;) {
        const uint64_t x = rng();
        if (x >= threshold) return x % n;
    }
}

std::vector<int> parse_int_list(const std::string& flag, const std::string& text) {
    std::vector<int> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        std::string item = text.substr(pos, comma - pos);
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        while (!item.empty() && item.back() == ' ') item.pop_back();
        long long v = 0;
        const auto r = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || r.ec != std::errc() || r.ptr != item.data() + item.size() ||
            v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
            throw InputError(flag + ": '" + item +
                             "' is not a whole number; write a comma-separated list such as 256,512,1024");
        out.push_back(int(v));
        pos = comma + 1;
    }
    return out;
}

std::vector<std::string> key_words(const std::vector<std::string_view>& texts) {
    std::set<std::string> words;
    for (const std::string_view t : texts) {
        size_t i = 0;
        while (i < t.size()) {
            auto letter = [&](size_t p) { return (t[p] >= 'a' && t[p] <= 'z') || (t[p] >= 'A' && t[p] <= 'Z'); };
            if (!letter(i)) {
                ++i;
                continue;
            }
            size_t e = i;
            bool lower = true;
            while (e < t.size() && letter(e)) lower = lower && t[e] >= 'a', ++e;
            if (lower && e - i >= kQaMinKeyLetters && e - i <= kQaMaxKeyLetters) words.emplace(t.substr(i, e - i));
            i = e;
        }
    }
    return {words.begin(), words.end()};
}

namespace {

// What decides the dataset's content besides the sources (its cache key).
std::vector<std::pair<std::string, std::string>> qa_recipe(const QaOptions& o, int distractors,
                                                           const DatasetManifest& tm) {
    const bool niah = o.task == "niah";
    return {
        {"format", kDatasetFormat},
        {"kind", "qa"},
        {"generator", kQaGeneratorId},
        {"task", o.task},
        {"train_length", std::to_string(o.train_length)},
        {"lengths", join_ints(o.lengths)},
        {"depths", join_ints(o.depths)},
        {"distractors", std::to_string(distractors)},
        {"seed", std::to_string(o.seed)},
        {"train_examples", std::to_string(o.train_examples)},
        {"valid_examples", std::to_string(o.valid_examples)},
        {"test_examples", std::to_string(o.test_examples)},
        {"sentence_max_bytes", std::to_string(kQaSentenceMaxBytes)},
        {"needle", niah ? kNiahNeedle : kPasskeyNeedle},
        {"question", niah ? kNiahQuestion : kPasskeyQuestion},
        {"tool_version", kToolVersion},
        {"source_dataset", tm.recipe_hash},
    };
}

// Each sentence's length in tokens (estimated per sentence, in parallel), and each stream's suffix
// sums: how much text follows a sentence.
void measure_sentences(std::array<Stream, 3>& streams, const QaTokenizer& tok, const DatasetManifest& tm,
                       Reporter& rep) {
    size_t nsent = 0;
    for (Stream& st : streams) {
        build_sentences(st);
        nsent += st.sents.size();
    }
    rep.stage("sentences", "measuring " + std::to_string(nsent) + " sentences (" + tm.tokenizer.type + " tokens)");
    {
        std::vector<Sentence*> all;
        all.reserve(nsent);
        for (Stream& st : streams)
            for (Sentence& s : st.sents) all.push_back(&s);
        std::atomic<size_t> measured{0};
        constexpr size_t kChunk = 256;
        const size_t chunks = (all.size() + kChunk - 1) / kChunk;
        parallel_for(chunks, [&](size_t c) {
            throw_if_cancelled();
            const size_t lo = c * kChunk, hi = std::min(all.size(), lo + kChunk);
            for (size_t i = lo; i < hi; ++i) {
                Sentence& s = *all[i];
                if (!tok.bpe()) {
                    s.est = s.text.size() + s.sep.size();
                } else {
                    // SentencePiece's dummy prefix stands for one separating space.
                    const size_t extra = s.sep.empty() ? 0 : s.sep.size() - (s.sep.back() == ' ' ? 1 : 0);
                    s.est = tok.count(s.text) + extra;
                }
            }
            rep.progress("sentences", measured.fetch_add(hi - lo) + (hi - lo), all.size());
        });
        throw_if_cancelled();
    }
    for (Stream& st : streams) {
        st.suffix.assign(st.sents.size() + 1, 0);
        for (size_t i = st.sents.size(); i-- > 0;) st.suffix[i] = st.suffix[i + 1] + st.sents[i].est;
    }
}

// Every requested length must hold the question and needles in at most half of the prompt, and the
// documents of each split must hold enough text to fill it.
void check_lengths(const QaOptions& o, const std::array<Stream, 3>& streams, const QaTokenizer& tok,
                   const std::vector<std::string>& keys, int distractors, const DatasetManifest& tm) {
    const bool niah = o.task == "niah";
    std::string longest = "xxxxxxxxxx";
    if (niah) {
        longest = keys[0];
        for (const auto& k : keys)
            if (k.size() > longest.size()) longest = k;
    }
    const uint64_t fixed = niah ? tok.count(niah_question(longest)) +
                                      uint64_t(distractors + 1) * tok.count_joined(niah_needle(longest, "9999999"))
                                : tok.count(passkey_question()) + tok.count_joined(passkey_needle("99999"));
    const std::string parts =
        niah ? "the question and " + std::to_string(distractors + 1) + " needle" + (distractors ? "s" : "")
             : std::string("the question and the needle");
    auto check_room = [&](const std::string& flag, int l) {
        if (2 * fixed > uint64_t(l))
            throw InputError(flag + " " + std::to_string(l) + " is too short for --task " + o.task + ": " + parts +
                             " take up to " + std::to_string(fixed) +
                             " tokens, and at least half of every prompt must be text; use longer lengths" +
                             (niah && distractors ? " or fewer --distractors" : ""));
    };
    check_room("--train-length", o.train_length);
    for (const int l : o.lengths) check_room("--lengths", l);
    auto check_text = [&](const std::string& flag, int l, const Stream& st, const std::string& use) {
        if (st.total() <= uint64_t(l))
            throw InputError(flag + " " + std::to_string(l) + " is longer than the " + st.role + " documents of " +
                             tm.name + " can fill (" + std::to_string(st.docs.size()) + " document" +
                             (st.docs.size() == 1 ? "" : "s") + ", about " + std::to_string(st.total()) +
                             " tokens of text, " + use + "); use a shorter " + flag +
                             " or a corpus with more held-out text");
    };
    check_text("--train-length", o.train_length, streams[0], "for the train split");
    check_text("--train-length", o.train_length, streams[1], "for the valid split");
    for (const int l : o.lengths) check_text("--lengths", l, streams[2], "for the test splits");
}

// The examples of every split (in parallel), as <split>.jsonl, .tokens and .index in `dir`.
void write_examples(const std::vector<SplitPlan>& plans, const Ctx& ctx, const DatasetManifest& tm, const fs::path& dir,
                    DatasetManifest& m, Reporter& rep) {
    uint64_t total = 0;
    for (const auto& p : plans) total += p.depths.size();
    std::atomic<uint64_t> generated{0};
    const auto t0 = std::chrono::steady_clock::now();
    rep.progress("generate", 0, total);
    for (const SplitPlan& p : plans) {
        std::vector<Example> ex(p.depths.size());
        parallel_for(ex.size(), [&](size_t i) {
            throw_if_cancelled();
            ex[i] = make_example(ctx, *p.stream, p.name, i, p.length, p.depths[i]);
            rep.progress("generate", generated.fetch_add(1) + 1, total);
        });
        throw_if_cancelled();
        std::string jsonl;
        std::vector<uint32_t> tokens;
        std::vector<uint64_t> index;
        index.reserve(ex.size() * 3);
        for (const Example& e : ex) {
            jsonl += e.json;
            jsonl += '\n';
            index.push_back(tokens.size());
            index.push_back(e.prompt.size());
            index.push_back(e.answer.size());
            tokens.insert(tokens.end(), e.prompt.begin(), e.prompt.end());
            tokens.insert(tokens.end(), e.answer.begin(), e.answer.end());
        }
        SplitInfo info;
        info.name = p.name;
        info.count = ex.size();
        info.file = p.name + ".jsonl";
        info.tokens_file = p.name + ".tokens";
        info.index_file = p.name + ".index";
        write_file_atomic(dir / info.file, jsonl);
        write_tokens(dir / info.tokens_file, tokens, tm.token_bytes());
        write_u64(dir / info.index_file, index);
        m.splits.push_back(std::move(info));
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.log("info", "generated " + std::to_string(total) + " examples in " + human_duration(secs));
}

} // namespace

PrepareResult prepare_qa(const QaOptions& o, Reporter& rep) {
    check_options(o);
    const bool niah = o.task == "niah";
    const int distractors = niah ? o.distractors : 0;
    const fs::path cache = resolve_cache(o.cache);
    QaOptions text_opts = o;
    text_opts.text.cache = cache;
    text_opts.text.force = false;
    const PrepareResult src = source_dataset(text_opts, rep);
    const DatasetManifest& tm = src.manifest;

    const std::string hash = recipe_hash(qa_recipe(o, distractors, tm), tm.sources);
    const std::string name = tm.name + "-" + o.task;
    CacheEntry entry(cache, name, hash);
    if (auto hit = entry.lookup(o.force, rep)) return std::move(*hit);
    const fs::path& final_dir = entry.dir();

    // ---- text and tokenizer ----
    std::array<Stream, 3> streams = read_streams(src, rep);
    const QaTokenizer tok(tm, src.dir);
    std::vector<std::string_view> train_texts;
    for (const QaDoc& d : streams[0].docs) train_texts.emplace_back(d.text);
    const std::vector<std::string> keys = niah ? key_words(train_texts) : std::vector<std::string>{};
    if (niah && keys.size() < size_t(distractors + 1))
        throw InputError("the train documents of " + tm.name + " hold only " + std::to_string(keys.size()) +
                         " distinct lowercase words of 4-10 letters, too few keys for " +
                         std::to_string(distractors + 1) + " needles; use fewer --distractors or more text");

    measure_sentences(streams, tok, tm, rep);
    check_lengths(o, streams, tok, keys, distractors, tm);

    // ---- examples ----
    std::vector<SplitPlan> plans;
    plans.push_back({"train", &streams[0], uint64_t(o.train_length), std::vector<int>(size_t(o.train_examples), -1)});
    plans.push_back({"valid", &streams[1], uint64_t(o.train_length), std::vector<int>(size_t(o.valid_examples), -1)});
    for (const int l : o.lengths) {
        SplitPlan p{"test-" + std::to_string(l), &streams[2], uint64_t(l), {}};
        for (const int d : o.depths) p.depths.insert(p.depths.end(), size_t(o.test_examples), d);
        plans.push_back(std::move(p));
    }
    uint64_t total = 0;
    for (const auto& p : plans) total += p.depths.size();
    rep.stage("generate", "generating " + std::to_string(total) + " " + o.task + " examples in " +
                              std::to_string(plans.size()) + " splits");
    make_dirs(final_dir.parent_path());
    TempDir tmp(final_dir);
    DatasetManifest m;
    write_examples(plans, Ctx{&tok, o.task, niah, distractors, o.seed, &keys}, tm, tmp.path(), m, rep);

    // ---- tokenizer files and manifest ----
    rep.stage("write", "writing the manifest");
    write_file_atomic(tmp.path() / tm.tokenizer.pieces_file, read_file(src.dir / tm.tokenizer.pieces_file));
    if (!tm.tokenizer.model_file.empty())
        write_file_atomic(tmp.path() / tm.tokenizer.model_file, read_file(src.dir / tm.tokenizer.model_file));
    entry.stamp(m, "qa");
    m.source = tm.source;
    m.split_rule = kQaSplitRule;
    m.sources = tm.sources;
    m.tokenizer = tm.tokenizer;
    m.token_dtype = tm.token_dtype;
    nlohmann::json test_splits = nlohmann::json::array();
    for (const int l : o.lengths) test_splits.push_back("test-" + std::to_string(l));
    nlohmann::json extra = {
        {"task", o.task},
        {"train_length", o.train_length},
        {"lengths", o.lengths},
        {"depths", o.depths},
        {"distractors", distractors},
        {"seed", o.seed},
        {"source_dataset", {{"name", tm.name}, {"recipe_hash", tm.recipe_hash}, {"path", src.dir.string()}}},
        {"answer_digits", niah ? kNiahDigits : kPasskeyDigits},
        {"examples", {{"train", o.train_examples}, {"valid", o.valid_examples}, {"test_per_depth", o.test_examples}}},
        {"test_splits", test_splits},
        {"needle", niah ? kNiahNeedle : kPasskeyNeedle},
        {"question", niah ? kNiahQuestion : kPasskeyQuestion},
        {"answer", " {value}, then eos"},
        {"sentence_max_bytes", kQaSentenceMaxBytes},
        {"generator", kQaGeneratorId},
        {"index_format",
         "uint64 triples per example: start offset into <split>.tokens, prompt tokens, answer tokens including eos"},
    };
    if (niah) extra["key_words"] = keys.size();
    m.extra_json = extra.dump();
    write_manifest(tmp.path(), m);

    return entry.publish(tmp, o.force);
}

} // namespace seqpe::data
