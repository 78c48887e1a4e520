#pragma once
// The position-encoding name table: one row per encoding. Config validation, `seqpe --help`,
// `seqpe encodings`, the GUI's choices and the parametrised tests all read this table.
#include <string>
#include <vector>

namespace seqpe {

struct EncodingInfo {
    const char* name;          // config value of position_encoding.type
    const char* title;         // display name
    const char* description;   // one line
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
    const char* layer_probe;
    // Learned position vectors (not a relative score): they share a large common component, so the
    // Geometry view and the training snapshots open them in centred cosine rather than cosine.
    bool learned_embeddings() const { return learnable && !relative; }
    bool has_positions() const { return hooks[0] != '\0'; } // false: no position information at all
};

const std::vector<EncodingInfo>& encoding_table();
const EncodingInfo* find_encoding(const std::string& name);
std::vector<std::string> encoding_names();

} // namespace seqpe
