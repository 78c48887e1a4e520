// File helpers: atomic writes (temp + fsync + rename), cache location, human-readable units.
#include "seqpe/common/files.h"

#include "seqpe/common/error.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace seqpe {

fs::path temp_sibling(const fs::path& path) {
    static std::atomic<uint64_t> counter{0};
    const auto n = counter.fetch_add(1);
    return path.parent_path() /
           (path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(n));
}

void write_file_atomic(const fs::path& path, std::string_view data) {
    if (path.has_parent_path()) make_dirs(path.parent_path());
    const fs::path tmp = temp_sibling(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw RunError(errno_message("cannot write " + path.string()));
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string msg = errno_message("cannot write " + path.string());
            ::close(fd);
            ::unlink(tmp.c_str());
            throw RunError(msg + " (the previous version is kept)");
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const std::string msg = errno_message("cannot write " + path.string());
        ::unlink(tmp.c_str());
        throw RunError(msg + " (the previous version is kept)");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string msg = errno_message("cannot replace " + path.string());
        ::unlink(tmp.c_str());
        throw RunError(msg);
    }
}

void fsync_path(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw RunError(errno_message("cannot open " + path.string()));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw RunError(errno_message("cannot flush " + path.string()));
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!fs::exists(path, ec)) throw InputError(path.string() + ": file not found");
        throw InputError(errno_message("cannot read " + path.string()));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw InputError("cannot read " + path.string());
    return std::move(ss).str();
}

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw RunError("cannot create directory " + dir.string() + ": " + ec.message());
}

void check_writable_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw InputError("cannot create directory " + dir.string() + ": " + ec.message() +
                         "; choose another output directory");
    const fs::path probe = temp_sibling(dir / ".write-probe");
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw InputError(errno_message("directory " + dir.string() + " is not writable") +
                         "; choose another output directory");
    ::close(fd);
    ::unlink(probe.c_str());
}

fs::path cache_root() {
    if (const char* c = std::getenv("SEQPE_CACHE"); c && *c) return fs::path(c);
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "seqpe-workbench";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "seqpe-workbench";
    return fs::temp_directory_path() / "seqpe-workbench-cache";
}

fs::path executable_dir() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

std::string human_duration(double s) {
    if (!(s >= 0) || s > 1e8) return "--";
    char buf[32];
    const long t = static_cast<long>(s + 0.5);
    if (t < 60)
        std::snprintf(buf, sizeof buf, "%lds", t);
    else if (t < 3600)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
    return buf;
}

} // namespace seqpe
