// The default relative score of an encoding: the bias of one forward pass.
#include "pe/encoding.h"

namespace seqpe {

torch::Tensor PositionEncodingImpl::relative_score(const Layout& layout, int64_t layer, std::string* description) {
    torch::NoGradGuard ng;
    Layout l = layout;
    l.prefix = 0;
    begin(l, l);
    torch::Tensor b = bias(layer); // (1, H or 1, N, N) or undefined
    end();
    if (!b.defined()) return {};
    if (description) *description = "bias added to the attention logits";
    return b[0].expand({info_.n_head, l.length(), l.length()}).to(torch::kFloat); // (H, N, N)
}

} // namespace seqpe
