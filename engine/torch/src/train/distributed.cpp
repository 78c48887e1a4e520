// Data-parallel training on c10d: the torchrun environment, the rendezvous (TCPStore hosted by
// rank 0), the Gloo group (control and CPU gradients) and, on CUDA, the NCCL group for gradients.
// Every collective waits at most runtime.dist_timeout_s and turns a failure into a RunError that
// names the operation and the likely cause.
#include "train/distributed.h"

#include "seqpe/common/error.h"
#include "seqpe/encodings.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <netdb.h>
#include <optional>
#include <sys/socket.h>
#include <torch/version.h>
#include <unistd.h>

#ifdef SEQPE_WITH_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(SEQPE_WITH_CUDA) && defined(SEQPE_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define SEQPE_HAVE_NCCL 1
#endif
#endif

namespace seqpe {

namespace {

int env_int(const char* name, std::optional<int> fallback, int lo, int hi) {
    const char* v = std::getenv(name);
    if (!v || !*v) {
        if (fallback) return *fallback;
        throw InputError(std::string("--distributed: the environment variable ") + name +
                         " is not set; launch every rank with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE "
                         "(as torchrun sets them; see docs/SCALE-OUT.md)");
    }
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi)
        throw InputError(std::string("--distributed: ") + name + "='" + v + "' is not an integer in [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
}

} // namespace

DistributedEnv distributed_env_from_environment() {
    DistributedEnv e;
    const char* addr = std::getenv("MASTER_ADDR");
    if (!addr || !*addr)
        throw InputError(
            "--distributed: the environment variable MASTER_ADDR is not set; launch every rank with "
            "MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE (as torchrun sets them; see docs/SCALE-OUT.md)");
    e.master_addr = addr;
    e.master_port = env_int("MASTER_PORT", std::nullopt, 1, 65535);
    e.world_size = env_int("WORLD_SIZE", std::nullopt, 1, 1 << 20);
    e.rank = env_int("RANK", std::nullopt, 0, e.world_size - 1);
    e.local_rank = env_int("LOCAL_RANK", e.rank, 0, 1 << 20);
    e.local_world_size = env_int("LOCAL_WORLD_SIZE", 0, 0, 1 << 20);
    return e;
}

void check_shardable(const RunConfig& c, int world) {
    const int64_t pieces = static_cast<int64_t>(world) * c.train.grad_accum;
    if (c.train.batch_size % pieces != 0)
        throw InputError("train.batch_size " + std::to_string(c.train.batch_size) + " does not split over " +
                         std::to_string(world) + " ranks x train.grad_accum " + std::to_string(c.train.grad_accum) +
                         "; use a multiple of " + std::to_string(pieces) + " (the batch is global: each rank takes 1/" +
                         std::to_string(world) + " of it)");
    const auto& sh = c.position_encoding.seqpe.shift;
    if (encoding_reads(c, "position_encoding.seqpe.shift.layouts") && sh.enabled && sh.rate > 0 &&
        (c.train.batch_size / pieces) % sh.layouts != 0)
        throw InputError("position_encoding.seqpe.shift.layouts " + std::to_string(sh.layouts) +
                         " does not divide the per-rank micro-batch of " + std::to_string(c.train.batch_size / pieces) +
                         " examples (train.batch_size / (ranks x grad_accum)); lower it or raise train.batch_size");
}

#ifdef SEQPE_WITH_C10D

namespace {

// The group interface: ProcessGroup in LibTorch 1.x, Backend (ProcessGroupGloo's base) in 2.x.
#if TORCH_VERSION_MAJOR >= 2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

std::string first_line(const std::string& s) {
    const size_t nl = s.find('\n');
    std::string l = nl == std::string::npos ? s : s.substr(0, nl);
    return l.size() > 300 ? l.substr(0, 300) + "..." : l;
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// The local address that routes to `host` (a UDP connect sends nothing): Gloo binds there, so
// that the other machines can reach this rank without GLOO_SOCKET_IFNAME.
std::string local_address_towards(const std::string& host, int port) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) return "";
    std::string out;
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd >= 0) {
        if (::connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
            sockaddr_in local{};
            socklen_t len = sizeof local;
            char buf[INET_ADDRSTRLEN] = {0};
            if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
                ::inet_ntop(AF_INET, &local.sin_addr, buf, sizeof buf))
                out = buf;
        }
        ::close(fd);
    }
    ::freeaddrinfo(res);
    return out;
}

