// Position-encoding diagnostics: gradient shares per loss, the encoding's own notes, geometry.
#include "train/diagnostics.h"

#include <cmath>
#include <torch/autograd.h>

namespace seqpe {

PeDiagnostics::PeDiagnostics(torch::nn::Module& model, PositionEncodingImpl& pe, ModelInspector& inspector,
                             int64_t every, int64_t total_steps)
    : pe_(pe), inspector_(inspector), every_(every), total_(total_steps) {
    for (const auto& p : model.named_parameters())
        if (p.key().rfind("pe.", 0) == 0 && p.value().requires_grad()) params_.push_back(p.value());
}

bool PeDiagnostics::due(int64_t step) const {
    return every_ > 0 && (step == 0 || (step + 1) % every_ == 0 || step + 1 == total_);
}

void PeDiagnostics::begin() {
    active_ = true;
    grad_norms_.clear();
    pe_.set_diagnostics(true);
}

static double global_norm(const std::vector<torch::Tensor>& g) {
    double s = 0;
    for (const auto& t : g)
        if (t.defined()) s += t.to(torch::kDouble).pow(2).sum().item<double>();
    return std::sqrt(s);
}

void PeDiagnostics::gradients(const torch::Tensor& task_loss, const std::vector<AuxLoss>& aux) {
    pe_.set_diagnostics(false); // the forward pass and aux_losses() have noted what they see
    if (!active_ || params_.empty()) return;
    auto norm_of = [&](const torch::Tensor& loss) {
        if (!loss.requires_grad()) return 0.0;
        return global_norm(torch::autograd::grad({loss}, params_, {}, /*retain_graph=*/true, /*create_graph=*/false,
                                                 /*allow_unused=*/true));
    };
    grad_norms_.emplace_back("main", norm_of(task_loss));
    for (const auto& a : aux) {
        if (a.weight == 0) continue;
        const std::string name = a.name == "loss_contrastive" ? "contrastive"
                                 : a.name == "loss_distill"   ? "distill"
                                                              : a.name;
        grad_norms_.emplace_back(name, norm_of(a.value * a.weight));
    }
}

Record PeDiagnostics::finish(int64_t step, double time) {
    Record r;
    r.kind = "diag";
    r.step = step;
    r.time = time;
    active_ = false;
    pe_.set_diagnostics(false);
    double share_sum = 0;
    int layers = 0;
    for (const auto& [k, v] : pe_.take_diagnostics()) {
        r.set(k, v);
        if (k.rfind("pe_share_l", 0) == 0) {
            share_sum += v;
            ++layers;
        }
    }
    if (layers > 0) r.set("pe_share", share_sum / layers);
    double total = 0;
    for (const auto& [k, v] : grad_norms_) total += v;
    for (const auto& [k, v] : grad_norms_) r.set("grad_" + k, v);
    if (grad_norms_.size() > 1 && total > 0)
        for (const auto& [k, v] : grad_norms_) r.set("share_" + k, v / total);
    grad_norms_.clear();
    GeometryRequest g;
    g.metric = "centred";
    try {
        const GeometryResult geo = inspector_.geometry(g);
        if (geo.kind == "embedding") {
            r.set("rank_corr", geo.rank_correlation);
            r.set("pc1_share", geo.explained[0]);
        }
    } catch (const std::exception&) {
        // positions the encoding cannot write (a budget smaller than the probe): no geometry
    }
    return r;
}

} // namespace seqpe
