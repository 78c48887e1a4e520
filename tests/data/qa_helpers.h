#pragma once
// Shared by the QA suites (test_qa.cpp: options, files, cache, CLI; test_qa_prompt.cpp: what each
// prompt holds): a byte-level fixture dataset with the usual options, and readers for the files.
#include "helpers.h"

#include "seqpe/common/error.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/data/qa.h"
#include "seqpe/data/report.h"
#include "seqpe/data/text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace seqpe::test {

using namespace seqpe::data;

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

inline std::vector<nlohmann::json> read_jsonl(const fs::path& p) {
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

inline std::vector<uint32_t> read_tokens(const fs::path& p, const std::string& dtype) {
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

inline std::vector<uint64_t> read_u64s(const fs::path& p) {
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
inline std::vector<Found> needles_in(const std::string& input) {
    static const std::regex re("One of the special magic numbers for ([a-z]+) is: ([0-9]+)\\.");
    std::vector<Found> out;
    for (auto it = std::sregex_iterator(input.begin(), input.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back({(*it)[1].str(), (*it)[2].str(), size_t(it->position(0)), size_t(it->length(0))});
    return out;
}

// The prompt without the question and the needles (each with its one joining space): the haystack.
inline std::string haystack_of(const std::string& input, const std::string& question,
                               const std::vector<Found>& needles) {
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

inline std::vector<std::string> split_lines(const std::string& s) {
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

inline size_t longest_sentence(const std::string& haystack) {
    size_t m = 0;
    for (const auto s : split_sentences(haystack, kQaSentenceMaxBytes)) m = std::max(m, s.size());
    return m;
}

inline std::map<std::string, std::vector<std::string>> role_documents(const DatasetManifest& text) {
    const auto extra = nlohmann::json::parse(text.extra_json);
    std::map<std::string, std::vector<std::string>> out;
    for (const char* r : {"train", "valid", "test"})
        out[r] = extra["split_documents"][r].get<std::vector<std::string>>();
    return out;
}

inline std::string role_of(const std::string& split) {
    return split.rfind("test-", 0) == 0 ? "test" : split;
}

inline std::string expect_qa_input_error(const QaFixture& f, const QaOptions& o) {
    return expect_input_error([&] { f.qa(o); });
}

} // namespace seqpe::test
