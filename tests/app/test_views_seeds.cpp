// Views over groups of runs: a project's seeds (mean and band in the Extrapolation and Training
// tabs) and its sweep grid (the Sweep tab), from run directories written here by hand, so that
// every expected value is computed in the test.
#include "charts_panel.h"
#include "main_window.h"
#include "views/extrapolation_view.h"
#include "views/figure.h"
#include "views/sweep_view.h"
#include "workbench.h"

#include "seqpe/common/files.h"
#include "seqpe/evaluate.h"
#include "seqpe/records.h"
#include "seqpe/run_dir.h"
#include "seqpe/run_plan.h"
#include "seqpe/widgets/line_chart.h"

#include <QImage>
#include <QLineEdit>
#include <QPainter>
#include <QTableWidget>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::ui;
namespace fs = std::filesystem;

namespace {

QString q(const fs::path& p) {
    return QString::fromStdString(p.string());
}

// A fresh folder holding the project `json` as p.json.
fs::path project_dir(const std::string& tag, const std::string& json) {
    const fs::path dir = fs::temp_directory_path() / (tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "p.json") << json;
    return dir;
}

// A run directory as `seqpe train` leaves it for these views: its config, an evaluation report
// with the given perplexities (extend mode) and, when valid_ppl is a number, a validation record.
void write_evaluated_run(const fs::path& dir, const RunConfig& c, const std::vector<std::pair<int64_t, double>>& ppl,
                         double valid_ppl = std::nan("")) {
    EvalReport r;
    r.task = "lm";
    r.encoding = c.position_encoding.type;
    r.split = "test";
    r.metric = "ppl";
    r.train_length = c.train.seq_len;
    for (const auto& [len, v] : ppl) {
        EvalRow row;
        row.mode = "extend";
        row.length = len;
        row.ppl = v;
        row.loss = std::log(v);
        r.rows.push_back(row);
    }
    write_run_config(RunPaths{dir}, resolve_config(c));
    fs::create_directories(dir / "eval");
    write_file_atomic(dir / "eval/extrapolation.json", eval_report_json(r));
    if (!std::isnan(valid_ppl)) {
        Record e;
        e.kind = "eval";
        e.step = 20;
        e.set("ppl", valid_ppl);
        write_file_atomic(RunPaths{dir}.metrics(), record_to_json(e) + "\n");
    }
}

} // namespace

