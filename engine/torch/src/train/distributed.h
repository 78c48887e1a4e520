#pragma once
// The torch side of data-parallel training (the job itself: seqpe/distributed.h).
//
// Each rank computes its slice of the step's global batch, then one all-reduce averages the
// gradients (before clipping): W ranks end each step with the parameters one process with the
// whole batch would have, up to the order of floating-point sums. Gradients travel through NCCL
// when the model is on CUDA and the LibTorch has NCCL, else through Gloo (via host memory).
#include "seqpe/config.h"
#include "seqpe/distributed.h"

#include <memory>
#include <string>
#include <torch/nn/module.h>
#include <torch/types.h>
#include <vector>

namespace seqpe {

class DataParallel {
public:
    DataParallel(std::shared_ptr<DistributedContext> ctx, const torch::Device& device);
    ~DataParallel();

    int rank() const { return ctx_->rank(); }
    int world() const { return ctx_->world_size(); }
    bool is_main() const { return ctx_->is_main(); }
    const std::string& gradient_backend() const; // "gloo" or "nccl"
    DistributedContext& context() { return *ctx_; }

    // Rank 0's parameters and buffers to every rank.
    void broadcast_parameters(torch::nn::Module& m);
    // Throws RunError when the ranks start from different steps (checkpoints not shared).
    void check_same_step(int64_t step, const std::string& run_dir);
    // Averages the gradients of `params` over the ranks (one flat all-reduce). A parameter whose
    // gradient exists on some ranks only counts as zero on the others.
    void average_gradients(const std::vector<torch::Tensor>& params, int64_t step);
    // Element-wise sums over the ranks (losses, token counts; a few values).
    std::vector<double> sum(const std::vector<double>& values, const std::string& what);

private:
    struct Impl;
    std::shared_ptr<DistributedContext> ctx_;
    std::unique_ptr<Impl> impl_;
};

// Throws InputError when `world` ranks cannot share the global batch of `c` evenly (train.batch_size
// must split into world x train.grad_accum equal micro-batches; SeqPE's shifted layouts must
// divide each of them, as they divide one process's micro-batch).
void check_shardable(const RunConfig& c, int world);

} // namespace seqpe
