// make_position_encoding: each row of the encodings table (seqpe/encodings.h) -> its implementation.
// A new encoding adds one line here (its factory); everything else about it is its own file and
// its row in the table.
#include "pe/absolute.h"
#include "pe/alibi.h"
#include "pe/encoding.h"
#include "pe/fire.h"
#include "pe/kerple.h"
#include "pe/rope.h"
#include "pe/seqpe/seqpe.h"
#include "pe/t5_bias.h"
#include "pe/xpos.h"
#include "seqpe/common/error.h"
#include "seqpe/common/text.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"

#include <cmath>
#include <functional>
#include <map>

namespace seqpe {

namespace {

template <class T, class... A> PositionEncoding make(A&&... args) {
    return PositionEncoding(std::shared_ptr<PositionEncodingImpl>(std::make_shared<T>(std::forward<A>(args)...)));
}

RopeOptions rope_options(const PositionEncodingConfig& pe, bool mixed) {
    RopeOptions o;
    o.base = pe.base;
    o.mixed = mixed;
    o.run.mode = pe.rope_scaling;
    o.run.s = pe.rope_factor;
    o.run.alpha = o.alpha = pe.yarn_alpha;
    o.run.beta = o.beta = pe.yarn_beta;
    return o;
}

using Factory = std::function<PositionEncoding(const ResolvedConfig&, const PeModelInfo&)>;

const std::map<std::string, Factory>& factories() {
    static const std::map<std::string, Factory> table = {
        {"seqpe", [](const ResolvedConfig& c, const PeModelInfo& i) { return make<SeqPeImpl>(c, i); }},
        {"learned", [](const ResolvedConfig&, const PeModelInfo& i) { return make<LearnedImpl>(i); }},
        {"sinusoidal",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             // sin/cos have RMS 1/sqrt(2): "auto" gives them the RMS of the content embedding.
             const auto& pe = c.position_encoding;
             const double scale = pe.sin_scale > 0 ? pe.sin_scale : i.content_rms * std::sqrt(2.0);
             return make<SinusoidalImpl>(i, pe.base, pe.sin_2d == "flat", scale);
         }},
        {"rope", [](const ResolvedConfig& c,
                    const PeModelInfo& i) { return make<RopeImpl>(i, rope_options(c.position_encoding, false)); }},
        {"rope_mixed", [](const ResolvedConfig& c,
                          const PeModelInfo& i) { return make<RopeImpl>(i, rope_options(c.position_encoding, true)); }},
        {"xpos",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             const auto& pe = c.position_encoding;
             return make<XposImpl>(i, rope_options(pe, false), pe.xpos_scale_base, pe.xpos_gamma);
         }},
        {"alibi",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             return make<AlibiImpl>(i, c.position_encoding.alibi_scaling == "official");
         }},
        {"t5",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             return make<T5BiasImpl>(i, c.position_encoding.t5_buckets, c.position_encoding.t5_max_distance);
         }},
        {"fire",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             const auto& pe = c.position_encoding;
             return make<FireImpl>(i, pe.fire_width, pe.fire_c, pe.fire_threshold);
         }},
        {"kerple",
         [](const ResolvedConfig& c, const PeModelInfo& i) {
             return make<KerpleImpl>(i, c.position_encoding.kerple_variant == "power");
         }},
        {"none", [](const ResolvedConfig&, const PeModelInfo& i) { return make<NoneImpl>(i); }},
    };
    return table;
}

} // namespace

bool has_implementation(const std::string& name) {
    return factories().count(name) > 0;
}

PositionEncoding make_position_encoding(const ResolvedConfig& c, const PeModelInfo& info) {
    const auto& pe = c.position_encoding;
    const EncodingInfo* e = find_encoding(pe.type);
    const auto f = factories().find(pe.type);
    if (!e || f == factories().end())
        throw InputError("position_encoding.type: unknown encoding '" + quote_for_message(pe.type) +
                         "'; see `seqpe encodings`");
    if ((info.dims == 1 && !e->text) || (info.dims == 2 && !e->image))
        throw InputError("position_encoding.type: " + std::string(e->title) + " has no " +
                         (info.dims == 1 ? "1D (text)" : "2D (image)") + " form");
    return f->second(c, info);
}

} // namespace seqpe