class DistributedContextImpl final : public DistributedContext {
public:
    DistributedContextImpl(const DistributedEnv& env, double timeout_s) : env_(env), timeout_s_(timeout_s) {
        // A dead peer's socket must give an error (EPIPE), not kill this process silently.
        std::signal(SIGPIPE, SIG_IGN);
        const auto timeout = ms();
        const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
        try {
            c10d::TCPStoreOptions so;
            so.port = static_cast<uint16_t>(env.master_port);
            so.isServer = env.rank == 0;
            so.numWorkers = static_cast<size_t>(env.world_size);
            so.waitWorkers = true;
            so.timeout = timeout;
            store_ = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
        } catch (const std::exception& e) {
            throw RunError("distributed: rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                           " could not " + (env.rank == 0 ? "host" : "reach") + " the rendezvous at " + where +
                           " within " + seconds() + " (" + first_line(e.what()) +
                           "); start every rank with the same MASTER_ADDR, MASTER_PORT and WORLD_SIZE, and a port "
                           "that is free on rank 0's machine");
        }
        try {
            auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
            if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
            } else if (is_loopback(env.master_addr)) {
                opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            } else {
                const std::string local = local_address_towards(env.master_addr, env.master_port);
                opts->devices.push_back(local.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                                                      : c10d::ProcessGroupGloo::createDeviceForHostname(local));
            }
            opts->threads = 2;
            gloo_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", store_),
                                                                env.rank, env.world_size, opts);
        } catch (const std::exception& e) {
            throw RunError("distributed: rank " + std::to_string(env.rank) +
                           " could not connect the Gloo group through " + where + " within " + seconds() + " (" +
                           first_line(e.what()) +
                           "); a rank may have died during start-up, or the machines cannot reach each other "
                           "(set GLOO_SOCKET_IFNAME to the network interface to use)");
        }
    }

    int rank() const override { return env_.rank; }
    int world_size() const override { return env_.world_size; }
    int local_rank() const override { return env_.local_rank; }
    int local_world_size() const override { return env_.local_world_size; }
    double timeout_s() const override { return timeout_s_; }

    std::chrono::milliseconds ms() const {
        return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.001, timeout_s_) * 1000.0));
    }
    std::string seconds() const {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g s", timeout_s_);
        return buf;
    }

    // Runs one collective: `start` returns its Work; waits at most the timeout.
    template <class Start> void collective(const std::string& what, Start start) {
        try {
            c10::intrusive_ptr<c10d::Work> work = start();
            work->wait(ms());
        } catch (const std::exception& e) {
            throw failure(what, e.what());
        }
    }

    RunError failure(const std::string& what, const std::string& cause) const {
        return RunError("distributed: " + what + " failed on rank " + std::to_string(env_.rank) + " of " +
                        std::to_string(env_.world_size) + " (" + first_line(cause) +
                        "): another rank has probably died or stalled (see its log), or the ranks run different "
                        "configs; every collective waits at most runtime.dist_timeout_s = " +
                        seconds());
    }

    void barrier(const std::string& what) override {
        // A barrier as an all-reduce of one value (Gloo's barrier has no per-call timeout in 1.13).
        (void)sum_cpu(torch::zeros({1}, torch::kDouble), "barrier (" + what + ")");
    }

    bool any(bool flag, const std::string& what) override {
        return sum_cpu(torch::full({1}, flag ? 1.0 : 0.0, torch::kDouble), what).item<double>() > 0.5;
    }

    std::string share_from_main(const std::string& key, const std::string& value, double wait_s) override {
        const std::string k = "share/" + std::to_string(shares_++) + "/" + key;
        try {
            if (env_.rank == 0) {
                store_->set(k, std::vector<uint8_t>(value.begin(), value.end()));
                return value;
            }
            store_->wait({k}, std::chrono::milliseconds(static_cast<int64_t>(std::max(wait_s, timeout_s_) * 1000.0)));
            const std::vector<uint8_t> v = store_->get(k);
            return std::string(v.begin(), v.end());
        } catch (const std::exception& e) {
            throw failure("waiting for rank 0 (" + key + ")", e.what());
        }
    }

    torch::Tensor sum_cpu(torch::Tensor t, const std::string& what) {
        std::vector<torch::Tensor> ts{t};
        collective(what, [&] { return gloo_->allreduce(ts); });
        return ts[0];
    }

    const DistributedEnv& env() const { return env_; }
    c10::intrusive_ptr<c10d::Store> store() const { return store_; }
    c10::intrusive_ptr<Group> gloo() const { return gloo_; }

