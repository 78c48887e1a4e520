// Signal handling through a self-pipe: the handler only writes a byte (async-signal-safe); a
// watcher thread turns it into std::stop_source::request_stop().
#include "signals.h"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace seqpe::cli {

namespace {

int g_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_count = 0;
std::stop_source g_source;
std::atomic<bool> g_stopped{false};

void on_signal(int) {
    g_count = g_count + 1;
    if (g_count >= 2) {
        const char msg[] = "\nseqpe: interrupted again, exiting without a checkpoint\n";
        (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(130);
    }
    const char b = 1;
    (void)!::write(g_pipe[1], &b, 1);
}

} // namespace

std::stop_token install_stop_signals() {
    if (g_pipe[0] >= 0) return g_source.get_token();
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return g_source.get_token();
    std::thread([] {
        char b;
        while (::read(g_pipe[0], &b, 1) < 0) {
        }
        g_stopped = true;
        const char msg[] = "\nseqpe: stopping after the current step (Ctrl-C again to quit at once)\n";
        (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
        g_source.request_stop();
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    return g_source.get_token();
}

bool stop_signalled() {
    return g_stopped.load();
}

} // namespace seqpe::cli
