// The algorithmic tasks' generator and vocabulary (formats: seqpe/algorithmic.h).
#include "seqpe/algorithmic.h"

#include "seqpe/common/error.h"
#include "util/rng.h"

#include <algorithm>
#include <cctype>

namespace seqpe {

namespace {

int64_t symbols_of(const AlgoConfig& a) {
    if (a.task == "addition") return 10;
    if (a.task == "parity") return 2;
    return std::clamp<int64_t>(a.symbols, 2, algo::kSymbols);
}

} // namespace

int64_t algo_answer_length(const AlgoConfig& a, int64_t n) {
    if (a.task == "addition") return n + 1;
    if (a.task == "parity") return 1;
    return n;
}

int64_t algo_positions(const AlgoConfig& a, int64_t n) {
    // <s> + prompt + separator + answer + </s>, less the last token (nothing reads it).
    const int64_t prompt = a.task == "addition" ? 2 * n + 3 : n + 2;
    return prompt + algo_answer_length(a, n);
}

std::string algo_length_unit(const AlgoConfig& a) {
    if (a.task == "addition") return "digits per operand";
    if (a.task == "parity") return "bits";
    return "symbols";
}

AlgoInstance make_algo_instance(const AlgoConfig& a, int64_t n, uint64_t seed, uint64_t index) {
    Rng rng(derive_seed(seed, index));
    const int64_t k = symbols_of(a);
    const auto draw = [&](int64_t count) {
        std::vector<int64_t> v(static_cast<size_t>(count));
        for (auto& x : v) x = static_cast<int64_t>(rng.below(static_cast<uint64_t>(k)));
        return v;
    };
    AlgoInstance inst;
    auto& t = inst.tokens;
    t.reserve(static_cast<size_t>(algo_positions(a, n) + 1));
    t.push_back(algo::kBos);
    std::vector<int64_t> answer;
    if (a.task == "addition") {
        const auto x = draw(n), y = draw(n); // most significant digit first
        t.insert(t.end(), x.begin(), x.end());
        t.push_back(algo::kPlus);
        t.insert(t.end(), y.begin(), y.end());
        t.push_back(algo::kEquals);
        int64_t carry = 0;
        for (int64_t i = n - 1; i >= 0; --i) { // least significant first
            const int64_t s = x[static_cast<size_t>(i)] + y[static_cast<size_t>(i)] + carry;
            answer.push_back(s % 10);
            carry = s / 10;
        }
        answer.push_back(carry);
        if (a.addition_order == "plain") std::reverse(answer.begin(), answer.end());
    } else {
        const auto x = draw(n);
        t.insert(t.end(), x.begin(), x.end());
        t.push_back(algo::kSep);
        if (a.task == "parity") {
            answer.push_back(std::count(x.begin(), x.end(), int64_t{1}) % 2);
        } else {
            answer = x;
            if (a.task == "reverse") std::reverse(answer.begin(), answer.end());
            if (a.task == "sort") std::sort(answer.begin(), answer.end());
        }
    }
    inst.prompt = static_cast<int64_t>(t.size());
    t.insert(t.end(), answer.begin(), answer.end());
    t.push_back(algo::kEos);
    return inst;
}

AlgoInstance algo_valid_instance(const AlgoConfig& a, int64_t index) {
    const int64_t span = std::max<int64_t>(1, a.train_max_len - a.train_min_len + 1);
    const int64_t n = a.train_min_len + index % span;
    return make_algo_instance(a, n, derive_seed(static_cast<uint64_t>(a.seed), kStreamAlgoValid),
                              static_cast<uint64_t>(index));
}

AlgoInstance algo_test_instance(const AlgoConfig& a, int64_t n, int64_t index) {
    return make_algo_instance(a, n,
                              derive_seed(static_cast<uint64_t>(a.seed), kStreamAlgoTest, static_cast<uint64_t>(n)),
                              static_cast<uint64_t>(index));
}

AlgoInstance algo_train_instance(const AlgoConfig& a, uint64_t train_seed, int64_t step, int64_t b) {
    const uint64_t s = derive_seed(train_seed, kStreamAlgoTrain, static_cast<uint64_t>(step));
    Rng pick(derive_seed(s, ~static_cast<uint64_t>(b))); // the length, apart from the content's draws
    const int64_t n = pick.range(a.train_min_len, std::max(a.train_min_len, a.train_max_len) + 1);
    return make_algo_instance(a, n, s, static_cast<uint64_t>(b));
}

std::string algo_token_label(int64_t id) {
    if (id >= 0 && id < 10) return std::string(1, static_cast<char>('0' + id));
    if (id >= 10 && id < algo::kSymbols) return std::string(1, static_cast<char>('a' + id - 10));
    switch (id) {
    case algo::kPlus:
        return "+";
    case algo::kEquals:
        return "=";
    case algo::kSep:
        return "|";
    case algo::kBos:
        return "<s>";
    case algo::kEos:
        return "</s>";
    case algo::kPad:
        return "<pad>";
    default:
        return "?";
    }
}

std::vector<int64_t> parse_algo_text(const std::string& text) {
    std::vector<int64_t> out{algo::kBos};
    std::string rest = text;
    const std::string eos = "</s>";
    bool ends = false;
    if (const auto at = rest.rfind(eos);
        at != std::string::npos && rest.find_first_not_of(" \t", at + 4) == rest.npos) {
        rest.erase(at);
        ends = true;
    }
    if (rest.rfind("<s>", 0) == 0) rest.erase(0, 3);
    for (size_t i = 0; i < rest.size(); ++i) {
        const char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
        if (ch == ' ' || ch == '\t') continue;
        if (ch >= '0' && ch <= '9')
            out.push_back(ch - '0');
        else if (ch >= 'a' && ch <= 'z')
            out.push_back(10 + ch - 'a');
        else if (ch == '+')
            out.push_back(algo::kPlus);
        else if (ch == '=')
            out.push_back(algo::kEquals);
        else if (ch == '|')
            out.push_back(algo::kSep);
        else
            throw InputError("character " + std::to_string(i + 1) + " ('" + std::string(1, rest[i]) +
                             "') is not in the algorithmic vocabulary: digits, a-z, +, = and | (the separator)");
    }
    if (ends) out.push_back(algo::kEos);
    if (out.size() < 2) throw InputError("type at least one token (e.g. 3142|)");
    return out;
}

} // namespace seqpe
