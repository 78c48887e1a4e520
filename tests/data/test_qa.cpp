// QA datasets (seqpe-data qa): needle placement, prompt lengths, answers, distractors, token files,
// determinism, split disjointness, the cache and bad arguments. Built on the committed fixture corpus
// with the byte tokenizer (one BPE test checks the answer tokens), so the suite stays fast.
#include "helpers.h"

#include "seqpe/common/error.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/data/qa.h"
#include "seqpe/data/report.h"
#include "seqpe/data/text.h"
#include "seqpe/data/util.h"

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <cstring>
#include <regex>
#include <set>

using namespace seqpe;
using namespace seqpe::data;
using namespace seqpe::test;

namespace {

// A byte-level text dataset of the fixture and the QA options used by most tests.
struct QaFixture {
    ScratchDir tmp;
    PrepareResult text;
    QaOptions opts;

    explicit QaFixture(const std::string& tokenizer = "byte") {
        TextOptions t;
        t.source = sotu_excerpt().string();
        t.tokenizer = tokenizer;
        t.vocab_size = 400;
        t.cache = tmp / "cache";
        Reporter quiet;
        text = prepare_text(t, quiet);
        opts.from = text.dir.string();
        opts.cache = tmp / "cache";
        opts.train_length = 512;
        opts.lengths = {512, 1024, 2048};
        opts.train_examples = 24;
        opts.valid_examples = 6;
        opts.test_examples = 3;
        opts.depths = {0, 25, 50, 75, 100};
        opts.distractors = 1;
        opts.seed = 7;
    }

