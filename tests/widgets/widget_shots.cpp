// Renders every widget of seqpe_widgets with sample data into a folder (PNG, plus SVG/PDF of the
// line chart), in the light and the dark theme, for looking at them:
//   widgets_shots [output dir, default /tmp/widgets-shots]
// Not a test: the pictures are for human eyes (layout, legibility, colours).
#include "seqpe/widgets/config_form.h"
#include "seqpe/widgets/diagnostics_list.h"
#include "seqpe/widgets/export.h"
#include "seqpe/widgets/heat_map.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"
#include "seqpe/widgets/theme.h"

#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QPainter>
#include <QRandomGenerator>
#include <QTextStream>

#include <cmath>

using namespace seqpe::ui;

namespace {

QString g_out;

void save(const RenderFunction& render, QSizeF size, const QString& name) {
    QString error;
    if (!exportFigure(render, size, g_out + QLatin1Char('/') + name,
                      {144, name, QStringLiteral("widgets_shots sample")}, &error))
        QTextStream(stderr) << "failed: " << name << ": " << error << "\n";
}

void grab(QWidget& w, const QString& name) {
    w.show();
    for (int i = 0; i < 5; ++i) QApplication::processEvents();
    w.grab().save(g_out + QLatin1Char('/') + name);
}

void fillLineChart(LineChart& chart) {
    chart.setTitle(QStringLiteral("Loss by position (train length 512)"));
    chart.setAxisLabels(QStringLiteral("position"), QStringLiteral("cross-entropy"));
    QRandomGenerator rng(7);
    const struct {
        const char* name;
        double base, growth;
    } runs[] = {{"rope", 2.1, 1.6}, {"alibi", 2.15, 0.35}, {"seqpe", 2.05, 0.12}};
    for (int r = 0; r < 3; ++r) {
        const int id = chart.addSeries(QString::fromLatin1(runs[r].name), seriesColor(r));
        QVector<QPointF> pts;
        for (int i = 1; i <= 2048; ++i) {
            double y = runs[r].base + 1.5 / std::sqrt(double(i));
            if (i > 512) y += runs[r].growth * std::log(double(i) / 512.0);
            y += (rng.generateDouble() - 0.5) * 0.5;
            pts.append(QPointF(i, y));
        }
        chart.setPoints(id, pts);
    }
    chart.setSmoothing(LineChart::Smoothing::Ema, 0.95);
    chart.setMarker(512, QStringLiteral("train length"));
    chart.setShadedFrom(512, QStringLiteral("extrapolation"));
}

void fillTokenHeatMap(HeatMap& map) {
    const QStringList tokens = QStringLiteral("The state of the union is strong . We will build a future where "
                                              "every child can dream and every worker can thrive together")
                                   .split(QLatin1Char(' '));
    const int n = int(tokens.size());
    QVector<float> v(n * n, std::nanf(""));
    for (int q = 0; q < n; ++q) {
        double sum = 0;
        QVector<double> row(q + 1);
        for (int k = 0; k <= q; ++k) {
            row[k] =
                std::exp(-0.35 * (q - k)) + (k == 0 ? 0.8 : 0.0) + (tokens[k] == QLatin1String("every") ? 0.6 : 0.0);
            sum += row[k];
        }
        for (int k = 0; k <= q; ++k) v[q * n + k] = float(row[k] / sum);
    }
    map.setMatrix(n, n, v);
    map.setRowLabels(tokens);
    map.setColumnLabels(tokens);
    map.setColorMap(ColorMap::Magma);
    map.setTitle(QStringLiteral("Layer 2, head 3 (causal)"));
    map.setColorBarLabel(QStringLiteral("attention"));
}

QImage samplePicture() {
    QImage img(224, 224, QImage::Format_RGB32);
    QPainter p(&img);
    QLinearGradient sky(0, 0, 0, 224);
    sky.setColorAt(0, QColor(90, 150, 220));
    sky.setColorAt(1, QColor(200, 225, 245));
    p.fillRect(img.rect(), sky);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(250, 210, 60));
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPointF(165, 55), 26, 26);
    p.fillRect(QRectF(0, 160, 224, 64), QColor(80, 140, 70));
    p.setBrush(QColor(170, 70, 50));
    p.drawRect(QRectF(40, 110, 70, 60));
    p.setBrush(QColor(120, 40, 30));
    p.drawPolygon(QPolygonF({QPointF(32, 112), QPointF(75, 75), QPointF(118, 112)}));
    return img;
}

