// Geometry of position encodings for the views (and the live snapshots of the trainer).
#include "inspect/geometry.h"

#include "pe/encoding.h"
#include "seqpe/common/error.h"
#include "seqpe/config_io.h"
#include "seqpe/encodings.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <torch/linalg.h>

namespace seqpe {

namespace {

std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {
        size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
        const double avg = 0.5 * static_cast<double>(i + j);
        for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
        i = j + 1;
    }
    return r;
}

Matrix to_matrix(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU).to(torch::kFloat).contiguous();
    Matrix m;
    m.shape = c.sizes().vec();
    m.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return m;
}

// Spearman between "how unlike" two positions' vectors are and how far apart the positions are,
// over all pairs i < j (subsampled to at most ~200k pairs).
double distance_correlation(const torch::Tensor& unlike, const torch::Tensor& pos) {
    const int64_t N = unlike.size(0);
    const torch::Tensor p = pos.to(torch::kDouble);
    const torch::Tensor pd = torch::cdist(p, p); // (N, N) Euclidean position distance
    const torch::Tensor u = unlike.to(torch::kDouble).cpu();
    const int64_t stride = std::max<int64_t>(1, N * N / 400000);
    std::vector<double> a, b;
    auto ua = u.accessor<double, 2>();
    auto pa = pd.accessor<double, 2>();
    int64_t k = 0;
    for (int64_t i = 0; i < N; ++i)
        for (int64_t j = i + 1; j < N; ++j)
            if (k++ % stride == 0) {
                a.push_back(ua[i][j]);
                b.push_back(pa[i][j]);
            }
    return a.size() > 2 ? spearman(a, b) : std::nan("");
}

} // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    const auto ra = ranks(a), rb = ranks(b);
    const double n = static_cast<double>(a.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n,
                 mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double num = 0, da = 0, db = 0;
    for (size_t i = 0; i < ra.size(); ++i) {
        num += (ra[i] - ma) * (rb[i] - mb);
        da += (ra[i] - ma) * (ra[i] - ma);
        db += (rb[i] - mb) * (rb[i] - mb);
    }
    return da > 0 && db > 0 ? num / std::sqrt(da * db) : std::nan("");
}