    PrepareResult qa() const { return qa(opts); }
    PrepareResult qa(const QaOptions& o) const {
        Reporter quiet;
        return prepare_qa(o, quiet);
    }
};

std::vector<nlohmann::json> read_jsonl(const fs::path& p) {
    std::vector<nlohmann::json> out;
    const std::string text = read_bytes(p);
    size_t start = 0;
    while (start < text.size()) {
        const size_t nl = text.find('\n', start);
        EXPECT_NE(nl, std::string::npos) << "every line ends with a newline";
        if (nl == std::string::npos) break;
        out.push_back(nlohmann::json::parse(text.substr(start, nl - start)));
        start = nl + 1;
    }
    return out;
}

std::vector<uint32_t> read_tokens(const fs::path& p, const std::string& dtype) {
    const std::string b = read_bytes(p);
    std::vector<uint32_t> v;
    if (dtype == "uint16") {
        std::vector<uint16_t> u(b.size() / 2);
        std::memcpy(u.data(), b.data(), u.size() * 2);
        v.assign(u.begin(), u.end());
    } else {
        v.resize(b.size() / 4);
        std::memcpy(v.data(), b.data(), v.size() * 4);
    }
    return v;
}

std::vector<uint64_t> read_u64s(const fs::path& p) {
    const std::string b = read_bytes(p);
    std::vector<uint64_t> v(b.size() / 8);
    std::memcpy(v.data(), b.data(), v.size() * 8);
    return v;
}

struct Found {
    std::string key, value;
    size_t pos = 0, len = 0;
};

// Every NIAH needle in a prompt.
std::vector<Found> needles_in(const std::string& input) {
    static const std::regex re("One of the special magic numbers for ([a-z]+) is: ([0-9]+)\\.");
    std::vector<Found> out;
    for (auto it = std::sregex_iterator(input.begin(), input.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back({(*it)[1].str(), (*it)[2].str(), size_t(it->position(0)), size_t(it->length(0))});
    return out;
}

// The prompt without the question and the needles (each with its one joining space): the haystack.
std::string haystack_of(const std::string& input, const std::string& question, const std::vector<Found>& needles) {
    EXPECT_GE(input.size(), question.size());
    EXPECT_EQ(input.substr(input.size() - question.size()), question) << "the prompt ends with the question";
    std::string h = input.substr(0, input.size() - question.size());
    for (size_t i = needles.size(); i-- > 0;) {
        const Found& n = needles[i];
        if (n.pos > 0) {
            EXPECT_EQ(h[n.pos - 1], ' ');
            h.erase(n.pos - 1, n.len + 1);
        } else {
            if (n.len < h.size()) {
                EXPECT_EQ(h[n.len], ' ');
            }
            h.erase(0, std::min(h.size(), n.len + 1));
        }
    }
    return h;
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

size_t longest_sentence(const std::string& haystack) {
    size_t m = 0;
    for (const auto s : split_sentences(haystack, kQaSentenceMaxBytes)) m = std::max(m, s.size());
    return m;
}

std::map<std::string, std::vector<std::string>> role_documents(const DatasetManifest& text) {
    const auto extra = nlohmann::json::parse(text.extra_json);
    std::map<std::string, std::vector<std::string>> out;
    for (const char* r : {"train", "valid", "test"}) out[r] = extra["split_documents"][r].get<std::vector<std::string>>();
    return out;
}

std::string role_of(const std::string& split) { return split.rfind("test-", 0) == 0 ? "test" : split; }

std::string expect_qa_input_error(const QaFixture& f, const QaOptions& o) {
    try {
        f.qa(o);
    } catch (const InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected InputError, got: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected InputError, got success";
    return {};
}

} // namespace

TEST(DataQa, UniformBelowIsInRangeAndCoversIt) {
    std::mt19937_64 rng(123);
    std::vector<int> seen(7, 0);
    for (int i = 0; i < 7000; ++i) {
        const uint64_t v = uniform_below(rng, 7);
        ASSERT_LT(v, 7u);
        ++seen[v];
    }
    for (const int c : seen) EXPECT_GT(c, 800);
    EXPECT_EQ(uniform_below(rng, 1), 0u);
    // Our own mapping: the same draws from the same seed, whatever the standard library.
    std::mt19937_64 a(5), b(5);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(uniform_below(a, 9000000), uniform_below(b, 9000000));
}

TEST(DataQa, ParseListsAndKeyWords) {
    EXPECT_EQ(parse_int_list("--lengths", "256,512, 1024"), (std::vector<int>{256, 512, 1024}));
    EXPECT_EQ(parse_int_list("--depths", "0"), (std::vector<int>{0}));
    for (const char* bad : {"", "256,", "abc", "1.5", "256;512", "99999999999"}) {
        try {
            parse_int_list("--lengths", bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("--lengths"), std::string::npos) << e.what();
        }
    }
    const auto words = key_words({"The nation's Treasury pays seventeen creditors; abc, four fourteenletters, Peace peace "
                                  "peace-keeping caf\xC3\xA9s"});
    EXPECT_EQ(words, (std::vector<std::string>{"creditors", "four", "keeping", "nation", "pays", "peace", "seventeen"}));
}

TEST(DataQa, NeedleAtRequestedDepth) {
    QaFixture f;
    const PrepareResult r = f.qa();
    for (const int l : f.opts.lengths) {
        const std::string split = "test-" + std::to_string(l);
        SCOPED_TRACE(split);
        const auto rows = read_jsonl(r.dir / (split + ".jsonl"));
        ASSERT_EQ(rows.size(), f.opts.depths.size() * size_t(f.opts.test_examples));
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& j = rows[i];
            const int depth = j["depth"];
            EXPECT_EQ(depth, f.opts.depths[i / size_t(f.opts.test_examples)]) << "grouped by depth";
            const std::string input = j["input"], key = j["key"];
            const auto needles = needles_in(input);
            const auto target = std::find_if(needles.begin(), needles.end(), [&](const Found& n) { return n.key == key; });
            ASSERT_NE(target, needles.end());
            const size_t needle_token = j["needle_token"];
            EXPECT_EQ(needle_token, target->pos) << "byte tokens: the needle's token index is its byte offset";
            // The needle sits at a sentence boundary: at the start, or after a sentence end (or
            // another needle) and the joining space; the next sentence (or the question) follows.
            if (target->pos > 0) {
                ASSERT_GE(target->pos, 2u);
                EXPECT_EQ(input[target->pos - 1], ' ');
                EXPECT_NE(std::string(".!?").find(input[target->pos - 2]), std::string::npos)
                    << input.substr(target->pos - std::min<size_t>(target->pos, 40), 40);
            }
            const char after = input[target->pos + target->len];
            EXPECT_TRUE(after == ' ' || after == '\n') << int(after);
            const std::string question = niah_question(key);
            const size_t length = j["length"];
            const size_t context = length - question.size();  // haystack + every needle
            const double wanted = depth / 100.0 * double(context - target->len);
            const std::string hay = haystack_of(input, question, needles);
            // Within one sentence (plus one needle that may share the boundary) of the asked depth.
            const double slack = double(longest_sentence(hay) + 1 + target->len + 1);
            EXPECT_LE(std::abs(double(needle_token) - wanted), slack)
                << "depth " << depth << ", needle at " << needle_token << " of " << context;
            if (depth == 0) {
                EXPECT_EQ(needle_token, 0u);
            }
            if (depth == 100) {
                EXPECT_GE(double(needle_token), double(context - target->len) - slack);
            }
        }
    }
    // Across train (random depths) the relative position follows the depth.
    const auto train = read_jsonl(r.dir / "train.jsonl");
    std::set<int> depths;
    for (const auto& j : train) {
        const int d = j["depth"];
        EXPECT_GE(d, 0);
        EXPECT_LE(d, 100);
        depths.insert(d);
    }
    EXPECT_GT(depths.size(), 10u) << "train depths are drawn at random";
}

TEST(DataQa, PromptLengthFitsTheTarget) {
    QaFixture f;
    const PrepareResult r = f.qa();
    const auto roles = role_documents(f.text.manifest);
    auto check = [&](const std::string& split, size_t target) {
        SCOPED_TRACE(split);
        const auto& docs = roles.at(role_of(split));
        for (const auto& j : read_jsonl(r.dir / (split + ".jsonl"))) {
            const std::string input = j["input"];
            const size_t length = j["length"];
            EXPECT_EQ(length, input.size()) << "byte tokens: length is the prompt's bytes";
            EXPECT_LE(length, target);
            // Short by less than the sentence (with its separator) that comes next in the split's
            // text: one more sentence would not have fitted.
            const auto parts = split_lines(haystack_of(input, niah_question(j["key"].get<std::string>()), needles_in(input)));
            const std::string last_doc = j["documents"].back();
            const std::string text = read_bytes(sotu_excerpt() / last_doc);
            const size_t at = text.find(parts.back());
            ASSERT_NE(at, std::string::npos);
            std::string_view rest(text);
            rest.remove_prefix(at + parts.back().size());
            size_t next = 0;
            const auto sents = split_sentences(rest, kQaSentenceMaxBytes);
            if (!sents.empty()) {
                next = size_t(sents[0].data() + sents[0].size() - rest.data()); // whitespace + sentence
            } else {
                const auto it = std::find(docs.begin(), docs.end(), last_doc);
                ASSERT_TRUE(it != docs.end() && it + 1 != docs.end()) << "the haystack never runs out of text";
                const std::string following = read_bytes(sotu_excerpt() / *(it + 1));
                next = 1 + split_sentences(following, kQaSentenceMaxBytes)[0].size(); // "\n" + sentence
            }
            EXPECT_LT(target - length, next) << input;
        }
    };
    check("train", 512);
    check("valid", 512);
    for (const int l : f.opts.lengths) check("test-" + std::to_string(l), size_t(l));
}

TEST(DataQa, AnswerIsTheAskedKeysValueAndDistractorsDiffer) {
    QaFixture f;
    const PrepareResult r = f.qa();
    for (const auto& s : r.manifest.splits) {
        SCOPED_TRACE(s.name);
        for (const auto& j : read_jsonl(r.dir / s.file)) {
            const std::string input = j["input"], key = j["key"];
            EXPECT_EQ(j["task"], "niah");
            ASSERT_EQ(j["outputs"].size(), 1u);
            const std::string value = j["outputs"][0];
            EXPECT_EQ(value.size(), 7u);
            EXPECT_NE(value[0], '0');
            EXPECT_GE(key.size(), 4u);
            EXPECT_LE(key.size(), 10u);
            EXPECT_TRUE(std::all_of(key.begin(), key.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
            EXPECT_TRUE(input.ends_with(niah_question(key)));
            const auto needles = needles_in(input);
            ASSERT_EQ(needles.size(), size_t(f.opts.distractors + 1));
            size_t asked = 0;
            for (const auto& n : needles)
                if (n.key == key) {
                    ++asked;
                    EXPECT_EQ(n.value, value) << "the answer is the asked key's value";
                }
            EXPECT_EQ(asked, 1u);
            ASSERT_EQ(j["distractors"].size(), size_t(f.opts.distractors));
            std::set<std::string> keys = {key};
            for (const auto& d : j["distractors"]) {
                const std::string dk = d["key"], dv = d["value"];
                EXPECT_NE(dk, key);
                EXPECT_NE(dv, value);
                EXPECT_TRUE(keys.insert(dk).second) << "distractor keys are distinct";
                EXPECT_NE(input.find(niah_needle(dk, dv)), std::string::npos) << "the distractor is in the prompt";
            }
        }
    }
}

TEST(DataQa, TokensAndIndexMatchTheJsonl) {
    QaFixture f;
    const PrepareResult r = f.qa();
    const DatasetManifest& m = r.manifest;
    EXPECT_EQ(m.kind, "qa");
    EXPECT_EQ(m.name, "sotu-excerpt-byte-niah");
    EXPECT_EQ(m.token_dtype, "uint16");
    EXPECT_EQ(m.tokenizer.type, "byte");
    EXPECT_EQ(m.tokenizer.eos_id, 256);
    EXPECT_EQ(read_bytes(r.dir / "pieces.txt"), read_bytes(f.text.dir / "pieces.txt"));
    const auto extra = nlohmann::json::parse(m.extra_json);
    EXPECT_EQ(extra["task"], "niah");
    EXPECT_EQ(extra["train_length"], 512);
    EXPECT_EQ(extra["lengths"], nlohmann::json({512, 1024, 2048}));
    EXPECT_EQ(extra["depths"], nlohmann::json({0, 25, 50, 75, 100}));
    EXPECT_EQ(extra["distractors"], 1);
    EXPECT_EQ(extra["seed"], 7);
    EXPECT_EQ(extra["answer_digits"], 7);
    EXPECT_EQ(extra["source_dataset"]["name"], f.text.manifest.name);
    EXPECT_EQ(extra["source_dataset"]["recipe_hash"], f.text.manifest.recipe_hash);

    std::vector<std::string> names;
    for (const auto& s : m.splits) names.push_back(s.name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"test-1024", "test-2048", "test-512", "train", "valid"}));
    for (const auto& s : m.splits) {
        SCOPED_TRACE(s.name);
        EXPECT_EQ(s.file, s.name + ".jsonl");
        EXPECT_EQ(s.tokens_file, s.name + ".tokens");
        EXPECT_EQ(s.index_file, s.name + ".index");
        const auto rows = read_jsonl(r.dir / s.file);
        const auto tokens = read_tokens(r.dir / s.tokens_file, m.token_dtype);
        const auto index = read_u64s(r.dir / s.index_file);
        ASSERT_EQ(rows.size(), s.count);
        ASSERT_EQ(index.size(), 3 * s.count);
        uint64_t at = 0;
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& j = rows[i];
            EXPECT_EQ(j["index"], i);
            const uint64_t start = index[3 * i], prompt = index[3 * i + 1], answer = index[3 * i + 2];
            EXPECT_EQ(start, at) << "examples are packed back to back";
            EXPECT_EQ(prompt, j["length"].get<uint64_t>());
            ASSERT_LE(start + prompt + answer, tokens.size());
            std::string text;
            for (uint64_t t = start; t < start + prompt; ++t) {
                ASSERT_LT(tokens[t], 256u) << "no eos inside the prompt";
                text.push_back(char(tokens[t]));
            }
            EXPECT_EQ(text, j["input"].get<std::string>());
            std::string ans;
            for (uint64_t t = start + prompt; t + 1 < start + prompt + answer; ++t) ans.push_back(char(tokens[t]));
            EXPECT_EQ(ans, " " + j["outputs"][0].get<std::string>());
            EXPECT_EQ(tokens[start + prompt + answer - 1], 256u) << "the answer ends with eos";
            at = start + prompt + answer;
        }
        EXPECT_EQ(at, tokens.size());
    }
}

TEST(DataQa, SameSeedSameFilesOtherSeedOthers) {
    QaFixture f;
    const PrepareResult a = f.qa();
    QaOptions o = f.opts;
    o.cache = f.tmp / "cache2"; // a fresh cache: built again, not found
    const PrepareResult b = f.qa(o);
    EXPECT_FALSE(b.cache_hit);
    EXPECT_EQ(a.manifest.recipe_hash, b.manifest.recipe_hash);
    for (const auto& s : a.manifest.splits)
        for (const std::string& file : {s.file, s.tokens_file, s.index_file})
            EXPECT_EQ(read_bytes(a.dir / file), read_bytes(b.dir / file)) << file;

    o.seed = 8;
    const PrepareResult c = f.qa(o);
    EXPECT_NE(c.manifest.recipe_hash, a.manifest.recipe_hash);
    EXPECT_NE(c.dir, a.dir);
    for (const auto& s : a.manifest.splits) EXPECT_NE(read_bytes(a.dir / s.file), read_bytes(c.dir / s.file)) << s.name;

    // More test examples leave the train split as it was (every example has its own generator).
    o = f.opts;
    o.test_examples = 4;
    const PrepareResult d = f.qa(o);
    EXPECT_EQ(read_bytes(a.dir / "train.jsonl"), read_bytes(d.dir / "train.jsonl"));
}

TEST(DataQa, HaystacksComeFromTheirSplitsDocuments) {
    QaFixture f;
    const PrepareResult r = f.qa();
    const auto roles = role_documents(f.text.manifest);
    std::map<std::string, std::string> text_of;
    for (const auto& [role, docs] : roles)
        for (const auto& d : docs) text_of[d] = read_bytes(sotu_excerpt() / d);
    std::map<std::string, std::set<std::string>> used;
    for (const auto& s : r.manifest.splits) {
        SCOPED_TRACE(s.name);
        const std::string role = role_of(s.name);
        const auto& allowed = roles.at(role);
        for (const auto& j : read_jsonl(r.dir / s.file)) {
            const auto docs = j["documents"].get<std::vector<std::string>>();
            ASSERT_FALSE(docs.empty());
            for (const auto& d : docs) {
                EXPECT_NE(std::find(allowed.begin(), allowed.end(), d), allowed.end()) << d << " is not a " << role << " document";
                used[role].insert(d);
            }
            // The haystack is contiguous text of those documents (joined by a newline between documents).
            const std::string input = j["input"];
            const std::string hay = haystack_of(input, niah_question(j["key"].get<std::string>()), needles_in(input));
            const auto parts = split_lines(hay);
            ASSERT_EQ(parts.size(), docs.size());
            for (size_t p = 0; p < parts.size(); ++p) {
                EXPECT_FALSE(parts[p].empty());
                EXPECT_NE(text_of[docs[p]].find(parts[p]), std::string::npos)
                    << "not contiguous text of " << docs[p] << ": " << parts[p];
                // A haystack that goes on into the next document took the rest of this one, and
                // the next one from its start.
                if (p + 1 < parts.size()) {
                    EXPECT_TRUE(text_of[docs[p]].ends_with(parts[p] + "\n"));
                }
                if (p > 0) {
                    EXPECT_TRUE(text_of[docs[p]].starts_with(parts[p]));
                }
            }
        }
    }
    for (const auto& a : used) {
        for (const auto& b : used) {
            if (a.first >= b.first) continue;
            for (const auto& d : a.second) {
                EXPECT_EQ(b.second.count(d), 0u) << d << " in " << a.first << " and " << b.first;
            }
        }
    }
    EXPECT_EQ(used["test"].size(), 1u) << "the fixture's one test document";
    EXPECT_EQ(used["valid"].size(), 1u);
    EXPECT_GT(used["train"].size(), 3u);
}

TEST(DataQa, PasskeyTask) {
    QaFixture f;
    QaOptions o = f.opts;
    o.task = "passkey";
    o.train_length = 256; // the passkey parts are short enough for 256 byte tokens
    o.lengths = {256, 1024};
    const PrepareResult r = f.qa(o);
    EXPECT_EQ(r.manifest.name, "sotu-excerpt-byte-passkey");
    const auto extra = nlohmann::json::parse(r.manifest.extra_json);
    EXPECT_EQ(extra["answer_digits"], 5);
    EXPECT_EQ(extra["distractors"], 0);
    const auto tokens = read_tokens(r.dir / "test-1024.tokens", "uint16");
    const auto index = read_u64s(r.dir / "test-1024.index");
    const auto rows = read_jsonl(r.dir / "test-1024.jsonl");
    ASSERT_FALSE(rows.empty());
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& j = rows[i];
        const std::string input = j["input"], value = j["outputs"][0];
        EXPECT_EQ(j["task"], "passkey");
        EXPECT_EQ(value.size(), 5u);
        EXPECT_TRUE(input.ends_with(passkey_question()));
        const size_t at = input.find(passkey_needle(value));
        ASSERT_NE(at, std::string::npos);
        EXPECT_EQ(j["needle_token"].get<size_t>(), at);
        EXPECT_EQ(input.find(passkey_needle(value), at + 1), std::string::npos) << "one needle";
        EXPECT_LE(j["length"].get<size_t>(), 1024u);
        const uint64_t s = index[3 * i], p = index[3 * i + 1], a = index[3 * i + 2];
        EXPECT_EQ(a, value.size() + 2);
        std::string ans;
        for (uint64_t t = s + p; t + 1 < s + p + a; ++t) ans.push_back(char(tokens[t]));
        EXPECT_EQ(ans, " " + value);
    }
}

TEST(DataQa, BpeAnswerTokensContinueThePrompt) {
    QaFixture f("bpe");
    QaOptions o = f.opts;
    o.lengths = {512, 1024};
    o.depths = {0, 50, 100};
    o.distractors = 1;
    o.train_examples = 4;
    o.valid_examples = 2;
    o.test_examples = 2;
    const PrepareResult r = f.qa(o);
    EXPECT_EQ(r.manifest.tokenizer.type, "sentencepiece-bpe");
    EXPECT_EQ(read_bytes(r.dir / "tokenizer.model"), read_bytes(f.text.dir / "tokenizer.model"));
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load((r.dir / "tokenizer.model").string()).ok());
    for (const auto& s : r.manifest.splits) {
        SCOPED_TRACE(s.name);
        const auto tokens = read_tokens(r.dir / s.tokens_file, r.manifest.token_dtype);
        const auto index = read_u64s(r.dir / s.index_file);
        const auto rows = read_jsonl(r.dir / s.file);
        for (size_t i = 0; i < rows.size(); ++i) {
            const auto& j = rows[i];
            const std::string input = j["input"], value = j["outputs"][0];
            const uint64_t start = index[3 * i], prompt = index[3 * i + 1], answer = index[3 * i + 2];
            const std::vector<int> p(tokens.begin() + long(start), tokens.begin() + long(start + prompt));
            const std::vector<int> a(tokens.begin() + long(start + prompt), tokens.begin() + long(start + prompt + answer - 1));
            EXPECT_EQ(tokens[start + prompt + answer - 1], uint32_t(sp.eos_id()));
            // The prompt tokens are SentencePiece's encoding of the input, the length its size, and
            // the answer tokens are exactly what follows when the answer is appended to the prompt.
            std::vector<int> enc;
            ASSERT_TRUE(sp.Encode(input, &enc).ok());
            EXPECT_EQ(enc, p);
            EXPECT_LE(prompt, uint64_t(s.name == "train" || s.name == "valid" ? 512 : std::stoi(s.name.substr(5))));
            std::vector<int> whole;
            ASSERT_TRUE(sp.Encode(input + " " + value, &whole).ok());
            std::vector<int> joined = p;
            joined.insert(joined.end(), a.begin(), a.end());
            EXPECT_EQ(whole, joined);
            std::string back;
            ASSERT_TRUE(sp.Decode(joined, &back).ok());
            EXPECT_EQ(back, input + " " + value);
            // needle_token: the first token of the asked needle.
            const size_t nt = j["needle_token"];
            ASSERT_LT(nt, p.size());
            std::string from_needle;
            ASSERT_TRUE(sp.Decode(std::vector<int>(p.begin() + long(nt), p.end()), &from_needle).ok());
            EXPECT_TRUE(from_needle.starts_with("One of the special magic numbers for " + j["key"].get<std::string>()))
                << from_needle.substr(0, 80);
            if (j["depth"] == 0) {
                EXPECT_EQ(nt, 0u);
            }
        }
    }
}

