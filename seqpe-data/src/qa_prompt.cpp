// QA datasets: RULER-style needle-in-a-haystack (single and multi-key) and passkey retrieval over
// the documents of a prepared text dataset, tokenised with that dataset's own tokenizer.
//
// Per example (all draws from one std::mt19937_64 seeded by (seed, split name, example index), so
// splits are independent of each other and examples can be built in parallel):
//   1. depth (test: the split's depth; train/valid: uniform 0..100), keys and values, distractor depths;
//   2. the haystack: a uniformly drawn start sentence of the split role's sentence stream (documents
//      in manifest order, joined with "\n"), then sentences while the estimated prompt fits;
//   3. needle placement: the needle with depth d goes to the sentence boundary where the tokens of the
//      other context (haystack + other needles) before it are nearest to d% of that context;
//   4. the prompt is encoded exactly; sentences are dropped (or added) until it has at most `length`
//      tokens and the next sentence would not fit.
#include "qa_prompt.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace seqpe::data::qa_gen {

namespace {

constexpr std::string_view kDocJoin = "\n"; // between documents inside one haystack

// SplitMix64's finaliser: spreads a seed over all 64 bits.
uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t fnv1a(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t example_seed(uint64_t seed, std::string_view split, uint64_t index) {
    return mix64(mix64(mix64(seed) ^ fnv1a(split)) ^ index);
}

struct Needle {
    std::string key;
    std::string value;
    std::string text;
    int depth = 0;
    bool target = false;
    uint64_t est = 0;
};

struct Assembled {
    std::string text;
    size_t needle_pos = kNpos; // byte offset of the asked needle in `text`
};

// The prompt with sentences [start, start + k) of the stream and the needles at their depths.
Assembled assemble(const Stream& st, size_t start, size_t k, const std::vector<Needle>& needles,
                   const std::string& question) {
    std::vector<uint64_t> h(k + 1, 0); // estimated haystack tokens before boundary b
    for (size_t b = 0; b < k; ++b) h[b + 1] = h[b] + st.sents[start + b].est;
    uint64_t all = 0;
    for (const Needle& n : needles) all += n.est;
    const uint64_t context = h[k] + all;
    // 100 x the wanted token position of each needle: depth% of the context other than itself.
    std::vector<uint64_t> want(needles.size());
    for (size_t j = 0; j < needles.size(); ++j) want[j] = uint64_t(needles[j].depth) * (context - needles[j].est);
    std::vector<size_t> order(needles.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (want[a] != want[b]) return want[a] < want[b];
        return needles[a].target && !needles[b].target;
    });
    std::vector<size_t> at(needles.size(), 0);
    size_t b_prev = 0;
    uint64_t before = 0;
    for (const size_t j : order) {
        size_t best = b_prev;
        uint64_t best_err = std::numeric_limits<uint64_t>::max();
        for (size_t b = b_prev; b <= k; ++b) {
            const uint64_t pos = 100 * (h[b] + before);
            const uint64_t err = pos > want[j] ? pos - want[j] : want[j] - pos;
            if (err < best_err) {
                best_err = err;
                best = b;
            }
            if (pos >= want[j]) break; // later boundaries are only farther
        }
        at[j] = best;
        b_prev = best;
        before += needles[j].est;
    }

    Assembled a;
    size_t reserve = question.size();
    for (size_t b = 0; b < k; ++b) reserve += st.sents[start + b].text.size() + st.sents[start + b].sep.size();
    for (const Needle& n : needles) reserve += n.text.size() + 1;
    a.text.reserve(reserve);
    bool after_needle = false;
    size_t next = 0;
    for (size_t b = 0; b <= k; ++b) {
        while (next < order.size() && at[order[next]] == b) {
            const Needle& n = needles[order[next]];
            if (!a.text.empty()) a.text += ' ';
            if (n.target) a.needle_pos = a.text.size();
            a.text += n.text;
            after_needle = true;
            ++next;
        }
        if (b == k) break;
        const Sentence& s = st.sents[start + b];
        if (!a.text.empty()) {
            std::string_view sep = b == 0 ? std::string_view(" ") : s.sep;
            if (sep.empty() && after_needle) sep = " ";
            a.text += sep;
        }
        a.text += s.text;
        after_needle = false;
    }
    a.text += question;
    return a;
}

std::string draw_value(std::mt19937_64& rng, int digits) {
    uint64_t lo = 1;
    for (int i = 1; i < digits; ++i) lo *= 10;
    return std::to_string(lo + uniform_below(rng, 9 * lo));
}

} // namespace

void build_sentences(Stream& st) {
    st.sents.clear();
    for (size_t d = 0; d < st.docs.size(); ++d) {
        const std::string_view text = st.docs[d].text;
        const char* prev_end = nullptr;
        for (const std::string_view piece : split_sentences(text, kQaSentenceMaxBytes)) {
            Sentence s;
            s.doc = uint32_t(d);
            s.text = piece;
            if (prev_end)
                s.sep = std::string_view(prev_end, size_t(piece.data() - prev_end));
            else
                s.sep = st.sents.empty() ? std::string_view() : kDocJoin;
            prev_end = piece.data() + piece.size();
            st.sents.push_back(s);
        }
    }
}

