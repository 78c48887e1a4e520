#pragma once
// The position-encoding table: one row per encoding, holding everything about it that is not its
// tensor maths. Config validation (its constraints), the option table (which position_encoding.*
// options it reads), evaluation (its notes, the RoPE extensions), `seqpe encodings`, the GUI's
// choices, the Geometry view and the parametrised tests all read this table; nothing else names an
// encoding. The maths lives in engine/torch/src/pe/ (one file per encoding, registered by name in
// registry.cpp). A new encoding is its implementation file, its row here, its factory line and its
// golden (docs/ARCHITECTURE.md §8).
#include "seqpe/config.h"
#include "seqpe/diagnostics.h"

#include <string>
#include <vector>

namespace seqpe {

struct EncodingInfo {
    const char* name;          // config value of position_encoding.type
    const char* title;         // display name
    const char* description;   // one line, with the paper
    bool text;                 // usable in the language model (1D positions)
    bool image;                // usable in the ViT (2D positions)
    bool learnable;            // has trainable parameters
    bool relative;             // its position information is a function of q-k offsets (geometry shows
                               // the induced score, not embeddings; no metric or PCA applies)
    const char* hooks;         // where it acts: "input", "qk", "bias" (comma separated)
    const char* extrapolation; // how it reaches unseen lengths/resolutions
    // What the Geometry view can show per layer besides the shared encoding: "qk-pe" (SeqPE applied
    // to q/k: a layer's query-PE against its key-PE), "frequencies" (learned rotary frequencies per
    // layer), "" (one encoding for every layer).
    const char* layer_probe = "";
    // The position_encoding.* options it reads besides `type` and the randomized positions, comma
    // separated; a name ending in '.' is a prefix ("position_encoding.seqpe."). The option table
    // greys out the others.
    const char* options = "";
    // Rotates q and k by position: RoPE's context extensions apply (evaluation modes ntk,
    // dynamic-ntk and yarn; position_encoding.rope_scaling for fine-tuning).
    bool rotary = false;
    // Rules on other fields (head size, width, its own options); nullptr: none. Each problem names
    // the field to change.
    void (*check)(const RunConfig& resolved, std::vector<Diagnostic>& out) = nullptr;
    // Evaluation notes, with {train} replaced by the training length (text) or size (image): at a
    // length or size other than the trained one, and in "interpolate" mode. Empty: none.
    const char* resized_note = "";
    const char* interpolate_note = "";

    // Learned position vectors (not a relative score): they share a large common component, so the
    // Geometry view and the training snapshots open them in centred cosine rather than cosine.
    bool learned_embeddings() const { return learnable && !relative; }
    bool has_positions() const { return hooks[0] != '\0'; } // false: no position information at all
    // Whether it reads option `path` (position_encoding.type and the randomized-positions options
    // apply to every encoding with positions).
    bool reads(const std::string& path) const;
};

const std::vector<EncodingInfo>& encoding_table();
const EncodingInfo* find_encoding(const std::string& name);
std::vector<std::string> encoding_names();
// The relevance of a position_encoding.* option for a config: whether its encoding reads it.
bool encoding_reads(const RunConfig& c, const std::string& path);

// The RoPE context extensions an evaluation can apply (training-free): eval.mode values besides
// extend and interpolate, for rotary encodings only.
const std::vector<std::string>& rope_extension_modes(); // "ntk", "dynamic-ntk", "yarn"
// The evaluation modes a config's eval.mode expands to for its encoding: "both" is extend and
// interpolate, "all" every mode the encoding supports (the RoPE extensions for rotary encodings).
std::vector<std::string> evaluation_modes(const RunConfig& c, const std::string& mode);

} // namespace seqpe
