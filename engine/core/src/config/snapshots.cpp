// Geometry snapshots on disk: snapshots/step-00000200.json (description, positions, scores) and
// step-00000200.npy (the N x N matrix) + step-00000200.projection.npy. Torch-free: the GUI reads them.
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/npy.h"
#include "seqpe/encodings.h"
#include "seqpe/inspect.h"
#include "seqpe/run_dir.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace seqpe {

static std::string stem(int64_t step) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
    return buf;
}

void write_geometry_snapshot(const fs::path& dir, int64_t step, const GeometryResult& g) {
    make_dirs(dir);
    const std::string s = stem(step);
    write_npy(dir / (s + ".npy"), g.matrix.data, g.matrix.shape);
    if (!g.projection.data.empty()) write_npy(dir / (s + ".projection.npy"), g.projection.data, g.projection.shape);
    nlohmann::json j = {{"step", step},
                        {"kind", g.kind},
                        {"description", g.description},
                        {"metric", g.metric},
                        {"dims", g.dims},
                        {"rows", g.rows},
                        {"cols", g.cols},
                        {"train_extent", g.train_extent},
                        {"positions", g.positions},
                        {"explained", {g.explained[0], g.explained[1]}},
                        {"matrix", s + ".npy"}};
    j["rank_correlation"] =
        std::isnan(g.rank_correlation) ? nlohmann::json(nullptr) : nlohmann::json(g.rank_correlation);
    if (!g.projection.data.empty()) j["projection"] = s + ".projection.npy";
    write_file_atomic(dir / (s + ".json"), j.dump() + "\n"); // last: a snapshot is complete when its JSON exists
}

std::string default_geometry_metric(const RunConfig& c) {
    const EncodingInfo* e = find_encoding(c.position_encoding.type);
    return e && e->learned_embeddings() ? "centred" : "cosine";
}

GeometryResult read_geometry_snapshot(const fs::path& file) {
    GeometryResult g;
    try {
        const auto j = nlohmann::json::parse(read_file(file));
        g.kind = j.value("kind", "");
        g.description = j.value("description", "");
        g.metric = j.value("metric", "");
        g.dims = j.value("dims", 1);
        g.rows = j.value("rows", int64_t{0});
        g.cols = j.value("cols", int64_t{0});
        g.train_extent = j.value("train_extent", int64_t{0});
        g.positions = j.value("positions", std::vector<int64_t>{});
        if (j.contains("explained") && j["explained"].size() == 2) {
            g.explained[0] = j["explained"][0];
            g.explained[1] = j["explained"][1];
        }
        g.rank_correlation = j["rank_correlation"].is_number() ? j["rank_correlation"].get<double>() : std::nan("");
        read_npy(file.parent_path() / j.at("matrix").get<std::string>(), g.matrix.data, g.matrix.shape);
        if (j.contains("projection"))
            read_npy(file.parent_path() / j["projection"].get<std::string>(), g.projection.data, g.projection.shape);
    } catch (const InputError&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(file.string() + ": not a geometry snapshot (" + e.what() + ")");
    }
    return g;
}

std::vector<std::pair<int64_t, fs::path>> list_geometry_snapshots(const fs::path& run_dir) {
    std::vector<std::pair<int64_t, fs::path>> out;
    std::error_code ec;
    const fs::path dir = RunPaths{run_dir}.snapshots();
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (n.size() == 18 && n.rfind("step-", 0) == 0 && n.compare(13, 5, ".json") == 0) {
            try {
                out.emplace_back(std::stoll(n.substr(5, 8)), e.path());
            } catch (...) {
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace seqpe
