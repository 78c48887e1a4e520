// Min/max decimation and the two smoothers of the line chart. Plain loops over contiguous arrays:
// these run on every repaint of curves with up to millions of points.
#include "seqpe/widgets/decimate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace seqpe::ui {

QVector<int> decimateMinMaxIndices(const QVector<QPointF>& pts, double x0, double x1, int buckets) {
    const int n = int(pts.size());
    buckets = std::max(buckets, 1);
    QVector<int> out;
    if (n <= 4 * buckets) {
        out.resize(n);
        for (int i = 0; i < n; ++i) out[i] = i;
        return out;
    }
    if (x1 < x0) std::swap(x0, x1);

    // Range [first, last) of points with x in [x0, x1], widened by one neighbour per side.
    const auto byX = [](const QPointF& p, double x) { return p.x() < x; };
    const auto byXUpper = [](double x, const QPointF& p) { return x < p.x(); };
    int first = int(std::lower_bound(pts.begin(), pts.end(), x0, byX) - pts.begin());
    int last = int(std::upper_bound(pts.begin(), pts.end(), x1, byXUpper) - pts.begin());
    first = std::max(first - 1, 0);
    last = std::min(last + 1, n);
    if (last <= first) return out;

    if (last - first <= 4 * buckets) {
        out.reserve(last - first);
        for (int i = first; i < last; ++i) out.append(i);
        return out;
    }

    out.reserve(4 * buckets + 8);
    const double span = x1 - x0;
    const double scale = span > 0 ? buckets / span : 0.0;
    // Bucket of a point; the neighbours outside [x0, x1] get buckets -1 and `buckets` of their own.
    const auto bucketOf = [&](double x) {
        if (x < x0) return -1;
        if (x > x1) return buckets;
        return std::min(int((x - x0) * scale), buckets - 1);
    };

    int i = first;
    int picked[5];
    while (i < last) {
        const int b = bucketOf(pts[i].x());
        int iFirst = i, iLast = i, iMin = -1, iMax = -1, iNan = -1;
        for (; i < last && bucketOf(pts[i].x()) == b; ++i) {
            iLast = i;
            const double y = pts[i].y();
            if (std::isnan(y)) {
                if (iNan < 0) iNan = i;
                continue;
            }
            if (iMin < 0 || y < pts[iMin].y()) iMin = i;
            if (iMax < 0 || y > pts[iMax].y()) iMax = i;
        }
        int k = 0;
        for (int idx : {iFirst, iMin, iMax, iNan, iLast})
            if (idx >= 0) picked[k++] = idx;
        // Insertion sort of at most 5 indices (std::sort here trips GCC's -Warray-bounds).
        for (int a = 1; a < k; ++a)
            for (int b = a; b > 0 && picked[b - 1] > picked[b]; --b) std::swap(picked[b - 1], picked[b]);
        for (int j = 0; j < k; ++j)
            if (j == 0 || picked[j] != picked[j - 1]) out.append(picked[j]);
    }
    return out;
}

QVector<QPointF> decimateMinMax(const QVector<QPointF>& pts, double x0, double x1, int buckets) {
    if (pts.size() <= 4 * std::max(buckets, 1)) return pts; // shares the data, no copy
    const QVector<int> idx = decimateMinMaxIndices(pts, x0, x1, buckets);
    QVector<QPointF> out;
    out.reserve(idx.size());
    for (int i : idx) out.append(pts[i]);
    return out;
}

QVector<double> smoothEma(const QVector<double>& ys, double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == 0.0) return ys;
    QVector<double> out(ys.size());
    double acc = 0.0;
    double decay = 1.0; // weight^n
    for (int i = 0; i < ys.size(); ++i) {
        const double y = ys[i];
        if (!std::isfinite(y)) {
            out[i] = y;
            continue;
        }
        acc = acc * weight + (1.0 - weight) * y;
        decay *= weight;
        out[i] = acc / (1.0 - decay);
    }
    return out;
}

QVector<double> smoothMovingAverage(const QVector<double>& ys, int window, MovingAverageMode mode) {
    const int n = int(ys.size());
    if (window <= 1 || n == 0) return ys;
    // Prefix sums of finite values and of their count: each window mean is then O(1).
    QVector<double> sum(n + 1, 0.0);
    QVector<int> cnt(n + 1, 0);
    for (int i = 0; i < n; ++i) {
        const bool ok = std::isfinite(ys[i]);
        sum[i + 1] = sum[i] + (ok ? ys[i] : 0.0);
        cnt[i + 1] = cnt[i] + (ok ? 1 : 0);
    }
    const int before = mode == MovingAverageMode::Centred ? window / 2 : window - 1;
    const int after = window - 1 - before;
    QVector<double> out(n);
    for (int i = 0; i < n; ++i) {
        if (std::isnan(ys[i])) {
            out[i] = ys[i];
            continue;
        }
        const int lo = std::max(i - before, 0);
        const int hi = std::min(i + after, n - 1) + 1;
        const int c = cnt[hi] - cnt[lo];
        out[i] = c > 0 ? (sum[hi] - sum[lo]) / c : std::numeric_limits<double>::quiet_NaN();
    }
    return out;
}

} // namespace seqpe::ui
