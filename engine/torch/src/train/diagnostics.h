#pragma once
// Position-encoding diagnostics (train.diagnostics_every): whether a run is learning to use its
// positions, early enough to stop a run that is not. One "diag" record per due step with
//   pe_share_l<i>        SeqPE: row-centred RMS of the position term of layer i's attention logits
//                        over that of the content term (attn_scalar: s pq.pk vs q.k; attn_mul/add:
//                        the change the PE makes to the logits); pe_share (mean over layers);
//                        pe_share_input for input_add (RMS of e(p) over the token embeddings')
//   contrastive_acc      top-1 accuracy of the contrastive anchors; contrastive_chance = 1/candidates
//   grad_main, grad_contrastive, grad_distill   norm of each loss's gradient on the PE parameters
//                        (weights included) and share_* = norm / sum of the norms
//   rank_corr            Spearman correlation of centred-cosine dissimilarity with position distance
//                        over the default geometry positions (1: farther is always less similar)
//   pc1_share            variance share of the embeddings' first principal component
#include "inspect/model_inspector.h"
#include "pe/encoding.h"
#include "seqpe/records.h"

#include <torch/types.h>
#include <vector>

namespace seqpe {

class PeDiagnostics {
public:
    PeDiagnostics(torch::nn::Module& model, PositionEncodingImpl& pe, ModelInspector& inspector, int64_t every,
                  int64_t total_steps);
    // Step is the 0-based optimiser step about to run.
    bool due(int64_t step) const;
    // Switches the encoding's own notes on for the next forward pass (first micro-batch only).
    void begin();
    // Before the backward pass: each loss's own gradient on the PE parameters (weights included).
    // The main task's is a second backward pass through the model (on diagnostics steps only:
    // taking it as the total minus the auxiliary ones cancels to noise in bf16).
    void gradients(const torch::Tensor& task_loss, const std::vector<AuxLoss>& aux);
    // The record of this step (`step` is the 1-based step just completed).
    Record finish(int64_t step, double time);

private:
    PositionEncodingImpl& pe_;
    ModelInspector& inspector_;
    int64_t every_ = 0, total_ = 0;
    std::vector<torch::Tensor> params_; // PE parameters that train
    std::vector<std::pair<std::string, double>> grad_norms_;
    bool active_ = false;
};

} // namespace seqpe