TEST(DataQa, RerunIsACacheHitAndOptionsChangeTheKey) {
    QaFixture f;
    const PrepareResult a = f.qa();
    EXPECT_FALSE(a.cache_hit);
    EXPECT_EQ(a.dir.filename().string(), "sotu-excerpt-byte-niah-" + a.manifest.recipe_hash.substr(0, 12));
    const auto when = fs::last_write_time(a.dir / "train.jsonl");
    const PrepareResult b = f.qa();
    EXPECT_TRUE(b.cache_hit);
    EXPECT_EQ(b.dir, a.dir);
    EXPECT_EQ(fs::last_write_time(b.dir / "train.jsonl"), when);
    QaOptions o = f.opts;
    o.distractors = 0;
    EXPECT_NE(f.qa(o).dir, a.dir);
    // --force rebuilds in place; a truncated index is refused by the reader and rebuilt.
    o = f.opts;
    o.force = true;
    EXPECT_FALSE(f.qa(o).cache_hit);
    const std::string idx = read_bytes(a.dir / "valid.index");
    write_bytes(a.dir / "valid.index", idx.substr(0, idx.size() - 8));
    try {
        read_manifest(a.dir);
        ADD_FAILURE() << "a truncated index was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("valid.index"), std::string::npos) << e.what();
    }
    const PrepareResult c = f.qa();
    EXPECT_FALSE(c.cache_hit);
    EXPECT_EQ(read_bytes(c.dir / "valid.index"), idx);
    // An index whose last example does not end at the end of the tokens file is refused too.
    const std::string toks = read_bytes(a.dir / "valid.tokens");
    write_bytes(a.dir / "valid.tokens", toks + std::string(2, '\0'));
    EXPECT_THROW(read_manifest(a.dir), InputError);
    write_bytes(a.dir / "valid.tokens", toks + std::string(1, '\0'));
    EXPECT_THROW(read_manifest(a.dir), InputError);
}

