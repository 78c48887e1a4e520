// The one table of position encodings (see encodings.h): each row's facts, options and rules.
#include "seqpe/encodings.h"

#include "validate_seqpe.h"

namespace seqpe {

namespace {

std::string s(int64_t v) {
    return std::to_string(v);
}

int64_t head_dim(const RunConfig& c) {
    return c.model.d_model / std::max<int64_t>(1, c.model.n_head);
}

// Rotary encodings turn pairs of a head's channels; the 2D axial form splits them over two axes.
void check_rotary(const RunConfig& c, std::vector<Diagnostic>& out) {
    const int64_t need = c.task == "image" ? 4 : 2;
    if (head_dim(c) % need != 0)
        out.push_back({"model.n_head", "rotary encodings need a head size divisible by " + s(need) +
                                           "; d_model / n_head = " + s(head_dim(c))});
}

void check_sinusoidal(const RunConfig& c, std::vector<Diagnostic>& out) {
    const int64_t need = c.task == "image" && c.position_encoding.sin_2d == "axial" ? 4 : 2;
    if (c.model.d_model % need != 0)
        out.push_back({"model.d_model", "sinusoidal features need a width divisible by " + s(need)});
}

void check_t5(const RunConfig& c, std::vector<Diagnostic>& out) {
    const auto& pe = c.position_encoding;
    // Half the buckets are exact distances, the other half log-spaced up to the max distance.
    if (pe.t5_max_distance <= pe.t5_buckets / 2)
        out.push_back({"position_encoding.t5_max_distance",
                       s(pe.t5_max_distance) + " is not beyond the " + s(pe.t5_buckets / 2) +
                           " exact buckets (half of t5_buckets): raise it, or lower t5_buckets"});
}

constexpr const char* kRopeOptions = "position_encoding.base,position_encoding.rope_scaling,"
                                     "position_encoding.rope_factor,position_encoding.yarn_alpha,"
                                     "position_encoding.yarn_beta";

} // namespace

const std::vector<EncodingInfo>& encoding_table() {
    static const std::vector<EncodingInfo> table = {
        {.name = "seqpe",
         .title = "SeqPE",
         .description = "a position written as digits, embedded by a small causal transformer (Li et al. 2025)",
         .text = true,
         .image = true,
         .learnable = true,
         .relative = false,
         .hooks = "input or qk",
         .extrapolation = "extend: encode unseen positions; interpolate: resample the trained grid",
         .layer_probe = "qk-pe",
         .options = "position_encoding.seqpe.",
         .check = check_seqpe},
        {.name = "learned",
         .title = "Learnable absolute",
         .description = "a trained table with one vector per training position",
         .text = true,
         .image = true,
         .learnable = true,
         .relative = false,
         .hooks = "input",
         .extrapolation = "interpolate the table (linear in 1D, bicubic in 2D)",
         .resized_note = "learned table interpolated from the trained {train} (linear in 1D, bicubic in 2D)"},
        {.name = "sinusoidal",
         .title = "Sinusoidal",
         .description = "fixed sin/cos features (Vaswani et al. 2017); 2D: half the channels per axis",
         .text = true,
         .image = true,
         .learnable = false,
         .relative = false,
         .hooks = "input",
         .extrapolation = "extend: evaluate the formula at unseen positions",
         .options = "position_encoding.base,position_encoding.sin_2d,position_encoding.sin_scale",
         .check = check_sinusoidal},
        {.name = "rope",
         .title = "RoPE",
         .description = "rotary q/k (Su et al. 2021); 2D: axial, half the frequencies per axis",
         .text = true,
         .image = true,
         .learnable = false,
         .relative = true,
         .hooks = "qk",
         .extrapolation = "extend: rotate by unseen positions; interpolate (PI), ntk, dynamic-ntk, yarn",
         .options = kRopeOptions,
         .rotary = true,
         .check = check_rotary},
        {.name = "rope_mixed",
         .title = "RoPE-Mixed",
         .description = "rotary q/k with learnable 2D frequencies per layer and head (Heo et al. 2024)",
         .text = false,
         .image = true,
         .learnable = true,
         .relative = true,
         .hooks = "qk",
         .extrapolation = "extend: rotate by unseen positions; interpolate (PI), ntk, dynamic-ntk, yarn",
         .layer_probe = "frequencies",
         .options = kRopeOptions,
         .rotary = true,
         .check = check_rotary},
        {.name = "xpos",
         .title = "xPos",
         .description = "RoPE with an exponential decay with distance (Sun et al. 2022); causal text only",
         .text = true,
         .image = false,
         .learnable = false,
         .relative = true,
         .hooks = "qk",
         .extrapolation = "extend: rotate and decay by unseen positions; interpolate (PI), ntk, dynamic-ntk, yarn",
         .options = "position_encoding.base,position_encoding.rope_scaling,position_encoding.rope_factor,"
                    "position_encoding.yarn_alpha,position_encoding.yarn_beta,position_encoding.xpos_scale_base,"
                    "position_encoding.xpos_gamma",
         .rotary = true,
         .check = check_rotary},
        {.name = "alibi",
         .title = "ALiBi",
         .description = "linear distance penalty per head (Press et al. 2022); 2D: Euclidean patch distance",
         .text = true,
         .image = true,
         .learnable = false,
         .relative = true,
         .hooks = "bias",
         .extrapolation = "extend: the bias is defined at every distance",
         .options = "position_encoding.alibi_scaling"},
        {.name = "t5",
         .title = "T5 bias",
         .description = "a learned scalar per head and log-spaced distance bucket (Raffel et al. 2020); 2D: per-axis "
                        "buckets of the row and column offsets",
         .text = true,
         .image = true,
         .learnable = true,
         .relative = true,
         .hooks = "bias",
         .extrapolation = "extend: distances past the last bucket share it",
         .options = "position_encoding.t5_buckets,position_encoding.t5_max_distance",
         .check = check_t5},
        {.name = "fire",
         .title = "FIRE",
         .description = "an MLP of the log distance normalised by the query position (Li et al. 2024); causal text "
                        "only",
         .text = true,
         .image = false,
         .learnable = true,
         .relative = true,
         .hooks = "bias",
         .extrapolation = "extend: progressive interpolation maps every distance into [0, 1]",
         .options = "position_encoding.fire_width,position_encoding.fire_c,position_encoding.fire_threshold"},
        {.name = "kerple",
         .title = "KERPLE",
         .description = "a learned kernel of the distance per head (Chi et al. 2022): log or power; 2D: Euclidean "
                        "patch distance",
         .text = true,
         .image = true,
         .learnable = true,
         .relative = true,
         .hooks = "bias",
         .extrapolation = "extend: the kernel is defined at every distance",
         .options = "position_encoding.kerple_variant"},
        {.name = "none",
         .title = "None (NoPE)",
         .description = "no position information; causal masking alone (text) or none (image)",
         .text = true,
         .image = true,
         .learnable = false,
         .relative = false,
         .hooks = "",
         .extrapolation = "nothing to extend",
         .interpolate_note = "no positions to interpolate: same as extend"},
    };
    return table;
}

bool EncodingInfo::reads(const std::string& path) const {
    if (path == "position_encoding.type") return true;
    if (path.rfind("position_encoding.randomize", 0) == 0) return has_positions();
    const std::string list = options;
    size_t start = 0;
    while (start < list.size()) {
        const size_t end = std::min(list.find(',', start), list.size());
        const std::string item = list.substr(start, end - start);
        if (!item.empty() && (item == path || (item.back() == '.' && path.rfind(item, 0) == 0))) return true;
        start = end + 1;
    }
    return false;
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

bool encoding_reads(const RunConfig& c, const std::string& path) {
    const EncodingInfo* e = find_encoding(c.position_encoding.type);
    return e && e->reads(path);
}

const std::vector<std::string>& rope_extension_modes() {
    static const std::vector<std::string> modes = {"ntk", "dynamic-ntk", "yarn"};
    return modes;
}

std::vector<std::string> evaluation_modes(const RunConfig& c, const std::string& mode) {
    if (mode == "both") return {"extend", "interpolate"};
    if (mode != "all") return {mode};
    std::vector<std::string> out = {"extend", "interpolate"};
    const EncodingInfo* e = find_encoding(c.position_encoding.type);
    if (e && e->rotary) out.insert(out.end(), rope_extension_modes().begin(), rope_extension_modes().end());
    return out;
}

} // namespace seqpe