// fixed_depth < 0: uniform 0..100.
Example make_example(const Ctx& c, const Stream& st, const std::string& split, uint64_t index, uint64_t length,
                     int fixed_depth) {
    std::mt19937_64 rng(example_seed(c.seed, split, index));
    const int depth = fixed_depth >= 0 ? fixed_depth : int(uniform_below(rng, 101));
    std::vector<Needle> needles;
    std::string question;
    if (c.niah) {
        const auto& keys = *c.keys;
        std::vector<size_t> picked;
        std::vector<std::string> values;
        for (int j = 0; j <= c.distractors; ++j) {
            size_t k;
            do k = size_t(uniform_below(rng, keys.size()));
            while (std::find(picked.begin(), picked.end(), k) != picked.end());
            picked.push_back(k);
            std::string v;
            do v = draw_value(rng, kNiahDigits);
            while (std::find(values.begin(), values.end(), v) != values.end());
            values.push_back(v);
        }
        for (int j = 0; j <= c.distractors; ++j) {
            Needle n;
            n.key = keys[picked[size_t(j)]];
            n.value = values[size_t(j)];
            n.target = j == 0;
            n.depth = j == 0 ? depth : int(uniform_below(rng, 101));
            n.text = niah_needle(n.key, n.value);
            needles.push_back(std::move(n));
        }
        question = niah_question(needles[0].key);
    } else {
        Needle n;
        n.value = draw_value(rng, kPasskeyDigits);
        n.target = true;
        n.depth = depth;
        n.text = passkey_needle(n.value);
        needles.push_back(std::move(n));
        question = passkey_question();
    }
    const QaTokenizer& tok = *c.tok;
    uint64_t fixed = tok.count(question);
    for (Needle& n : needles) fixed += (n.est = tok.count_joined(n.text));
    if (fixed >= length)
        throw InputError("a " + std::to_string(length) + "-token prompt cannot hold the question and needles (" +
                         std::to_string(fixed) + " tokens); use longer lengths or fewer --distractors");
    const uint64_t budget = length - fixed;

    // Starts whose remaining text overfills the budget (suffix sums do not increase).
    const size_t n = st.sents.size();
    const size_t starts = size_t(
        std::partition_point(st.suffix.begin(), st.suffix.begin() + long(n), [&](uint64_t v) { return v > budget; }) -
        st.suffix.begin());
    if (starts == 0)
        throw InputError("the " + st.role + " documents hold too little text for a " + std::to_string(length) +
                         "-token prompt");
    // Fills the prompt from sentence `start` on: sentences while the estimate fits, then exactly
    // encoded, dropping (or adding) sentences until it has at most `length` tokens and the next
    // sentence would not fit. Returns the number of sentences (0: not even one fits).
    Assembled a;
    std::vector<uint32_t> ids;
    size_t needle_token = kNpos;
    auto fill = [&](size_t start) -> size_t {
        size_t k = 0;
        uint64_t acc = 0;
        while (start + k < n && acc + st.sents[start + k].est <= budget) acc += st.sents[start + k++].est;
        bool shrunk = false;
        while (k > 0) {
            a = assemble(st, start, k, needles, question);
            ids = tok.encode(a.text, a.needle_pos, &needle_token);
            if (ids.size() > length) {
                --k;
                shrunk = true;
                continue;
            }
            if (!shrunk && start + k < n && ids.size() + st.sents[start + k].est <= length) {
                ++k;
                continue;
            }
            break;
        }
        return k;
    };
    // A drawn start whose first sentence does not fit moves on to the next start (cyclically), so
    // that no prompt is without text.
    const size_t first = size_t(uniform_below(rng, starts));
    size_t start = first;
    size_t k = 0;
    for (size_t tries = 0; tries < starts && k == 0; ++tries) {
        start = (first + tries) % starts;
        if (st.sents[start].est <= budget) k = fill(start);
    }
    if (k == 0)
        throw InputError("no sentence of the " + st.role + " documents fits in a " + std::to_string(length) +
                         "-token prompt beside the question and needles; use longer lengths or fewer --distractors");
    if (needle_token == kNpos) throw RunError("internal error: the needle was not found in the encoded prompt");

    nlohmann::ordered_json docs = nlohmann::ordered_json::array();
    for (size_t i = start; i < start + k; ++i)
        if (i == start || st.sents[i].doc != st.sents[i - 1].doc) docs.push_back(st.docs[st.sents[i].doc].rel);
    const Needle& t = needles[0];
    nlohmann::ordered_json j;
    j["index"] = index;
    j["input"] = a.text;
    j["outputs"] = nlohmann::ordered_json::array({t.value});
    j["length"] = ids.size();
    j["depth"] = depth;
    j["needle_token"] = needle_token;
    j["key"] = t.key;
    j["task"] = c.task;
    j["documents"] = docs;
    if (c.niah) {
        nlohmann::ordered_json ds = nlohmann::ordered_json::array();
        for (size_t i = 1; i < needles.size(); ++i)
            ds.push_back({{"key", needles[i].key}, {"value", needles[i].value}, {"depth", needles[i].depth}});
        j["distractors"] = ds;
    }
    Example ex;
    ex.json = j.dump();
    ex.prompt = std::move(ids);
    ex.answer = tok.answer(t.value);
    ex.answer.push_back(tok.eos());
    return ex;
}

} // namespace seqpe::data::qa_gen