TEST(ViewsFake, SeedGroupsDrawTheirMeanWithAMinMaxOrSdBandAndExportIt) {
    // A project with seeds and hand-written reports: 2 encodings x 3 seeds, known perplexities.
    const fs::path dir =
        project_dir("seqpe-views-seeds", R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
        "base": {"task": "lm", "train": {"seq_len": 32}}, "seeds": [1, 2, 3],
        "runs": [{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}},
                 {"name": "rope", "set": {"position_encoding.type": "rope"}}]})");
    const std::map<std::string, std::vector<double>> ppl32 = {{"seqpe", {50, 52, 57}}, {"rope", {40, 41, 45}}};
    for (const auto& pr : plan_file(dir / "p.json").runs) {
        const double v = ppl32.at(pr.run)[static_cast<size_t>(*pr.seed - 1)];
        write_evaluated_run(pr.dir, pr.config, {{32, v}, {64, 2 * v}});
    }
    Workbench wb(EngineHooks{});
    ASSERT_FALSE(has_errors(wb.document().open(q(dir / "p.json"))));
    ASSERT_EQ(wb.store().names().size(), 6);
    ExtrapolationView view(wb);
    view.resize(1100, 800);
    view.reload();
    ASSERT_TRUE(view.hasSeedGroups());
    // The default: the mean with the t-based 95% interval over the seeds (docs/METHOD.md §14):
    // seqpe at 32 is 53 +- 4.302653 x sqrt(13 / 3).
    EXPECT_EQ(view.seeds(), ExtrapolationView::Seeds::Ci);
    {
        const auto tables = view.curvesFigure().tables;
        const auto bands =
            std::find_if(tables.begin(), tables.end(), [](const FigureTable& t) { return t.suffix == "bands"; });
        ASSERT_NE(bands, tables.end());
        EXPECT_EQ(bands->header.mid(4), (QStringList{"ci95_lo", "ci95_hi"}));
        EXPECT_NEAR(bands->rows[0][4].toDouble(), 53.0 - 4.302652729749811 * std::sqrt(13.0 / 3), 1e-5);
    }
    // The table tests each group against the reference (the first group by default): rope differs from
    // seqpe in every seed by 10-12 (paired t, p = 0.0027 at both lengths) -> marked at both lengths.
    EXPECT_EQ(view.reference(), "seqpe");
    ASSERT_EQ(view.scoreTable().marks.size(), 2);
    EXPECT_EQ(view.scoreTable().marks[1], (QVector<QString>{"*", "*"}));
    EXPECT_EQ(view.scoreTable().marks[0], (QVector<QString>{"", ""}));
    EXPECT_TRUE(view.scoreTable().notes[1][0].startsWith(
        "rope < seqpe at 32 (1x, extend): -11.00 [-13.48, -8.52], p = 0.00274"))
        << view.scoreTable().notes[1][0].toStdString();
    view.setReference(QString()); // (none): no marks
    EXPECT_TRUE(view.scoreTable().marks.isEmpty());
    view.setSeeds(ExtrapolationView::Seeds::MinMax);
    LineChart* chart = view.curves();
    ASSERT_EQ(chart->seriesCount(), 2);
    const int seqpe = chart->seriesIds().front();
    EXPECT_EQ(chart->seriesName(seqpe), "seqpe (n=3)");
    EXPECT_TRUE(chart->hasBand(seqpe));
    const auto mean = chart->points(seqpe);
    ASSERT_EQ(mean.size(), 2);
    EXPECT_DOUBLE_EQ(mean[0].y(), (50.0 + 52 + 57) / 3);
    EXPECT_DOUBLE_EQ(mean[1].y(), 2 * (50.0 + 52 + 57) / 3);
    // The score table lists the groups' means.
    EXPECT_EQ(view.shownRuns(), (QStringList{"seqpe", "rope"}));
    // Export: the curves' CSV plus the bands and the per-seed values.
    auto tableOf = [&](const QString& suffix) {
        for (const auto& t : view.curvesFigure().tables)
            if (t.suffix == suffix) return t;
        return FigureTable{};
    };
    const FigureTable bands = tableOf("bands");
    ASSERT_EQ(bands.rows.size(), 4); // 2 groups x 2 lengths
    EXPECT_EQ(bands.header.mid(4), (QStringList{"min", "max"}));
    EXPECT_EQ(bands.rows[0], (QVector<QString>{"seqpe", "32", "3", QString::number(53.0, 'g', 8), "50", "57"}));
    EXPECT_EQ(tableOf("per-seed").rows.size(), 12);
    // The figure's metadata names the runs behind the means; a seed's row highlights its group.
    EXPECT_TRUE(view.curvesFigure().description.contains("seqpe/seed-2="))
        << view.curvesFigure().description.toStdString();
    view.highlightRun("rope/seed-2");
    EXPECT_EQ(view.highlightedRun(), "rope");
    // +-1 sd: mean 53, sample sd sqrt(((-3)^2 + (-1)^2 + 4^2) / 2) = sqrt(13).
    view.setSeeds(ExtrapolationView::Seeds::Sd);
    const FigureTable sd = tableOf("bands");
    ASSERT_EQ(sd.rows.size(), 4);
    EXPECT_EQ(sd.header.mid(4), (QStringList{"mean_minus_sd", "mean_plus_sd"}));
    EXPECT_NEAR(sd.rows[0][4].toDouble(), 53.0 - std::sqrt(13.0), 1e-6);
    EXPECT_NEAR(sd.rows[0][5].toDouble(), 53.0 + std::sqrt(13.0), 1e-6);
    // Each seed: six curves, no bands.
    view.setSeeds(ExtrapolationView::Seeds::Each);
    EXPECT_EQ(chart->seriesCount(), 6);
    EXPECT_FALSE(chart->hasBand(chart->seriesIds().front()));
    EXPECT_TRUE(tableOf("bands").rows.isEmpty());
    fs::remove_all(dir);
}

