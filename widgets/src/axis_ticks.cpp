// Nice-number tick placement (1-2-5 steps) and log-decade ticks.
#include "seqpe/widgets/axis_ticks.h"

#include <algorithm>
#include <cmath>

namespace seqpe::ui {

double niceStep(double span, int maxTicks) {
    maxTicks = std::max(maxTicks, 2);
    if (!(span > 0) || !std::isfinite(span)) return 1.0;
    const double raw = span / (maxTicks - 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) return m * mag;
    return 10 * mag;
}

QString formatTickValue(double value, double step) {
    if (std::abs(value) < step * 1e-6) value = 0; // -0 and rounding noise at the origin
    if (value == 0) return QStringLiteral("0");
    const double a = std::abs(value);
    const auto trim = [](QString s) {
        if (s.contains(QLatin1Char('.')) && !s.contains(QLatin1Char('e'))) {
            while (s.endsWith(QLatin1Char('0'))) s.chop(1);
            if (s.endsWith(QLatin1Char('.'))) s.chop(1);
        }
        return s;
    };
    const auto fixed = [&](double v, double st) {
        const int decimals = st >= 1 ? 0 : std::clamp(int(std::ceil(-std::log10(st) - 1e-9)), 0, 12);
        return trim(QString::number(v, 'f', decimals));
    };
    if (a >= 1e4 && step >= 1000) {
        if (a >= 1e9) return fixed(value / 1e9, step / 1e9) + QLatin1Char('G');
        if (a >= 1e6) return fixed(value / 1e6, step / 1e6) + QLatin1Char('M');
        return fixed(value / 1e3, step / 1e3) + QLatin1Char('k');
    }
    if (step < 1e-3 || a >= 1e9) {
        // Mantissa digits enough for the step relative to the value.
        const int digits = a > 0 ? std::clamp(int(std::ceil(std::log10(a / step) + 1e-9)) + 1, 1, 6) : 1;
        QString s = QString::number(value, 'e', digits - 1);
        // "3.0e-04" -> "3e-4"
        const int e = int(s.indexOf(QLatin1Char('e')));
        QString mant = trim(s.left(e));
        QString exp = s.mid(e + 1);
        const bool neg = exp.startsWith(QLatin1Char('-'));
        exp.remove(0, 1);
        while (exp.size() > 1 && exp.startsWith(QLatin1Char('0'))) exp.remove(0, 1);
        return mant + QLatin1Char('e') + (neg ? QStringLiteral("-") : QString()) + exp;
    }
    return fixed(value, step);
}

QVector<AxisTick> linearTicks(double lo, double hi, int maxTicks) {
    if (lo > hi) std::swap(lo, hi);
    QVector<AxisTick> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
    if (!(hi > lo)) {
        ticks.append({lo, formatTickValue(lo, std::max(std::abs(lo), 1.0) * 0.01), true});
        return ticks;
    }
    const double step = niceStep(hi - lo, maxTicks);
    const double start = std::ceil(lo / step - 1e-9);
    for (double k = start;; k += 1) {
        const double v = k * step;
        if (v > hi + step * 1e-9 || ticks.size() > 1000) break;
        ticks.append({v, formatTickValue(v, step), true});
    }
    return ticks;
}

QVector<AxisTick> logTicks(double log10Lo, double log10Hi, int maxTicks) {
    if (log10Lo > log10Hi) std::swap(log10Lo, log10Hi);
    QVector<AxisTick> ticks;
    if (!std::isfinite(log10Lo) || !std::isfinite(log10Hi)) return ticks;
    maxTicks = std::max(maxTicks, 2);
    const double decades = log10Hi - log10Lo;
    if (decades < 1.0) {
        // Within about a decade decade ticks would leave the axis bare: label data values instead.
        const double vlo = std::pow(10.0, log10Lo), vhi = std::pow(10.0, log10Hi);
        for (const AxisTick& t : linearTicks(vlo, vhi, maxTicks))
            if (t.value > 0) ticks.append({std::log10(t.value), t.label, true});
        return ticks;
    }
    const int first = int(std::ceil(log10Lo - 1e-9));
    const int last = int(std::floor(log10Hi + 1e-9));
    if (decades < 3.0) {
        // One to three decades (lengths 128..2048, say): one decade label alone leaves the axis
        // unreadable; 1, 2 and 5 x 10^k are labelled, the other multiples are minor ticks.
        QVector<AxisTick> dense;
        int labelled = 0;
        for (int k = int(std::floor(log10Lo)); k <= last; ++k)
            for (int m = 1; m <= 9; ++m) {
                const double lv = k + std::log10(double(m));
                if (lv < log10Lo - 1e-9 || lv > log10Hi + 1e-9) continue;
                const bool major = m == 1 || m == 2 || m == 5;
                const double v = m * std::pow(10.0, k);
                dense.append({lv, major ? formatTickValue(v, std::pow(10.0, k)) : QString(), major});
                labelled += major ? 1 : 0;
            }
        if (labelled >= 2 && labelled <= maxTicks) return dense;
    }
    const int every = std::max(1, int(std::ceil(double(last - first + 1) / maxTicks)));
    for (int k = int(std::floor(log10Lo)); k <= last; ++k) {
        if (k >= first && (k - first) % every == 0) {
            const double v = std::pow(10.0, k);
            QString label;
            if (k >= 0 && k <= 4)
                label = QString::number(v, 'f', 0);
            else if (k < 0 && k >= -3)
                label = QString::number(v, 'f', -k);
            else
                label = QStringLiteral("1e%1").arg(k);
            ticks.append({double(k), label, true});
        }
        if (every == 1 && decades <= 6) {
            for (int m = 2; m <= 9; ++m) {
                const double lv = k + std::log10(double(m));
                if (lv >= log10Lo && lv <= log10Hi) ticks.append({lv, QString(), false});
            }
        }
    }
    std::sort(ticks.begin(), ticks.end(), [](const AxisTick& a, const AxisTick& b) { return a.value < b.value; });
    return ticks;
}

} // namespace seqpe::ui
