// The learning-rate schedule (warmup, then constant, linear or cosine decay), AdamW over four
// parameter groups, and gradient clipping of the backbone and the position encoding apart.
#include "train/optim.h"

#include <cmath>
#include <torch/nn/utils/clip_grad.h>

namespace seqpe {

double scheduled_lr(const OptimConfig& o, int64_t step, int64_t total) {
    if (o.warmup_steps > 0 && step < o.warmup_steps)
        return o.lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
    if (o.schedule == "constant") return o.lr;
    const int64_t decay = std::max<int64_t>(1, total - o.warmup_steps);
    const double t = std::clamp(static_cast<double>(step - o.warmup_steps) / static_cast<double>(decay), 0.0, 1.0);
    if (o.schedule == "linear") return o.lr - (o.lr - o.min_lr) * t;
    return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * t));
}

Optimizer::Optimizer(torch::nn::Module& model, const OptimConfig& o, int64_t total_steps) : o_(o), total_(total_steps) {
    std::vector<torch::Tensor> groups[4]; // backbone decay, backbone no-decay, pe decay, pe no-decay
    for (const auto& p : model.named_parameters()) {
        if (!p.value().requires_grad()) continue;
        const bool is_pe = p.key().rfind("pe.", 0) == 0;
        const bool decay = p.value().dim() >= 2;
        groups[(is_pe ? 2 : 0) + (decay ? 0 : 1)].push_back(p.value());
        (is_pe ? pe_ : backbone_).push_back(p.value());
    }
    const double wds[4] = {o.weight_decay, 0.0, o.encoder_weight_decay, 0.0};
    std::vector<torch::optim::OptimizerParamGroup> pg;
    for (int g = 0; g < 4; ++g) {
        if (groups[g].empty()) continue;
        auto opts = std::make_unique<torch::optim::AdamWOptions>(o.lr);
        opts->betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(wds[g]);
        pg.emplace_back(groups[g], std::move(opts));
        group_is_pe_.push_back(g >= 2);
    }
    opt_ = std::make_unique<torch::optim::AdamW>(pg, torch::optim::AdamWOptions(o.lr));
}

double Optimizer::set_step(int64_t step) {
    const double lr = scheduled_lr(o_, step, total_);
    const double pe_lr = o_.encoder_lr > 0 ? lr * o_.encoder_lr / std::max(o_.lr, 1e-30) : lr;
    auto& groups = opt_->param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        static_cast<torch::optim::AdamWOptions&>(groups[i].options()).lr(group_is_pe_[i] ? pe_lr : lr);
    return lr;
}

static double norm_of(const std::vector<torch::Tensor>& ps) {
    double s = 0;
    for (const auto& p : ps)
        if (p.grad().defined()) s += p.grad().detach().pow(2).sum().item<double>();
    return std::sqrt(s);
}

double Optimizer::clip() {
    double bn;
    if (o_.grad_clip > 0) {
        bn = backbone_.empty() ? 0.0 : torch::nn::utils::clip_grad_norm_(backbone_, o_.grad_clip);
        pe_norm_ = pe_.empty() ? 0.0 : torch::nn::utils::clip_grad_norm_(pe_, o_.grad_clip);
    } else {
        bn = norm_of(backbone_);
        pe_norm_ = norm_of(pe_);
    }
    return bn;
}

} // namespace seqpe