private:
    DistributedEnv env_;
    double timeout_s_;
    int64_t shares_ = 0;
    c10::intrusive_ptr<c10d::Store> store_;
    c10::intrusive_ptr<Group> gloo_;
};

} // namespace

std::shared_ptr<DistributedContext> init_distributed(const DistributedEnv& env, double timeout_s) {
    if (env.world_size < 1 || env.rank < 0 || env.rank >= env.world_size)
        throw InputError("--distributed: RANK " + std::to_string(env.rank) + " is not below WORLD_SIZE " +
                         std::to_string(env.world_size));
    return std::make_shared<DistributedContextImpl>(env, timeout_s);
}

// ---- DataParallel ------------------------------------------------------------------------------

struct DataParallel::Impl {
    DistributedContextImpl* ctx = nullptr;
    torch::Device device = torch::kCPU;
    std::string backend = "gloo";
    c10::intrusive_ptr<Group> grads; // the group that carries the gradients
    bool host_staging = false;       // gradients go through host memory (Gloo with a CUDA model)
};

DataParallel::DataParallel(std::shared_ptr<DistributedContext> ctx, const torch::Device& device)
    : ctx_(std::move(ctx)), impl_(std::make_unique<Impl>()) {
    impl_->ctx = dynamic_cast<DistributedContextImpl*>(ctx_.get());
    if (!impl_->ctx) throw RunError("distributed: unknown context type");
    impl_->device = device;
    impl_->grads = impl_->ctx->gloo();
    if (device.is_cuda()) {
#ifdef SEQPE_HAVE_NCCL
        // Blocking waits make a dead or stalled peer an exception after the timeout, not a hang.
        ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
        ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
        try {
            auto o = c10d::ProcessGroupNCCL::Options::create();
            o->timeout = impl_->ctx->ms();
            impl_->grads = c10::make_intrusive<c10d::ProcessGroupNCCL>(
                c10::make_intrusive<c10d::PrefixStore>("nccl", impl_->ctx->store()), ctx_->rank(), ctx_->world_size(),
                o);
            impl_->backend = "nccl";
        } catch (const std::exception& e) {
            throw impl_->ctx->failure("creating the NCCL group", e.what());
        }
#else
        impl_->host_staging = true; // this LibTorch has no NCCL: Gloo through host memory
#endif
    }
}

DataParallel::~DataParallel() = default;

const std::string& DataParallel::gradient_backend() const {
    return impl_->backend;
}

void DataParallel::broadcast_parameters(torch::nn::Module& m) {
    torch::NoGradGuard ng;
    std::vector<torch::Tensor> ts;
    for (const auto& p : m.parameters()) ts.push_back(p.detach());
    for (const auto& b : m.buffers()) ts.push_back(b);
    if (ts.empty()) return;
    std::vector<torch::Tensor> flat_parts;
    for (const auto& t : ts) flat_parts.push_back(t.reshape({-1}).to(torch::kCPU, torch::kDouble));
    // Doubles hold every float parameter exactly; one broadcast over Gloo at start-up.
    std::vector<torch::Tensor> flat{torch::cat(flat_parts)}; // (sum of numel), every tensor end to end
    c10d::BroadcastOptions bo;
    bo.rootRank = 0;
    impl_->ctx->collective("broadcast of the initial parameters from rank 0",
                           [&] { return impl_->ctx->gloo()->broadcast(flat, bo); });
    int64_t at = 0;
    for (auto& t : ts) {
        const int64_t n = t.numel();
        t.copy_(flat[0].narrow(0, at, n).view(t.sizes()).to(t.device(), t.scalar_type()));
        at += n;
    }
}

