// make_position_encoding: the name table's entries -> implementations.
#include "pe/absolute.h"
#include "pe/encoding.h"
#include "pe/relative.h"
#include "pe/seqpe/seqpe.h"
#include "seqpe/common/error.h"
#include "seqpe/common/text.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"

#include <cmath>

namespace seqpe {

template <class T, class... A> static PositionEncoding make(A&&... args) {
    return PositionEncoding(std::shared_ptr<PositionEncodingImpl>(std::make_shared<T>(std::forward<A>(args)...)));
}

PositionEncoding make_position_encoding(const RunConfig& config, const PeModelInfo& info) {
    const RunConfig c = resolve_auto(config);
    const auto& pe = c.position_encoding;
    const EncodingInfo* e = find_encoding(pe.type);
    if (!e)
        throw InputError("position_encoding.type: unknown encoding '" + quote_for_message(pe.type) +
                         "'; see `seqpe encodings`");
    if ((info.dims == 1 && !e->text) || (info.dims == 2 && !e->image))
        throw InputError("position_encoding.type: " + std::string(e->title) + " has no " +
                         (info.dims == 1 ? "1D (text)" : "2D (image)") + " form");
    if (pe.type == "seqpe") return make<SeqPeImpl>(c, info);
    if (pe.type == "learned") return make<LearnedImpl>(info);
    if (pe.type == "sinusoidal") {
        // sin/cos have RMS 1/sqrt(2): "auto" gives them the RMS of the content embedding.
        const double scale = pe.sin_scale > 0 ? pe.sin_scale : info.content_rms * std::sqrt(2.0);
        return make<SinusoidalImpl>(info, pe.base, pe.sin_2d == "flat", scale);
    }
    if (pe.type == "rope") return make<RopeImpl>(info, pe.base, false);
    if (pe.type == "rope_mixed") return make<RopeImpl>(info, pe.base, true);
    if (pe.type == "alibi") return make<AlibiImpl>(info, pe.alibi_scaling == "official");
    return make<NoneImpl>(info);
}

} // namespace seqpe
