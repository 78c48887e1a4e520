#pragma once
// Internals of the QA generator (qa.cpp): the dataset's own tokenizer, the sentence streams that
// haystacks are cut from, and the making of one example (qa_prompt.cpp). Not a public header.
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"
#include "seqpe/data/qa.h"

#include <sentencepiece_processor.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace seqpe::data::qa_gen {

inline constexpr size_t kNpos = std::numeric_limits<size_t>::max();

// The dataset's tokenizer: bytes (0..255, eos 256) or the SentencePiece model of the text dataset.
class QaTokenizer {
public:
    QaTokenizer(const DatasetManifest& m, const fs::path& dir) : eos_(uint32_t(m.tokenizer.eos_id)) {
        if (m.tokenizer.type == "byte") {
            bpe_ = false;
            if (m.tokenizer.eos_id != 256 || m.tokenizer.vocab_size != 257)
                throw InputError(dir.string() + ": byte tokenizer with vocabulary " +
                                 std::to_string(m.tokenizer.vocab_size) + " and eos " +
                                 std::to_string(m.tokenizer.eos_id) +
                                 " (expected 257 and 256); prepare the text dataset again");
        } else if (m.tokenizer.type == "sentencepiece-bpe") {
            bpe_ = true;
            if (m.tokenizer.model_file.empty())
                throw InputError(dir.string() +
                                 ": the manifest names no tokenizer model; prepare the text dataset again");
            const std::string model = read_file(dir / m.tokenizer.model_file);
            if (const auto st = sp_.LoadFromSerializedProto(model); !st.ok())
                throw InputError((dir / m.tokenizer.model_file).string() + ": not a SentencePiece model (" +
                                 st.message() + "); prepare the text dataset again");
            if (sp_.GetPieceSize() != m.tokenizer.vocab_size || sp_.eos_id() != m.tokenizer.eos_id)
                throw InputError(
                    (dir / m.tokenizer.model_file).string() +
                    ": does not match the manifest's vocabulary or eos id; prepare the text dataset again");
            // The answer " {value}" is encoded as {value} with SentencePiece's dummy prefix.
            std::vector<std::string> probe;
            (void)sp_.Encode("1", &probe);
            if (probe.empty() || probe[0].rfind("\xE2\x96\x81", 0) != 0)
                throw InputError(
                    (dir / m.tokenizer.model_file).string() +
                    ": the model adds no dummy prefix; prepare the text dataset again with this seqpe-data");
        } else {
            throw InputError(dir.string() + ": tokenizer type '" + m.tokenizer.type + "' is not supported for QA");
        }
        if (m.tokenizer.eos_id < 0) throw InputError(dir.string() + ": the tokenizer has no eos id");
    }

    bool bpe() const { return bpe_; }
    uint32_t eos() const { return eos_; }

    size_t count(std::string_view t) const {
        if (!bpe_) return t.size();
        std::vector<int> ids;
        if (const auto st = sp_.Encode(t, &ids); !st.ok())
            throw RunError(std::string("SentencePiece cannot encode a prompt: ") + st.message());
        return ids.size();
    }

    // Tokens of `t` after a joining space (for SentencePiece the dummy prefix is that space).
    size_t count_joined(std::string_view t) const { return bpe_ ? count(t) : t.size() + 1; }

    // The ids of `t`; *mark_token is the index of the first token holding byte `mark` or a later one
    // (npos when none does).
    std::vector<uint32_t> encode(std::string_view t, size_t mark, size_t* mark_token) const {
        std::vector<uint32_t> ids;
        *mark_token = kNpos;
        if (!bpe_) {
            ids.reserve(t.size());
            for (const char c : t) ids.push_back(static_cast<unsigned char>(c));
            if (mark < t.size()) *mark_token = mark;
            return ids;
        }
        sentencepiece::ImmutableSentencePieceText spt;
        if (const auto st = sp_.Encode(t, spt.mutable_proto()); !st.ok())
            throw RunError(std::string("SentencePiece cannot encode a prompt: ") + st.message());
        const size_t n = spt.pieces_size();
        ids.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const auto p = spt.pieces(int(i));
            ids.push_back(p.id());
            // The first piece with a byte at or after `mark`; an empty piece at `mark` (the dummy
            // prefix of a prompt that starts with the needle) counts as the needle's.
            if (*mark_token == kNpos && (p.end() > mark || p.begin() >= mark)) *mark_token = i;
        }
        return ids;
    }

    // The tokens of " " + value (without eos), as they follow a prompt.
    std::vector<uint32_t> answer(std::string_view value) const {
        std::vector<uint32_t> ids;
        if (!bpe_) {
            ids.push_back(' ');
            for (const char c : value) ids.push_back(static_cast<unsigned char>(c));
            return ids;
        }
        std::vector<int> v;
        if (const auto st = sp_.Encode(value, &v); !st.ok())
            throw RunError(std::string("SentencePiece cannot encode an answer: ") + st.message());
        ids.assign(v.begin(), v.end());
        return ids;
    }

private:
    bool bpe_ = false;
    uint32_t eos_ = 0;
    sentencepiece::SentencePieceProcessor sp_;
};

struct QaDoc {
    std::string rel;
    std::string text;
};

struct Sentence {
    uint32_t doc = 0;
    std::string_view text;
    std::string_view sep; // the text between the previous sentence and this one ("\n" across documents)
    uint64_t est = 0;     // estimated tokens of sep + text
};

// The sentences of one split role's documents, in order.
struct Stream {
    std::string role;
    std::vector<QaDoc> docs;
    std::vector<Sentence> sents;
    std::vector<uint64_t> suffix; // suffix[i]: estimated tokens of sentences i..end
    uint64_t total() const { return suffix.empty() ? 0 : suffix[0]; }
};

// Splits every document of `st` into sentences (split_sentences, kQaSentenceMaxBytes).
void build_sentences(Stream& st);

struct Ctx {
    const QaTokenizer* tok = nullptr;
    std::string task;
    bool niah = true;
    int distractors = 0;
    uint64_t seed = 0;
    const std::vector<std::string>* keys = nullptr;
};

struct Example {
    std::string json;
    std::vector<uint32_t> prompt;
    std::vector<uint32_t> answer; // eos included
};

// Example `index` of split `split`, `length` tokens at most; fixed_depth < 0: a uniform depth.
// Deterministic from (c.seed, split, index). Throws InputError when the text cannot hold it.
Example make_example(const Ctx& c, const Stream& st, const std::string& split, uint64_t index, uint64_t length,
                     int fixed_depth);

} // namespace seqpe::data::qa_gen
