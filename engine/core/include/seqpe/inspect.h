#pragma once
// Probes of a trained (or training) model for the views: position-embedding geometry, the relative
// score of RoPE and ALiBi, PCA projections, attention maps of an image or a text. Plain buffers
// only (Matrix = floats + shape). An Inspector is used from one thread: its own (open_inspector in
// seqpe/engine.h), or the training thread (Trainer::post gives access to the trainer's inspector between steps).
#include "seqpe/config.h"
#include "seqpe/matrix.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace seqpe {

struct GeometryRequest {
    // 1D: positions first .. first + count - 1 (count 0: twice the training length, at most 512).
    int64_t first = 0, count = 0;
    // 2D: a rows x cols grid from (row0, col0) (rows 0: twice the training grid side).
    int64_t rows = 0, cols = 0, row0 = 0, col0 = 0;
    std::string metric = "cosine"; // dot | cosine | centred (cosine after removing the mean) | l2
    int64_t layer = -1;            // SeqPE with a q/k map: >= 0 compares the query-PE of this layer
                                   // with the key-PE (pq . pk); rope_mixed: the layer's frequencies
    int64_t head = -1;             // relative scores and q/k PEs: one head, or -1 for the mean
    // extend: the positions as they are; interpolate: read as the interpolate evaluation reads
    // them (a larger grid or text spread over the trained range: resampled tables and SeqPE, scaled
    // positions for sinusoidal and rotary encodings).
    std::string mode = "extend";
};

struct GeometryResult {
    std::string kind;        // "embedding": vectors compared by the metric; "relative": the score
                             // the encoding adds to q.k (RoPE, ALiBi); "none": no positions
    std::string description; // what the matrix shows, for titles
    std::string metric;
    std::string mode = "extend";    // the request's mode
    Matrix matrix;                  // (N, N)
    Matrix projection;              // (N, 2): PCA of the embeddings (empty for relative encodings)
    double explained[2] = {0, 0};   // share of variance of the two components
    std::vector<int64_t> positions; // N x dims, flattened
    int dims = 1;
    int64_t rows = 0, cols = 0; // 2D grid
    int64_t train_extent = 0;   // 1D: training length; 2D: training grid side
    // Spearman correlation between embedding distance (or -score) and position distance over all
    // pairs: 1 means farther positions are always less similar.
    double rank_correlation = std::nan("");
    // Relative encodings: what one query adds to its keys at distance 0, 1, ..., D - 1, per head
    // (H, D): 1D the last position shown against the keys before it (FIRE's normalisation depends on
    // the query's position: the far end of the request), 2D the first patch of the grid against
    // the patches of its row. Empty otherwise. profile_query: that query's position (1D) or -1.
    Matrix profile;
    int64_t profile_query = -1;
};

struct AttentionResult {
    Matrix probs;                                     // (L, H, T, T): layer, head, query, key
    std::vector<std::string> tokens;                  // text: a label per token
    std::vector<std::string> predicted;               // text: the label of the argmax next token per position
    int64_t answer_start = -1;                        // algorithmic: the first answer token's index
    int64_t grid_rows = 0, grid_cols = 0, prefix = 0; // image: patch grid and class token(s)
    int64_t predicted_class = -1;                     // image
    std::vector<std::string> classes;
};

class Inspector {
public:
    virtual ~Inspector() = default;
    virtual const RunConfig& config() const = 0;
    virtual int64_t step() const = 0;
    virtual GeometryResult geometry(const GeometryRequest& r) = 0;
    // An image of height x width x channels uint8 pixels, resized to size x size (a multiple of the
    // patch size), through the ViT; attention of every layer and head.
    virtual AttentionResult image_attention(const std::vector<uint8_t>& pixels, int height, int width, int channels,
                                            int size) = 0;
    // Token ids through the language model; labels from the dataset's pieces (or the ids).
    virtual AttentionResult text_attention(const std::vector<int64_t>& tokens) = 0;
    // Samples of the run's dataset (test split): a token window, or one image (pixels, h, w, c, label).
    // Algorithmic runs: test instance `offset` of length `length` (the tokens the model reads).
    virtual std::vector<int64_t> sample_tokens(int64_t offset, int64_t length) = 0;
    // A text of the user's, tokenised with the run's dataset tokenizer (seqpe-data encode); an
    // algorithmic run's one character per token (parse_algo_text).
    virtual std::vector<int64_t> encode_text(const std::string& text) = 0;
    virtual std::vector<uint8_t> sample_image(int64_t index, int* height, int* width, int* channels,
                                              int64_t* label) = 0;
};

// Snapshot files (snapshots/step-00000200.npy + .json): geometry saved during training.
void write_geometry_snapshot(const std::filesystem::path& dir, int64_t step, const GeometryResult& g);
GeometryResult read_geometry_snapshot(const std::filesystem::path& json_file); // throws InputError
// The measure the views and the training snapshots start with: centred cosine for learned
// embeddings (SeqPE, the learnable table), whose shared component makes raw cosine near 1
// everywhere; plain cosine for the analytic ones.
std::string default_geometry_metric(const RunConfig& c);
std::vector<std::pair<int64_t, std::filesystem::path>> list_geometry_snapshots(const std::filesystem::path& run_dir);

} // namespace seqpe