TEST(ViewsFake, SweepViewTabulatesTheGridAndChartsAMetricAgainstAnOption) {
    // A 2 x 2 grid x 2 seeds with hand-written reports and validation records.
    const fs::path dir =
        project_dir("seqpe-views-sweep", R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
        "base": {"task": "lm", "train": {"seq_len": 32}}, "seeds": [1, 2],
        "runs": [{"name": "seqpe", "set": {}}],
        "sweep": {"optim.lr": [0.001, 0.01], "model.n_layer": [1, 2]}})");
    // ppl at 32 = 100 * lr + 10 * n_layer + seed; validation ppl = that + 1.
    for (const auto& pr : plan_file(dir / "p.json").runs) {
        const double lr = pr.config.optim.lr, layers = static_cast<double>(pr.config.model.n_layer);
        const double v = 100 * lr + 10 * layers + static_cast<double>(*pr.seed);
        write_evaluated_run(pr.dir, pr.config, {{32, v}}, v + 1);
    }
    Workbench wb(EngineHooks{});
    ASSERT_FALSE(has_errors(wb.document().open(q(dir / "p.json"))));
    SweepView view(wb);
    view.resize(1100, 700);
    view.reload();
    ASSERT_EQ(view.sweptOptions(), (QStringList{"model.n_layer", "optim.lr"}));
    ASSERT_EQ(view.rows().size(), 4);
    const SweepView::Row& first = view.rows().front();
    EXPECT_EQ(first.group, "seqpe/n_layer=1,lr=0.001");
    EXPECT_EQ(first.values, (QStringList{"1", "0.001"}));
    EXPECT_EQ(first.evaluated, 2);
    EXPECT_EQ(first.at.value(32), (QVector<double>{100 * 0.001 + 10 + 1, 100 * 0.001 + 10 + 2}));
    EXPECT_EQ(first.valid.size(), 2);
    // Table: run, n_layer, lr, seeds, valid, 32; sorting by the value column sorts numerically.
    QTableWidget* t = view.table();
    ASSERT_EQ(t->columnCount(), 6);
    EXPECT_EQ(t->item(0, 3)->text(), "2/2");
    EXPECT_EQ(t->item(0, 5)->text(), QString::number(100 * 0.001 + 10 + 1.5, 'f', 2));
    t->sortItems(5, Qt::DescendingOrder);
    EXPECT_EQ(t->item(0, 1)->text(), "2"); // n_layer 2, lr 0.01: 1 + 20 + 1.5 = 22.5, the largest
    EXPECT_EQ(t->item(0, 2)->text(), "0.01");
    // Filter: rows without the text are hidden.
    view.filter()->setText("0.01");
    int shown = 0;
    for (int r = 0; r < t->rowCount(); ++r) shown += !t->isRowHidden(r);
    EXPECT_EQ(shown, 2);
    view.filter()->clear();
    // Chart: the metric at 32 against lr, one line per n_layer, the seeds' min-max as the band.
    view.setMetric("L=32");
    view.setXOption("optim.lr");
    view.setLinesBy("model.n_layer");
    LineChart* c = view.chart();
    ASSERT_EQ(c->seriesCount(), 2);
    const int id = c->seriesIds().front();
    EXPECT_EQ(c->seriesName(id), "seqpe n_layer=1");
    const auto pts = c->points(id);
    ASSERT_EQ(pts.size(), 2);
    EXPECT_DOUBLE_EQ(pts[0].x(), 0.001);
    EXPECT_DOUBLE_EQ(pts[0].y(), 100 * 0.001 + 10 + 1.5);
    EXPECT_DOUBLE_EQ(pts[1].y(), 100 * 0.01 + 10 + 1.5);
    EXPECT_TRUE(c->hasBand(id));
    // Without a lines-by option the n_layer values pool into each point (4 samples, wider band).
    view.setLinesBy(QString());
    ASSERT_EQ(c->seriesCount(), 1);
    EXPECT_DOUBLE_EQ(c->points(c->seriesIds().front())[0].y(), 100 * 0.001 + 15 + 1.5);
    // Export: the chart's CSV plus every seed's value; the table figure holds the table.
    const Figure chart = view.chartFigure();
    ASSERT_FALSE(chart.isNull());
    ASSERT_EQ(chart.tables.size(), 2);
    EXPECT_EQ(chart.tables[1].suffix, "per-seed");
    EXPECT_EQ(chart.tables[1].rows.size(), 8 * 2); // 8 runs x (valid, L=32)
    const Figure table = view.tableFigure();
    ASSERT_EQ(table.tables.size(), 1);
    EXPECT_EQ(table.tables[0].rows.size(), 4);
    QImage img(table.size.toSize(), QImage::Format_ARGB32);
    QPainter p(&img);
    table.render(p, QRectF(QPointF(0, 0), table.size));
    fs::remove_all(dir);
}

