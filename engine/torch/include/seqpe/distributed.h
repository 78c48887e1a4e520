#pragma once
// Data-parallel training over PyTorch's c10d: a TCPStore (rank 0 hosts it) and a process group
// (Gloo on CPU, NCCL on CUDA). This header is what the CLI knows of it; standard types only.
// The torch side (collectives on tensors) is in engine/torch/src/train/distributed.h.
#include <memory>
#include <string>

namespace seqpe {

// torchrun's environment: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE and LOCAL_RANK (optional,
// default RANK), LOCAL_WORLD_SIZE (optional: processes on this machine, for the thread count).
struct DistributedEnv {
    std::string master_addr;
    int master_port = 0;
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;
    int local_world_size = 0; // 0 = unknown
};

// Reads the variables above. Throws InputError naming a missing or malformed variable.
DistributedEnv distributed_env_from_environment();

// One process of a data-parallel job, after the rendezvous. Every call is a collective: all ranks
// must make it, in the same order. Each throws RunError (naming the operation, the timeout and the
// likely cause: a rank that died or stalled) instead of waiting longer than the timeout.
class DistributedContext {
public:
    virtual ~DistributedContext() = default;
    virtual int rank() const = 0;
    virtual int world_size() const = 0;
    virtual int local_rank() const = 0;
    virtual int local_world_size() const = 0; // 0 = unknown
    virtual double timeout_s() const = 0;
    bool is_main() const { return rank() == 0; }

    virtual void barrier(const std::string& what) = 0;
    // True on every rank when `flag` is true on any rank.
    virtual bool any(bool flag, const std::string& what) = 0;
    // Rank 0 publishes `value` under `key`; every rank returns it. Other ranks wait up to
    // `wait_s` (rank 0's data preparation may take longer than a collective's timeout).
    virtual std::string share_from_main(const std::string& key, const std::string& value, double wait_s) = 0;
};

// Joins the job: rank 0 hosts the TCPStore at MASTER_ADDR:MASTER_PORT, every rank connects and
// creates the Gloo group (the NCCL group is created by the trainer when its device is CUDA).
// Throws RunError when a rank does not join within `timeout_s`, InputError for a bad environment.
std::shared_ptr<DistributedContext> init_distributed(const DistributedEnv& env, double timeout_s);

} // namespace seqpe