void fillPatchHeatMap(HeatMap& map) {
    const int n = 14;
    QVector<float> v(n * n);
    const int qr = 9, qc = 5; // query patch on the house
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const double d2 = (r - qr) * (r - qr) + (c - qc) * (c - qc);
            const double sun = (r - 3.5) * (r - 3.5) + (c - 10.3) * (c - 10.3);
            v[r * n + c] = float(std::exp(-d2 / 6.0) + 0.55 * std::exp(-sun / 3.0));
        }
    map.setMatrix(n, n, v);
    map.setBackgroundImage(samplePicture(), 0.55);
    map.setMarkedCell(qr, qc);
    map.setColorMap(ColorMap::Viridis);
    map.setTitle(QStringLiteral("ViT attention from patch (9, 5), 14x14 grid"));
    map.setColorBarLabel(QStringLiteral("attention"));
}

void fillScatter(ScatterPlot& plot) {
    QVector<QPointF> pts;
    QVector<double> pos;
    QRandomGenerator rng(3);
    for (int i = 0; i < 512; ++i) {
        const double t = i / 512.0 * 5.0;
        pts.append(QPointF(std::cos(t) * (1 + 0.2 * t) + rng.generateDouble() * 0.05,
                           std::sin(t) * (1 + 0.2 * t) * 0.6 + rng.generateDouble() * 0.05));
        pos.append(i);
    }
    plot.setPoints(pts, pos);
    plot.setTitle(QStringLiteral("PCA of learned position embeddings"));
    plot.setAxisLabels(QStringLiteral("PC 1 (41%)"), QStringLiteral("PC 2 (23%)"));
    plot.setColorBarLabel(QStringLiteral("position"));
}

QVector<FieldSpec> sampleFields() {
    const auto f = [](const char* path, FieldSpec::Type t, std::optional<double> lo, std::optional<double> hi,
                      const char* help, bool adv = false, QStringList choices = {}) {
        FieldSpec s;
        s.path = QString::fromLatin1(path);
        s.type = t;
        s.min = lo;
        s.max = hi;
        s.help = QString::fromLatin1(help);
        s.advanced = adv;
        s.choices = choices;
        return s;
    };
    const QStringList enc{"learned", "sinusoidal", "rope", "alibi", "seqpe"};
    return {
        f("model.encoding", FieldSpec::Choice, {}, {}, "position encoding", false, enc),
        f("model.n_layer", FieldSpec::Int, 1, 48, "transformer blocks"),
        f("model.n_head", FieldSpec::Int, 1, 64, "attention heads"),
        f("model.d_model", FieldSpec::Int, 8, 4096, "model width"),
        f("model.dropout", FieldSpec::Float, 0, 1, "dropout probability"),
        f("rope.base", FieldSpec::Float, 1, {}, "rotary base frequency"),
        f("optim.lr", FieldSpec::Float, 0, 1, "peak learning rate"),
        f("optim.warmup_steps", FieldSpec::Int, 0, {}, "linear warm-up"),
        f("optim.grad_clip", FieldSpec::Float, 0, {}, "global norm clip", true),
        f("data.dataset", FieldSpec::String, {}, {}, "dataset name or folder"),
        f("data.seq_len", FieldSpec::Int, 8, 65536, "training context length"),
        f("eval.lengths", FieldSpec::IntList, 1, {}, "evaluation lengths"),
        f("train.amp", FieldSpec::Bool, {}, {}, "mixed precision (CUDA)", true),
        f("train.compile", FieldSpec::Bool, {}, {}, "fuse kernels"),
    };
}