TEST(DataQa, BadOptionsAreInputErrors) {
    QaFixture f;
    auto with = [&](auto change) {
        QaOptions o = f.opts;
        change(o);
        return expect_qa_input_error(f, o);
    };
    std::string msg = with([](QaOptions& o) { o.lengths = {512, 32}; });
    EXPECT_NE(msg.find("--lengths 32 is below the minimum of 64"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.train_length = 10; });
    EXPECT_NE(msg.find("--train-length 10"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.lengths = {512, 4096}; });
    EXPECT_NE(msg.find("--lengths 4096 is longer than the test documents"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.train_length = 4096; });
    EXPECT_NE(msg.find("--train-length 4096 is longer than the valid documents"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.lengths = {128}; }); // byte tokens: two needles and the question need ~190
    EXPECT_NE(msg.find("--lengths 128 is too short"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.depths = {50, 101}; });
    EXPECT_NE(msg.find("--depths 101"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.depths = {50, 50}; });
    EXPECT_NE(msg.find("twice"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.task = "squad"; });
    EXPECT_NE(msg.find("--task"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.distractors = 99; });
    EXPECT_NE(msg.find("--distractors 99"), std::string::npos) << msg;
    msg = with([](QaOptions& o) { o.test_examples = 0; });
    EXPECT_NE(msg.find("--test-examples 0"), std::string::npos) << msg;
    msg = with([&](QaOptions& o) { o.from = (f.tmp / "nowhere").string(); });
    EXPECT_NE(msg.find("--from"), std::string::npos) << msg;
    // A changed source document is noticed (its hash no longer matches the text dataset's).
    ScratchDir other;
    copy_txt(sotu_excerpt(), other / "corpus");
    TextOptions t;
    t.source = (other / "corpus").string();
    t.tokenizer = "byte";
    t.cache = other / "cache";
    Reporter quiet;
    const PrepareResult text = prepare_text(t, quiet);
    write_bytes(other / "corpus" / "1979_jimmy_carter_d.txt", "Changed. Entirely.\n");
    msg = with([&](QaOptions& o) { o.from = text.dir.string(); });
    EXPECT_NE(msg.find("1979_jimmy_carter_d.txt: changed since"), std::string::npos) << msg;
    // Nothing half-written is left behind.
    for (const auto& e : list_dir(f.tmp / "cache" / "datasets")) EXPECT_EQ(e.find(".tmp."), std::string::npos) << e;
}

