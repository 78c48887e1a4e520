#pragma once
// Helpers for engine tests: temporary directories and small synthetic datasets written through the
// same manifest/token writers the data tool uses (no SentencePiece needed).
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/token_file.h"
#include "seqpe/config.h"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace seqpe::test {

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
public:
    explicit TempDir(const std::string& tag = "t") {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("seqpe-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

private:
    std::filesystem::path path_;
};

// Tokens of a learnable stream: a random walk over `vocab` ids with mostly deterministic
// successors (id -> (a*id + b) % vocab), so a small model's loss falls within a few steps.
inline std::vector<uint32_t> pattern_tokens(int64_t n, int64_t vocab, uint64_t seed, double noise = 0.1) {
    std::mt19937_64 g(seed);
    std::vector<uint32_t> t(static_cast<size_t>(n));
    uint32_t cur = 1;
    for (int64_t i = 0; i < n; ++i) {
        t[static_cast<size_t>(i)] = cur;
        if (static_cast<double>(g() % 1000) / 1000.0 < noise)
            cur = static_cast<uint32_t>(g() % static_cast<uint64_t>(vocab));
        else
            cur = static_cast<uint32_t>((7 * cur + 3) % static_cast<uint64_t>(vocab));
    }
    return t;
}

// Writes a text dataset (train/valid/test) with the given vocabulary and split sizes.
inline std::filesystem::path write_text_dataset(const std::filesystem::path& dir, int64_t vocab, int64_t train_tokens,
                                                int64_t valid_tokens, int64_t test_tokens, uint64_t seed = 1) {
    std::filesystem::create_directories(dir);
    DatasetManifest m;
    m.kind = "text";
    m.name = "synthetic";
    m.recipe_hash = "synthetic" + std::to_string(vocab) + "-" + std::to_string(seed);
    m.split_rule = "synthetic";
    m.tokenizer.type = "byte";
    m.tokenizer.vocab_size = vocab;
    m.tokenizer.pieces_file = "pieces.txt";
    m.tokenizer.eos_id = vocab - 1;
    m.token_dtype = vocab > 65535 ? "uint32" : "uint16";
    std::string pieces;
    for (int64_t i = 0; i < vocab; ++i) pieces += "t" + std::to_string(i) + "\n";
    write_file_atomic(dir / "pieces.txt", pieces);
    const int64_t sizes[3] = {train_tokens, valid_tokens, test_tokens};
    const char* names[3] = {"train", "valid", "test"};
    for (int s = 0; s < 3; ++s) {
        const auto toks = pattern_tokens(sizes[s], vocab, seed + static_cast<uint64_t>(s));
        write_tokens(dir / (std::string(names[s]) + ".tokens"), toks, m.token_bytes());
        const std::vector<uint64_t> docs = {0};
        write_u64(dir / (std::string(names[s]) + ".docs"), docs);
        SplitInfo si;
        si.name = names[s];
        si.count = static_cast<uint64_t>(sizes[s]);
        si.documents = 1;
        si.file = std::string(names[s]) + ".tokens";
        si.docs_file = std::string(names[s]) + ".docs";
        m.splits.push_back(si);
    }
    write_manifest(dir, m);
    return dir;
}

// Writes an image dataset of patch-aligned bars (3 patches long, 1 patch thick) at random places:
// class 0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal; plus pixel noise. Every class has
// the same number of bright patches, so a ViT without positions cannot tell them apart, while any
// encoding of (relative or absolute) position can.
inline std::filesystem::path write_image_dataset(const std::filesystem::path& dir, int64_t n_train, int64_t n_valid,
                                                 int64_t n_test, int size = 16, int patch = 4, uint64_t seed = 1) {
    std::filesystem::create_directories(dir);
    const int classes = 4, g = size / patch;
    DatasetManifest m;
    m.kind = "image";
    m.name = "synthetic-bars";
    m.recipe_hash = "synthetic-bars-" + std::to_string(size);
    m.image.height = size;
    m.image.width = size;
    m.image.channels = 1;
    for (const char* n : {"horizontal", "vertical", "diagonal", "anti-diagonal"}) m.image.classes.push_back(n);
    m.image.label_dtype = "uint8";
    m.image.mean = {0.25};
    m.image.std = {0.3};
    std::mt19937_64 rng(seed);
    const int64_t counts[3] = {n_train, n_valid, n_test};
    const char* names[3] = {"train", "valid", "test"};
    const int dr[4] = {0, 1, 1, 1}, dc[4] = {1, 0, 1, -1};
    for (int s = 0; s < 3; ++s) {
        std::string px, labels;
        for (int64_t i = 0; i < counts[s]; ++i) {
            const int k = static_cast<int>(rng() % classes);
            labels.push_back(static_cast<char>(k));
            std::vector<int> bright(static_cast<size_t>(g * g), 0);
            // a start such that all 3 cells stay on the grid
            int r0, c0;
            do {
                r0 = static_cast<int>(rng() % static_cast<uint64_t>(g));
                c0 = static_cast<int>(rng() % static_cast<uint64_t>(g));
            } while (r0 + 2 * dr[k] >= g || c0 + 2 * dc[k] >= g || c0 + 2 * dc[k] < 0);
            for (int j = 0; j < 3; ++j) bright[static_cast<size_t>((r0 + j * dr[k]) * g + c0 + j * dc[k])] = 1;
            for (int r = 0; r < size; ++r)
                for (int c = 0; c < size; ++c) {
                    const int v = (bright[static_cast<size_t>((r / patch) * g + c / patch)] ? 200 : 30) +
                                  static_cast<int>(rng() % 40);
                    px.push_back(static_cast<char>(static_cast<uint8_t>(v)));
                }
        }
        write_file_atomic(dir / (std::string(names[s]) + ".images"), px);
        write_file_atomic(dir / (std::string(names[s]) + ".labels"), labels);
        SplitInfo si;
        si.name = names[s];
        si.count = static_cast<uint64_t>(counts[s]);
        si.file = std::string(names[s]) + ".images";
        si.labels_file = std::string(names[s]) + ".labels";
        m.splits.push_back(si);
    }
    write_manifest(dir, m);
    return dir;
}

// A tiny ViT config on write_image_dataset(): 16x16 images, patch 4 (a 4x4 grid).
inline RunConfig tiny_image_config(const std::string& encoding = "learned") {
    RunConfig c;
    c.task = "image";
    c.runtime.precision = "fp32"; // the same numbers on every CPU (auto is bf16 where it is native)
    c.data.image_size = 16;
    c.model.patch_size = 4;
    c.model.n_layer = 2;
    c.model.d_model = 32;
    c.model.n_head = 4;
    c.model.mlp_ratio = 2;
    c.train.batch_size = 16;
    c.train.steps = 30;
    c.train.eval_every = 10;
    c.train.eval_batches = 2;
    c.train.checkpoint_every = 10;
    c.train.seed = 3;
    c.optim.lr = 3e-3;
    c.optim.min_lr = 3e-4;
    c.optim.warmup_steps = 5;
    c.position_encoding.type = encoding;
    auto& s = c.position_encoding.seqpe;
    s.max_position = 400; // 20 x 20
    s.layers = 1;
    s.shift.layouts = 4;
    s.contrastive.batch = 4;
    s.contrastive.candidates = 8;
    s.contrastive.window = 16;
    s.transfer.batch = 4;
    s.transfer.positions = 8;
    c.eval.image_sizes = {16, 24, 32};
    c.runtime.threads = 2;
    return c;
}

// A tiny language-model config that trains in well under a second per step.
// A run of `steps` steps with no validation, checkpoint or snapshot on the way (the last step still
// checkpoints): for tests that look at the records of a few steps.
inline void short_run(RunConfig& c, int64_t steps) {
    c.train.steps = steps;
    c.train.eval_every = 0;
    c.train.checkpoint_every = 0;
    c.train.snapshot_every = 0;
}

inline RunConfig tiny_lm_config(const std::string& encoding = "learned") {
    RunConfig c;
    c.task = "lm";
    c.runtime.precision = "fp32"; // the same numbers on every CPU (auto is bf16 where it is native)
    c.model.n_layer = 2;
    c.model.d_model = 32;
    c.model.n_head = 4;
    c.model.mlp_ratio = 2;
    c.train.seq_len = 16;
    c.train.batch_size = 8;
    c.train.steps = 30;
    c.train.eval_every = 10;
    c.train.eval_batches = 2;
    c.train.checkpoint_every = 10;
    c.train.seed = 7;
    c.optim.lr = 3e-3;
    c.optim.min_lr = 3e-4;
    c.optim.warmup_steps = 5;
    c.position_encoding.type = encoding;
    auto& s = c.position_encoding.seqpe;
    s.max_position = 1000;
    s.layers = 1;
    s.shift.layouts = 4;
    s.contrastive.batch = 4;
    s.contrastive.candidates = 8;
    s.contrastive.window = 32;
    s.transfer.batch = 4;
    s.transfer.positions = 8;
    c.eval.length_multipliers = {1, 2, 4};
    c.runtime.threads = 2;
    return c;
}

} // namespace seqpe::test
