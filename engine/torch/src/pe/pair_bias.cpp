// Pairwise position biases: layout handling, prefix padding and caching.
#include "pe/pair_bias.h"

namespace seqpe {

torch::Tensor PairBiasImpl::distance(const torch::Tensor& qp, const torch::Tensor& kp) {
    return (qp.unsqueeze(1) - kp.unsqueeze(0)).pow(2).sum(-1).sqrt(); // (Tq, Tk)
}

int64_t PairBiasImpl::parameter_version() const {
    int64_t v = 0;
    for (const auto& p : parameters())
        v += static_cast<int64_t>(p._version()) + reinterpret_cast<intptr_t>(p.data_ptr());
    return v;
}

void PairBiasImpl::begin(const Layout& q, const Layout& k) {
    // Rotary-like encodings see one layout (G = 1): randomized positions are drawn once per step.
    const torch::Tensor qp = q.pos[0], kp = k.pos[0]; // (Tq, d), (Tk, d)
    // The cache holds while the layouts repeat and no parameter changed: outside autograd only (a
    // training step needs the bias in its graph), so evaluation batches and probes reuse it.
    const bool cacheable = !torch::GradMode::is_enabled();
    const int64_t version = parameter_version();
    if (cacheable && cached_.defined() && key_prefix_ == q.prefix && key_scale_ == q.scale && key_version_ == version &&
        q_key_.sizes() == qp.sizes() && k_key_.sizes() == kp.sizes() && cached_.device() == q.device &&
        torch::equal(q_key_, qp) && torch::equal(k_key_, kp)) {
        bias_ = cached_;
        return;
    }
    const auto to_dev = [&](const torch::Tensor& p) { return (p.to(torch::kDouble) * q.scale).to(q.device); };
    torch::Tensor b = compute(to_dev(qp), to_dev(kp)); // (H or 1, Tq, Tk)
    // Zero rows and columns for the prefix tokens: (H or 1, q.prefix + Tq, k.prefix + Tk).
    if (q.prefix > 0 || k.prefix > 0)
        b = torch::nn::functional::pad(b, torch::nn::functional::PadFuncOptions({k.prefix, 0, q.prefix, 0}));
    bias_ = b.to(torch::kFloat).unsqueeze(0); // (1, H, Tq, Tk)
    if (cacheable) {
        cached_ = bias_;
        q_key_ = qp.clone();
        k_key_ = kp.clone();
        key_prefix_ = q.prefix;
        key_scale_ = q.scale;
        key_version_ = version;
    } else {
        cached_ = torch::Tensor();
    }
}

void PairBiasImpl::end() {
    bias_ = torch::Tensor();
}

} // namespace seqpe
