// Reading QA splits (tokens, index triples, RULER records) and the exact-match rule.
#include "data/qa_data.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

namespace seqpe {

QaSplit::QaSplit(const std::filesystem::path& dir, const DatasetManifest& m, const std::string& split) {
    const SplitInfo* s = m.split(split);
    if (!s) throw InputError((dir / "manifest.json").string() + ": the QA dataset has no '" + split + "' split");
    if (s->tokens_file.empty() || s->index_file.empty())
        throw InputError((dir / "manifest.json").string() + ": split '" + split + "' has no tokens or index file");
    tokens_ = MappedFile(dir / s->tokens_file);
    bytes_ = m.token_bytes();
    const MappedFile index(dir / s->index_file);
    const std::string jsonl = read_file(dir / s->file);
    const int64_t n_tokens = static_cast<int64_t>(tokens_.size()) / bytes_;
    size_t pos = 0;
    for (uint64_t i = 0; i < s->count; ++i) {
        QaExample e;
        uint64_t t[3];
        if ((i + 1) * 24 > index.size())
            throw InputError(index.path().string() + ": truncated; prepare the dataset again");
        std::memcpy(t, index.data() + i * 24, 24);
        e.start = static_cast<int64_t>(t[0]);
        e.prompt = static_cast<int64_t>(t[1]);
        e.answer = static_cast<int64_t>(t[2]);
        if (e.prompt < 1 || e.answer < 1 || e.start + e.prompt + e.answer > n_tokens)
            throw InputError(index.path().string() + ": example " + std::to_string(i) +
                             " lies outside the token file; prepare the dataset again");
        const size_t nl = jsonl.find('\n', pos);
        const std::string line = jsonl.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? jsonl.size() : nl + 1;
        try {
            const auto j = nlohmann::json::parse(line);
            e.answer_text = j.at("outputs").at(0).get<std::string>();
            e.depth = j.value("depth", int64_t{0});
        } catch (const std::exception&) {
            throw InputError((dir / s->file).string() + ": line " + std::to_string(i + 1) +
                             " is not a RULER record; prepare the dataset again");
        }
        max_answer_ = std::max(max_answer_, e.answer);
        max_prompt_ = std::max(max_prompt_, e.prompt);
        examples_.push_back(std::move(e));
    }
}

torch::Tensor QaSplit::tokens(int64_t i) const {
    const QaExample& e = example(i);
    const int64_t n = e.prompt + e.answer;
    torch::Tensor t = torch::empty({n}, torch::kLong);
    int64_t* d = t.data_ptr<int64_t>();
    const uint8_t* base = tokens_.data() + static_cast<size_t>(e.start) * bytes_;
    for (int64_t k = 0; k < n; ++k) {
        if (bytes_ == 2) {
            uint16_t v;
            std::memcpy(&v, base + 2 * k, 2);
            d[k] = v;
        } else {
            uint32_t v;
            std::memcpy(&v, base + 4 * k, 4);
            d[k] = v;
        }
    }
    return t;
}

std::vector<std::pair<std::string, int64_t>> qa_test_splits(const DatasetManifest& m) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& s : m.splits)
        if (s.name.rfind("test-", 0) == 0) {
            try {
                out.emplace_back(s.name, std::stoll(s.name.substr(5)));
            } catch (...) {
            }
        }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
}

static std::string normalise(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto b = s.find_first_not_of(" \t\n\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\n\r");
    return s.substr(b, e - b + 1);
}

bool qa_answer_matches(const std::string& generation, const std::string& answer) {
    const std::string a = normalise(answer);
    return !a.empty() && normalise(generation).find(a) != std::string::npos;
}

} // namespace seqpe
