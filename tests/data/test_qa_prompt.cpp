// QA datasets (seqpe-data qa), what each prompt holds: the needle at the requested depth, the prompt
// length, the answer and its distractors, haystacks from their split's documents, the passkey task
// and BPE answer tokens. The dataset as a whole: test_qa.cpp.
#include "qa_helpers.h"

#include "seqpe/data/util.h"

#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <cstring>
#include <regex>
#include <set>

using namespace seqpe;
using namespace seqpe::data;
using namespace seqpe::test;

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
            const auto target =
                std::find_if(needles.begin(), needles.end(), [&](const Found& n) { return n.key == key; });
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
            const size_t context = length - question.size(); // haystack + every needle
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
            const auto parts =
                split_lines(haystack_of(input, niah_question(j["key"].get<std::string>()), needles_in(input)));
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
                EXPECT_NE(std::find(allowed.begin(), allowed.end(), d), allowed.end())
                    << d << " is not a " << role << " document";
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
            const std::vector<int> a(tokens.begin() + long(start + prompt),
                                     tokens.begin() + long(start + prompt + answer - 1));
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