void fillForm(ConfigForm& form, DiagnosticsList& list) {
    form.setFields(sampleFields());
    const QMap<QString, QString> values{
        {"model.encoding", "rope"}, {"model.n_layer", "6"},        {"model.n_head", "4"},
        {"model.d_model", "130"},   {"model.dropout", "0.1"},      {"rope.base", "10000"},
        {"optim.lr", "0.03"},       {"optim.warmup_steps", "200"}, {"optim.grad_clip", "1"},
        {"data.dataset", "sotu"},   {"data.seq_len", "512"},       {"eval.lengths", "[512,1024,2048]"},
        {"train.amp", "false"},     {"train.compile", "true"}};
    form.setValues(values);
    QMap<QString, QString> base = values;
    base["model.n_layer"] = "4";
    base["data.seq_len"] = "256";
    form.setBaseValues(base);
    QSet<QString> relevant;
    for (const FieldSpec& s : sampleFields()) relevant.insert(s.path);
    relevant.remove("train.compile");
    form.setRelevant(relevant);
    const QVector<FieldDiagnostic> diags{
        {"model.n_head", "4 does not divide model.d_model = 130; choose a divisor of 130", true},
        {"optim.lr", "0.03 is unusually high for Adam; runs often diverge above 0.01", false},
        {"", "project file was written by an older version", false}};
    form.setDiagnostics(diags);
    list.setDiagnostics(diags);
    form.resize(560, 760);
    list.resize(560, 160);
}

void shoot(QApplication& app, Theme theme, const QString& suffix) {
    applyTheme(app, theme);
    LineChart chart;
    chart.resize(900, 520);
    fillLineChart(chart);
    const auto renderChart = [&](QPainter& p, const QRectF& r) { chart.render(p, r); };
    save(renderChart, QSizeF(900, 520), QStringLiteral("line_chart_%1.png").arg(suffix));
    if (theme == Theme::Light) {
        save(renderChart, QSizeF(900, 520), QStringLiteral("line_chart.svg"));
        save(renderChart, QSizeF(900, 520), QStringLiteral("line_chart.pdf"));
        chart.setLogY(true);
        chart.setSmoothing(LineChart::Smoothing::MovingAverage, 25);
        chart.setXRange(300, 900);
        save(renderChart, QSizeF(900, 520), QStringLiteral("line_chart_zoom_logy_ma.png"));
        save(renderChart, QSizeF(900, 520), QStringLiteral("line_chart_zoom_logy_ma.svg")); // clipping in SVG
    }

    // The live widget with the hover read-out (screen only, not part of render()).
    LineChart live;
    live.resize(900, 520);
    fillLineChart(live);
    live.show();
    QApplication::processEvents();
    const QPointF at(live.plotRect().left() + live.plotRect().width() * 0.62, live.plotRect().center().y());
    QMouseEvent move(QEvent::MouseMove, at, live.mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(&live, &move);
    grab(live, QStringLiteral("line_chart_hover_%1.png").arg(suffix));

    HeatMap tokens;
    fillTokenHeatMap(tokens);
    save([&](QPainter& p, const QRectF& r) { tokens.render(p, r); }, QSizeF(720, 640),
         QStringLiteral("heat_map_tokens_%1.png").arg(suffix));

    HeatMap patches;
    fillPatchHeatMap(patches);
    save([&](QPainter& p, const QRectF& r) { patches.render(p, r); }, QSizeF(640, 560),
         QStringLiteral("heat_map_overlay_%1.png").arg(suffix));

    ScatterPlot scatter;
    fillScatter(scatter);
    save([&](QPainter& p, const QRectF& r) { scatter.render(p, r); }, QSizeF(680, 500),
         QStringLiteral("scatter_%1.png").arg(suffix));

    ConfigForm form;
    DiagnosticsList list;
    fillForm(form, list);
    grab(form, QStringLiteral("config_form_%1.png").arg(suffix));
    grab(list, QStringLiteral("diagnostics_%1.png").arg(suffix));
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    g_out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("/tmp/widgets-shots");
    QDir().mkpath(g_out);
    shoot(app, Theme::Light, QStringLiteral("light"));
    shoot(app, Theme::Dark, QStringLiteral("dark"));
    QTextStream(stdout) << "wrote " << g_out << "\n";
    return 0;
}