GeometryResult compute_geometry(PositionEncodingImpl& pe, const ResolvedConfig& c, const GeometryRequest& r) {
    const PeModelInfo& info = pe.info();
    GeometryResult g;
    g.dims = info.dims;
    g.train_extent = info.train_length;
    g.metric = r.metric;
    if (r.metric != "dot" && r.metric != "cosine" && r.metric != "centred" && r.metric != "l2")
        throw InputError("geometry metric '" + r.metric + "' is not one of dot, cosine, centred, l2");
    if (r.mode != "extend" && r.mode != "interpolate")
        throw InputError("geometry mode '" + r.mode + "' is not one of extend, interpolate");
    g.mode = r.mode;
    Layout layout;
    if (info.dims == 1) {
        const int64_t n = r.count > 0 ? r.count : std::min<int64_t>(512, 2 * info.train_length);
        if (n > 4096) throw InputError("geometry: at most 4096 positions at once");
        layout = layout_1d(n, r.first);
        if (r.mode == "interpolate") apply_eval_mode(layout, r.mode, info.train_length, r.first + n, r.first + n);
    } else {
        const int64_t rows = r.rows > 0 ? r.rows : std::min<int64_t>(32, 2 * info.train_length);
        const int64_t cols = r.cols > 0 ? r.cols : rows;
        if (rows * cols > 4096) throw InputError("geometry: at most 4096 grid cells at once");
        layout = layout_2d(rows, cols, 0, r.row0, r.col0);
        // A grid from (row0, col0) is read as part of the (row0 + rows) x (col0 + cols) image.
        if (r.mode == "interpolate") {
            layout.grid = {r.row0 + rows, r.col0 + cols};
            apply_eval_mode(layout, r.mode, info.train_length, r.row0 + rows, r.col0 + cols);
        }
        g.rows = rows;
        g.cols = cols;
    }
    // Probe tensors live where the encoding's parameters are (CPU for RoPE and ALiBi, which have none).
    torch::Device dev = torch::kCPU;
    for (const auto& p : pe.parameters()) {
        dev = p.device();
        break;
    }
    layout.device = dev;
    layout.trained_length = info.train_length;
    const torch::Tensor pos = layout.pos[0]; // (N, d)
    const int64_t N = pos.size(0);
    g.positions.assign(pos.data_ptr<int64_t>(), pos.data_ptr<int64_t>() + pos.numel());
    torch::NoGradGuard ng;
    const int64_t H = info.n_head;
    torch::Tensor score; // (N, N), larger = more similar
    torch::Tensor unlike;
    const EncodingInfo* enc = find_encoding(c.position_encoding.type);
    std::string what;
    // A layer's query-PE x key-PE (SeqPE on q/k), or the score a relative encoding adds (RoPE,
    // xPos: rotated ones; ALiBi, T5, FIRE, KERPLE: the bias): the encoding computes it itself.
    torch::Tensor layer_score;
    if ((r.layer >= 0 && enc && std::string(enc->layer_probe) == "qk-pe") || (enc && enc->relative))
        layer_score = pe.relative_score(layout, r.layer, &what); // (H, N, N) or undefined
    if (layer_score.defined() && enc && !enc->relative) {
        const torch::Tensor s = layer_score.to(torch::kCPU).to(torch::kFloat);
        score = r.head >= 0 ? s[std::min(r.head, H - 1)] : s.mean(0);
        g.kind = "embedding";
        g.metric = "dot";
        g.description = what + " of layer " + std::to_string(r.layer) +
                        (r.head >= 0 ? ", head " + std::to_string(r.head) : ", mean over heads");
        unlike = -score;
    } else if (torch::Tensor e = pe.embeddings_at(layout); e.defined()) {
        e = e.to(torch::kCPU).to(torch::kFloat); // (N, P)
        g.kind = "embedding";
        if (r.metric == "dot")
            score = torch::matmul(e, e.t());
        else if (r.metric == "cosine" || r.metric == "centred") {
            // centred: the mean over the shown positions removed first. Learned embeddings share a
            // large common component that puts every raw cosine near 1 (SeqPE at init: >= 0.99).
            const torch::Tensor c = r.metric == "centred" ? e - e.mean(0, true) : e;
            const torch::Tensor n = c / c.norm(2, 1, true).clamp_min(1e-12);
            score = torch::matmul(n, n.t());
        } else
            score = torch::cdist(e, e);
        g.description = std::string(r.metric == "l2"        ? "L2 distance"
                                    : r.metric == "dot"     ? "dot product"
                                    : r.metric == "centred" ? "centred cosine similarity"
                                                            : "cosine similarity") +
                        " of the position embeddings";
        unlike = r.metric == "l2" ? score : -score;
        // PCA: the two leading directions of the centred embeddings.
        const torch::Tensor centred = e - e.mean(0, true);
        auto [u, sv, vh] = torch::linalg::svd(centred.to(torch::kDouble), false, c10::nullopt);
        const int64_t k = std::min<int64_t>(2, sv.size(0));
        torch::Tensor proj = (u.narrow(1, 0, k) * sv.narrow(0, 0, k)).to(torch::kFloat);
        if (k < 2) proj = torch::cat({proj, torch::zeros({N, 2 - k})}, 1);
        g.projection = to_matrix(proj);
        const double total = sv.pow(2).sum().item<double>();
        for (int64_t i = 0; i < k; ++i) g.explained[i] = total > 0 ? sv[i].pow(2).item<double>() / total : 0.0;
    } else if (layer_score.defined()) {
        const torch::Tensor s = layer_score.to(torch::kCPU).to(torch::kFloat); // (H, N, N)
        // The distance profile per head: (H, D).
        if (info.dims == 1) {
            g.profile = to_matrix(s.select(1, N - 1).flip(-1).contiguous()); // keys N-1, N-2, ..., 0
            g.profile_query = pos[N - 1][0].item<int64_t>();
        } else {
            g.profile = to_matrix(s.select(1, 0).narrow(1, 0, g.cols).contiguous()); // patch (0, 0) -> (0, d)
        }
        score = r.head >= 0 ? s[std::min(r.head, H - 1)] : s.mean(0);
        g.kind = "relative";
        g.metric = "score";
        g.description = std::string(enc->title) + ": " + what + (r.head >= 0 ? "" : ", mean over heads");
        unlike = -score;
    } else {
        score = torch::zeros({N, N});
        g.kind = "none";
        g.description = "no position information";
    }
    if (layout.scale != 1.0 && g.kind != "none") g.description += ", read interpolated";
    g.matrix = to_matrix(score);
    if (unlike.defined()) g.rank_correlation = distance_correlation(unlike, pos);
    return g;
}

} // namespace seqpe
