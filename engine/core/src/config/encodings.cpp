// The one table of position encodings (see encodings.h).
#include "seqpe/encodings.h"

namespace seqpe {

const std::vector<EncodingInfo>& encoding_table() {
    static const std::vector<EncodingInfo> table = {
        {"seqpe", "SeqPE", "a position written as digits, embedded by a small causal transformer (Li et al. 2025)",
         true, true, true, false, "input or qk",
         "extend: encode unseen positions; interpolate: resample the trained grid", "qk-pe"},
        {"learned", "Learnable absolute", "a trained table with one vector per training position", true, true, true,
         false, "input", "interpolate the table (linear in 1D, bicubic in 2D)", ""},
        {"sinusoidal", "Sinusoidal", "fixed sin/cos features (Vaswani et al. 2017); 2D: half the channels per axis",
         true, true, false, false, "input", "extend: evaluate the formula at unseen positions", ""},
        {"rope", "RoPE", "rotary q/k (Su et al. 2021); 2D: axial, half the frequencies per axis", true, true, false,
         true, "qk", "extend: rotate by unseen positions; interpolate: scale positions", ""},
        {"rope_mixed", "RoPE-Mixed", "rotary q/k with learnable 2D frequencies per layer and head (Heo et al. 2024)",
         false, true, true, true, "qk", "extend: rotate by unseen positions; interpolate: scale positions",
         "frequencies"},
        {"alibi", "ALiBi", "linear distance penalty per head (Press et al. 2022); 2D: Euclidean patch distance", true,
         true, false, true, "bias", "extend: the bias is defined at every distance", ""},
        {"none", "None (NoPE)", "no position information; causal masking alone (text) or none (image)", true, true,
         false, false, "", "nothing to extend", ""},
    };
    return table;
}

const EncodingInfo* find_encoding(const std::string& name) {
    for (const auto& e : encoding_table())
        if (name == e.name) return &e;
    return nullptr;
}

std::vector<std::string> encoding_names() {
    std::vector<std::string> out;
    for (const auto& e : encoding_table()) out.emplace_back(e.name);
    return out;
}

} // namespace seqpe