TEST(DataQa, CliBadArgumentsExit2WithOneLine) {
    QaFixture f;
    const std::map<std::string, std::string> env = {{"SEQPE_CACHE", (f.tmp / "cache").string()}};
    auto one_error = [&](const std::vector<std::string>& args, const std::string& needle) {
        SCOPED_TRACE(needle);
        const ToolRun r = run_tool(args, env);
        EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
        ASSERT_FALSE(r.events.empty()) << r.out;
        size_t errors = 0;
        for (const auto& e : r.events) errors += e["event"] == "error";
        EXPECT_EQ(errors, 1u);
        const auto& last = r.events.back();
        EXPECT_EQ(last["event"], "error");
        EXPECT_EQ(last["exit"], 2);
        const std::string msg = last["message"];
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    };
    const std::string from = f.text.dir.string();
    one_error({"qa", "--from", from, "--lengths", "32,512", "--distractors", "1"}, "--lengths 32 is below the minimum of 64");
    one_error({"qa", "--from", from, "--lengths", "512,x"}, "--lengths: 'x' is not a whole number");
    one_error({"qa", "--from", from, "--train-length", "512", "--lengths", "8192", "--distractors", "1"},
              "--lengths 8192 is longer than the test documents");
    one_error({"qa", "--from", (f.tmp / "cache").string()}, "--from");
    one_error({"qa", "--from", from, "--source", "sotu"}, "--from");
    one_error({"qa", "--from", from, "--task", "squad"}, "--task");
    // A qa dataset is not a text dataset.
    const PrepareResult q = f.qa();
    one_error({"qa", "--from", q.dir.string()}, "is a qa dataset, not a text dataset");
    EXPECT_EQ(list_dir(f.tmp / "cache" / "datasets").size(), 2u) << "nothing new was written";
}