void DataParallel::check_same_step(int64_t step, const std::string& run_dir) {
    // step and step^2 summed: all equal iff sum(s)^2 == W * sum(s^2).
    const auto s = sum({static_cast<double>(step), static_cast<double>(step) * static_cast<double>(step)},
                       "comparing the resume step of the ranks");
    const double w = static_cast<double>(world());
    if (std::abs(s[0] * s[0] - w * s[1]) > 0.5)
        throw RunError("distributed: the ranks resume from different steps (this rank: " + std::to_string(step) +
                       ", mean " + std::to_string(s[0] / w) + "): every rank must see the same run directory " +
                       run_dir + " (a shared filesystem), or a copy of rank 0's latest checkpoint");
}

void DataParallel::average_gradients(const std::vector<torch::Tensor>& params, int64_t step) {
    torch::NoGradGuard ng;
    const std::string what = "all-reduce of the gradients at step " + std::to_string(step + 1);
    // Which parameters have a gradient anywhere: normally the same set on every rank.
    std::vector<double> have(params.size());
    for (size_t i = 0; i < params.size(); ++i) have[i] = params[i].grad().defined() ? 1.0 : 0.0;
    const std::vector<double> anywhere = sum(have, what + " (gradient presence)");
    std::vector<torch::Tensor> grads, parts;
    for (size_t i = 0; i < params.size(); ++i) {
        if (anywhere[i] < 0.5) continue;
        torch::Tensor p = params[i];
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
        parts.push_back(p.grad().reshape({-1}).to(torch::kFloat));
    }
    if (grads.empty()) return;
    torch::Tensor flat = torch::cat(parts); // (sum of numel) fp32, every gradient end to end
    if (impl_->host_staging) flat = flat.to(torch::kCPU);
    std::vector<torch::Tensor> ts{flat};
    impl_->ctx->collective(what, [&] { return impl_->grads->allreduce(ts); });
    flat = ts[0].div_(static_cast<double>(world()));
    int64_t at = 0;
    for (auto& g : grads) {
        const int64_t n = g.numel();
        g.copy_(flat.narrow(0, at, n).view(g.sizes()));
        at += n;
    }
}

std::vector<double> DataParallel::sum(const std::vector<double>& values, const std::string& what) {
    if (values.empty()) return {};
    torch::Tensor t = torch::tensor(values, torch::kDouble);
    t = impl_->ctx->sum_cpu(t, what);
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

#else // no c10d in this build: every entry point says so

static const char* kNoC10d =
    "--distributed: this build has no c10d (the Gloo headers were not found at configure time: apt install "
    "libgloo-dev and configure again)";

std::shared_ptr<DistributedContext> init_distributed(const DistributedEnv&, double) {
    throw InputError(kNoC10d);
}
struct DataParallel::Impl {};
DataParallel::DataParallel(std::shared_ptr<DistributedContext> ctx, const torch::Device&) : ctx_(std::move(ctx)) {
    throw InputError(kNoC10d);
}
DataParallel::~DataParallel() = default;
const std::string& DataParallel::gradient_backend() const {
    throw InputError(kNoC10d);
}
void DataParallel::broadcast_parameters(torch::nn::Module&) {
    throw InputError(kNoC10d);
}
void DataParallel::check_same_step(int64_t, const std::string&) {
    throw InputError(kNoC10d);
}
void DataParallel::average_gradients(const std::vector<torch::Tensor>&, int64_t) {
    throw InputError(kNoC10d);
}
std::vector<double> DataParallel::sum(const std::vector<double>&, const std::string&) {
    throw InputError(kNoC10d);
}

#endif // SEQPE_WITH_C10D

} // namespace seqpe
