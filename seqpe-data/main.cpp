// seqpe-data: parses the command line, runs the command on a worker thread and handles
// SIGINT/SIGTERM on the main thread: the work is asked to stop (it polls between documents, images
// and download chunks and removes its temporary folder); if it does not stop within a grace period
// (SentencePiece's training loop cannot be interrupted), the temporary folders are removed here and
// the process exits with 130 at once. Never links LibTorch (see CMakeLists.txt).
#include "seqpe/common/error.h"
#include "seqpe/data/cli.h"
#include "seqpe/data/util.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace {

constexpr auto kGrace = std::chrono::milliseconds(1500);

timespec to_timespec(std::chrono::milliseconds ms) {
    return {static_cast<time_t>(ms.count() / 1000), static_cast<long>((ms.count() % 1000) * 1000000)};
}

} // namespace

int main(int argc, char** argv) {
    using namespace seqpe::data;
    std::signal(SIGPIPE, SIG_IGN); // a closed stdout gives EPIPE, not death

    // Every thread (ours, SentencePiece's, OpenCV's) inherits this mask; only sigtimedwait below
    // takes the signals. SIGUSR1 is the worker's "finished" wake-up.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    int exit_code = seqpe::kExitFailed;
    std::unique_ptr<Command> cmd;
    try {
        cmd = parse_command_line(argc, argv, exit_code);
    } catch (const std::exception& e) {
        std::cerr << "seqpe-data: error: " << e.what() << std::endl;
        return seqpe::kExitBadInput;
    } catch (...) {
        return seqpe::kExitBadInput;
    }
    if (!cmd) return exit_code;

    const bool json = cmd->json || !::isatty(STDOUT_FILENO);
    Reporter rep(json ? OutputMode::Json : OutputMode::Human, std::cout, std::cerr, ::isatty(STDERR_FILENO) == 1);

    std::atomic<bool> finished{false};
    std::atomic<int> result{seqpe::kExitFailed};
    const pthread_t main_thread = pthread_self();
    std::thread worker([&] {
        result = run_command(*cmd, rep);
        finished = true;
        pthread_kill(main_thread, SIGUSR1);
    });

    bool stopping = false;
    auto deadline = std::chrono::steady_clock::now();
    while (!finished) {
        const timespec ts = to_timespec(std::chrono::milliseconds(stopping ? 20 : 500));
        siginfo_t info;
        const int sig = sigtimedwait(&set, &info, &ts);
        if ((sig == SIGINT || sig == SIGTERM) && !stopping) {
            stopping = true;
            request_cancel();
            deadline = std::chrono::steady_clock::now() + kGrace;
        } else if ((sig == SIGINT || sig == SIGTERM) && stopping) {
            deadline = std::chrono::steady_clock::now(); // a second signal: stop now
        }
        if (stopping && !finished && std::chrono::steady_clock::now() >= deadline) {
            remove_registered_temp_dirs();
            // The output may be held by the worker (or a full pipe): do not wait for it long.
            rep.try_error("cancelled; nothing was kept", seqpe::kExitCancelled, std::chrono::milliseconds(200));
            std::_Exit(seqpe::kExitCancelled);
        }
    }
    worker.join();
    return result;
}