TEST(DataQa, CliDoneLineAndCacheHit) {
    ScratchDir tmp;
    const std::vector<std::string> args = {
        "qa",         "--source",         sotu_excerpt().string(), "--tokenizer",      "byte", "--train-length", "512",
        "--lengths",  "512,2048,1024",    "--train-examples",      "10",               "--valid-examples", "3",
        "--test-examples", "2",           "--depths",              "0,100",            "--distractors", "1",
        "--cache",    (tmp / "cache").string(), "--json"};
    ToolRun r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(r.all_lines_json);
    const auto& done = r.events.back();
    EXPECT_EQ(done["event"], "done");
    EXPECT_EQ(done["kind"], "qa");
    EXPECT_EQ(done["cache_hit"], false);
    // nlohmann::json sorts keys on parse, so look at the line itself: train, valid, then test-<L> by length.
    EXPECT_NE(r.out.find(R"("splits":{"train":10,"valid":3,"test-512":4,"test-1024":4,"test-2048":4})"), std::string::npos)
        << r.out;
    bool saw_generate = false;
    for (const auto& e : r.events)
        if (e["event"] == "progress" && e["stage"] == "generate" && e["total"] == 25) saw_generate = true;
    EXPECT_TRUE(saw_generate);
    const fs::path dir = done["dataset"].get<std::string>();
    EXPECT_NO_THROW(read_manifest(dir));
    r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.events.back()["cache_hit"], true);
    EXPECT_EQ(r.events.back()["dataset"], dir.string());
    r = run_tool({"info", dir.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0]["kind"], "qa");
    EXPECT_EQ(r.events[0]["splits"]["test-1024"]["index_file"], "test-1024.index");
}
