#pragma once
// SeqPE as a position encoding: the sequential encoder, its application to the model (input_add,
// attn_mul, attn_add, attn_scalar; q/k map none / single / multi; multi-head split), random shift
// and the two auxiliary objectives. Per training step the encoder runs ONCE over the distinct
// positions the step needs (main layouts + contrastive + distillation); at evaluation once per
// layout, then cached.
#include "pe/encoding.h"
#include "pe/seqpe/encoder.h"
#include "pe/seqpe/samplers.h"

#include <memory>

namespace seqpe {

enum class SeqPeApply { InputAdd, AttnMul, AttnAdd, AttnScalar };

class SeqPeImpl : public PositionEncodingImpl {
public:
    SeqPeImpl(const ResolvedConfig& config, const PeModelInfo& info);

    void prepare_step(StepContext& ctx) override;
    std::vector<AuxLoss> aux_losses() override;
    void end_step() override;

    void begin(const Layout& q, const Layout& k) override;
    torch::Tensor add_input(const torch::Tensor& x) override;
    void apply_qk(int64_t layer, torch::Tensor& q, torch::Tensor& k) override;
    void end() override;
    torch::Tensor embeddings(const torch::Tensor& positions) override;
    // Applied to q/k: a layer's query-PE . key-PE, (H, N, N); undefined for input_add or layer < 0.
    torch::Tensor relative_score(const Layout& layout, int64_t layer, std::string* description) override;

    int64_t pe_dim() const { return pe_dim_; }
    int64_t rows_encoded_last_step() const { return rows_last_step_; }

    SequentialEncoder encoder{nullptr};
    torch::nn::Linear qk_single{nullptr};
    torch::nn::ModuleList qk_multi{nullptr};
    torch::Tensor cls_pe; // (P): the position vector of the ViT class token

private:
    void note_layer_share(int64_t layer, const torch::Tensor& q0, const torch::Tensor& k0, const torch::Tensor& q,
                          const torch::Tensor& k);
    torch::Tensor with_prefix(const torch::Tensor& pe, int64_t prefix) const; // (G,N,P) -> (G,prefix+N,P)
    void set_current(const torch::Tensor& pe_with_prefix);                    // (G, T, P)
    std::pair<torch::Tensor, torch::Tensor> qk_for_layer(int64_t layer);      // (G, H', T, Dh) each

    SeqPeConfig cfg_;
    SeqPeApply apply_;
    std::string qk_mode_;
    int64_t pe_dim_ = 0;
    SamplerGeometry geom_;
    std::unique_ptr<ShiftSampler> shift_;
    int64_t transfer_n_ = 0; // positions per distillation sample this step (transfer.positions or the grid's)
    ContrastiveOptions contrastive_opts_;

    // Prepared training step.
    bool prepared_ = false;
    torch::Tensor prepared_pos_;                   // (G, N, d) of the step's layout
    torch::Tensor main_pe_;                        // (G, N, P)
    torch::Tensor anchors_pe_, cands_pe_, labels_; // (Bc, P), (Bc, c, P), (Bc)
    torch::Tensor students_pe_, slots_;            // (Bt, n, P), (Bt, n)
    int64_t rows_last_step_ = 0;

    // Current forward pass.
    torch::Tensor current_; // (G, T, P)
    torch::Tensor pq_, pk_; // single / none: (G, H', T, Dh)
    // Evaluation cache: the last evaluated layout and its PE.
    torch::Tensor eval_pos_, eval_pe_;
    int64_t eval_version_ = -1; // parameter version the cache was computed with
    int64_t param_version() const;
};

// How a mapped PE modifies q and k (docs/METHOD.md §3.3). q, k: (B, H, T, Dh); pq, pk:
// (G, H', T, Dh) with H' = H or 1 (broadcast); example b uses layout b % G. attn_scalar widens q
// and k to 2*Dh.
void apply_pe_to_qk(SeqPeApply method, torch::Tensor& q, torch::Tensor& k, const torch::Tensor& pq,
                    const torch::Tensor& pk, double scalar_scale);

// The contrastive loss (docs/METHOD.md §5.3): mean over anchors of
// CE(softmax_k e(a).e(cand_k), label). anchors (B, P), cands (B, c, P), labels (B).
torch::Tensor contrastive_loss(const torch::Tensor& anchors, const torch::Tensor& cands, const torch::Tensor& labels);
// The distillation loss (docs/METHOD.md §6.3): per-head similarity softmax of teacher (detached
// for beta = 1) and student; symmetric KL with mean reduction over (B, H, n, n), or MSE of the
// log-probabilities.
// teacher, student: (B, n, P); `heads` chunks of P/heads.
torch::Tensor transfer_loss(const torch::Tensor& teacher, const torch::Tensor& student, int64_t heads,
                            const std::string& metric, double beta, double logit_scale);

} // namespace seqpe
