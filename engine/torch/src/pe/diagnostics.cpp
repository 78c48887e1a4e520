// How strongly an encoding's position term acts on the attention logits (train.diagnostics_every).
#include "pe/encoding.h"

namespace seqpe {

double score_share(const torch::Tensor& pe_part, const torch::Tensor& base, bool causal) {
    torch::NoGradGuard ng;
    // a, b: (H, Tq, Tk) in fp32
    torch::Tensor a = pe_part.detach().to(torch::kFloat), b = base.detach().to(torch::kFloat);
    const int64_t tq = b.size(-2), tk = b.size(-1);
    torch::Tensor keep = torch::ones({tq, tk}, torch::TensorOptions().dtype(torch::kFloat).device(b.device()));
    if (causal) keep = keep.tril(tk - tq);                     // query i (of the last tq) sees keys j <= i + tk - tq
    const torch::Tensor n = keep.sum(-1, true).clamp_min(1.0); // keys per row
    auto centred_ms = [&](const torch::Tensor& s) {
        const torch::Tensor mean = (s * keep).sum(-1, true) / n;
        return ((s - mean).pow(2) * keep).sum() / (n.sum() * static_cast<double>(s.size(0)));
    };
    const double base_ms = centred_ms(b).item<double>();
    return base_ms > 0 ? std::sqrt(centred_ms(a).item<double>() / base_ms) : 0.0;
}

} // namespace seqpe