TEST(ViewsFake, TrainingChartsDrawASeedGroupsMeanWithItsSeedsFaintly) {
    const fs::path dir =
        project_dir("seqpe-views-seedcharts", R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
        "base": {"task": "lm"}, "seeds": [1, 2], "runs": [{"name": "seqpe", "set": {}}, {"name": "rope",
        "set": {"position_encoding.type": "rope"}}]})");
    // Task loss = step + 2 * (seed - 1); seed 2 has logged 5 steps, seed 1 only 3.
    for (const auto& pr : plan_file(dir / "p.json").runs) {
        write_run_config(RunPaths{pr.dir}, pr.resolved);
        std::string lines;
        const int steps = *pr.seed == 1 ? 3 : 5;
        for (int s = 1; s <= steps; ++s) {
            Record r;
            r.kind = "train";
            r.step = s;
            r.set("loss_task", s + 2.0 * (static_cast<double>(*pr.seed) - 1));
            lines += record_to_json(r) + "\n";
        }
        write_file_atomic(RunPaths{pr.dir}.metrics(), lines);
    }
    Workbench wb(EngineHooks{});
    ASSERT_FALSE(has_errors(wb.document().open(q(dir / "p.json"))));
    ChartsPanel panel(wb);
    ASSERT_TRUE(panel.hasSeedGroups());
    LineChart* loss = panel.chart(0);
    EXPECT_EQ(loss->seriesCount(), 4 + 2); // every seed, and one mean per group
    const int mean = panel.meanSeries(0, "seqpe");
    ASSERT_GE(mean, 0);
    EXPECT_EQ(loss->seriesName(mean), "seqpe (mean of 2)");
    // Steps both seeds reached (1..3), the mean of (s, s + 2) = s + 1.
    EXPECT_EQ(loss->points(mean), (QVector<QPointF>{{1, 2}, {2, 3}, {3, 4}}));
    // Off: the seeds alone, in their own colours.
    panel.setSeedMeans(false);
    EXPECT_EQ(loss->seriesCount(), 4);
    EXPECT_EQ(panel.meanSeries(0, "seqpe"), -1);
    fs::remove_all(dir);
}

// File > Export Report: the tables `seqpe report` writes, from the window's reports.
TEST(ViewsFake, ExportReportWritesTheTestedTables) {
    const fs::path dir =
        project_dir("seqpe-views-report", R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
        "base": {"task": "lm", "train": {"seq_len": 32}}, "seeds": [1, 2, 3],
        "runs": [{"name": "seqpe", "set": {"position_encoding.type": "seqpe"}},
                 {"name": "rope", "set": {"position_encoding.type": "rope"}}]})");
    const std::map<std::string, std::vector<double>> ppl32 = {{"seqpe", {50, 52, 57}}, {"rope", {40, 41, 45}}};
    for (const auto& pr : plan_file(dir / "p.json").runs)
        write_evaluated_run(pr.dir, pr.config, {{32, ppl32.at(pr.run)[static_cast<size_t>(*pr.seed - 1)]}});
    MainWindow w(EngineHooks{});
    ASSERT_TRUE(w.openProject(q(dir / "p.json")));
    const QStringList files = w.exportReport();
    ASSERT_EQ(files.size(), 2);
    const std::string md = read_file(dir / "runs/report/results.md");
    // rope is lower in every seed (paired p = 0.0027): bold; seqpe's 53.0 +- 9.0 (t interval, n = 3).
    EXPECT_NE(md.find("| rope | **42.0 ± 6.6** |"), std::string::npos) << md;
    EXPECT_NE(md.find("| seqpe | 53.0 ± 9.0 |"), std::string::npos) << md;
    EXPECT_NE(read_file(dir / "runs/report/results.tex").find("\\mathbf{42.0 \\pm 6.6}"), std::string::npos);
    fs::remove_all(dir);
}
