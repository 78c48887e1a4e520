// The workbench on algorithmic runs: the Extrapolation tab's training-range shading, table headers
// and accuracy by answer position (from hand-written reports: every expected value is computed
// here), Add Run's task choice, and the Attention pane's answer line.
#include "add_run_dialog.h"
#include "views/attention_pane.h"
#include "views/extrapolation_view.h"
#include "views/figure.h"
#include "workbench.h"

#include "seqpe/common/files.h"
#include "seqpe/evaluate.h"
#include "seqpe/run_dir.h"
#include "seqpe/run_plan.h"
#include "seqpe/widgets/line_chart.h"

#include <QComboBox>
#include <QTableWidget>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace seqpe;
using namespace seqpe::ui;
namespace fs = std::filesystem;

namespace {

// A run's report: exact match `em` at lengths 5..40 and accuracy `pos(k)` at answer position k.
void write_algo_run(const fs::path& dir, const RunConfig& c, double em, double offset) {
    EvalReport r;
    r.task = "algorithmic";
    r.encoding = c.position_encoding.type;
    r.split = "test";
    r.metric = "em";
    r.train_length = c.algo.train_max_len;
    r.train_min_length = c.algo.train_min_len;
    r.length_unit = "symbols";
    for (const int64_t n : {5, 20, 40}) {
        EvalRow row;
        row.mode = "extend";
        row.length = n;
        row.accuracy = n <= 20 ? em : em / 4;
        row.count = 100;
        for (int64_t k = 0; k < n; ++k) row.by_position.push_back(offset + 0.01 * static_cast<double>(k));
        r.rows.push_back(row);
    }
    write_run_config(RunPaths{dir}, resolve_config(c));
    fs::create_directories(dir / "eval");
    write_file_atomic(dir / "eval/extrapolation.json", eval_report_json(r));
}

} // namespace

TEST(ViewsAlgorithmic, ExtrapolationShadesTheTrainingRangeAndShowsAccuracyByAnswerPosition) {
    const fs::path dir = fs::temp_directory_path() / ("seqpe-views-algo-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "p.json") << R"({"format": "seqpe-project/1", "name": "p", "output_dir": "runs",
        "base": {"task": "algorithmic", "algo": {"task": "copy", "train_min_len": 3, "train_max_len": 20,
                 "eval_lengths": [5, 20, 40]}}, "seeds": [1, 2],
        "runs": [{"name": "rope", "set": {"position_encoding.type": "rope"}},
                 {"name": "none", "set": {"position_encoding.type": "none"}}]})";
    for (const auto& pr : plan_file(dir / "p.json").runs)
        write_algo_run(pr.dir, pr.config, pr.run == "rope" ? 0.9 : 0.7, 0.1 * static_cast<double>(*pr.seed));
    Workbench wb(EngineHooks{});
    ASSERT_FALSE(has_errors(wb.document().open(QString::fromStdString((dir / "p.json").string()))));
    ExtrapolationView view(wb);
    view.resize(1100, 800);
    view.reload();
    EXPECT_EQ(view.metric(), "em");
    // The trained lengths 3..20 shaded (half a length either side), linear lengths.
    const auto shade = view.curves()->shadedRange();
    EXPECT_DOUBLE_EQ(shade.first, 2.5);
    EXPECT_DOUBLE_EQ(shade.second, 20.5);
    EXPECT_DOUBLE_EQ(view.markerX(), 20);
    EXPECT_FALSE(view.curves()->logX());
    EXPECT_TRUE(view.curves()->xLabel().contains("symbols")) << view.curves()->xLabel().toStdString();
    // Headers: 5 and 20 were trained on, 40 was not.
    const ScoreTable& t = view.scoreTable();
    ASSERT_EQ(t.lengths, (QVector<int64_t>{5, 20, 40}));
    EXPECT_EQ(t.header(0), "5 (train)");
    EXPECT_EQ(t.header(1), "20 (train)");
    EXPECT_EQ(t.header(2), "40");
    // The lower chart: the first group's accuracy by answer position, the mean of its two seeds
    // (0.1 + 0.01 k and 0.2 + 0.01 k), one curve per length.
    LineChart* lower = view.lossByPosition();
    ASSERT_EQ(lower->seriesCount(), 3);
    EXPECT_TRUE(lower->title().contains("Accuracy by answer position")) << lower->title().toStdString();
    EXPECT_TRUE(lower->title().contains("mean of 2 seeds")) << lower->title().toStdString();
    const auto ids = lower->seriesIds();
    const QVector<QPointF> pts = lower->points(ids[2]); // length 40
    ASSERT_EQ(pts.size(), 40);
    EXPECT_NEAR(pts[7].y(), 0.15 + 0.07, 1e-9);
    EXPECT_EQ(lower->seriesName(ids[0]), "length 5 (train)");
    EXPECT_EQ(lower->seriesName(ids[2]), "length 40");
    // Its figure and CSV are named for what they show.
    const Figure f = view.lossFigure();
    EXPECT_EQ(f.stem, "extrapolation-all-by-answer-position");
    ASSERT_FALSE(f.tables.isEmpty());
    EXPECT_TRUE(f.tables[0].header.contains("answer_position"));
    EXPECT_TRUE(f.tables[0].header.contains("accuracy"));
    // Highlighting the other group shows its positions.
    view.highlightRun("none");
    EXPECT_TRUE(view.lossByPosition()->title().contains("none"));
    fs::remove_all(dir);
}

TEST(ViewsAlgorithmic, AddRunOffersEveryTaskAndOverridesTheProjectsOnlyWhenItDiffers) {
    RunConfig base; // an LM project
    AddRunDialog d(base);
    QStringList entries;
    for (int i = 0; i < d.taskCombo()->count(); ++i) entries << d.taskCombo()->itemData(i).toString();
    EXPECT_TRUE(entries.contains("lm"));
    EXPECT_TRUE(entries.contains("algorithmic:copy"));
    EXPECT_TRUE(entries.contains("algorithmic:parity"));
    EXPECT_EQ(d.taskCombo()->currentData().toString(), "lm");
    d.choose("lm", "rope");
    EXPECT_EQ(d.runName(), "rope");
    EXPECT_TRUE(d.overrides().empty());
    d.choose("algorithmic:addition", "t5");
    EXPECT_EQ(d.runName(), "addition-t5");
    const auto o = d.overrides();
    ASSERT_EQ(o.size(), 2u);
    EXPECT_EQ(o[0], (std::pair<std::string, std::string>{"task", "\"algorithmic\""}));
    EXPECT_EQ(o[1], (std::pair<std::string, std::string>{"algo.task", "\"addition\""}));
    // An image task lists the 2D encodings only (rope_mixed has no 1D form).
    d.choose("image", "rope_mixed");
    EXPECT_EQ(d.encoding(), "rope_mixed");
    d.choose("algorithmic:copy", "rope_mixed");
    EXPECT_NE(d.encoding(), "rope_mixed");
    // In an algorithmic project the default is its own task, and a copy run needs no override.
    RunConfig algo;
    algo.task = "algorithmic";
    algo.algo.task = "reverse";
    AddRunDialog e(algo);
    EXPECT_EQ(e.taskCombo()->currentData().toString(), "algorithmic:reverse");
    e.choose("algorithmic:copy", "none");
    const auto oc = e.overrides();
    ASSERT_EQ(oc.size(), 1u);
    EXPECT_EQ(oc[0].first, "algo.task");
}

TEST(ViewsAlgorithmic, TheAnswerLineReadsTheAnswerAgainstTheModelsPredictions) {
    AttentionResult a;
    a.tokens = {"<s>", "1", "2", "3", "|", "1", "2", "3"};
    // The prediction at i is the model's next token after i: the answer's are at 4, 5, 6, the end at 7.
    a.predicted = {"x", "x", "x", "x", "1", "9", "3", "</s>"};
    a.answer_start = 5;
    const QString line = algorithmicAnswerLine(a);
    EXPECT_TRUE(line.contains("answer 123")) << line.toStdString();
    EXPECT_TRUE(line.contains("<u>9</u>")) << line.toStdString(); // the wrong digit marked
    EXPECT_TRUE(line.contains("2 of 3 right")) << line.toStdString();
    EXPECT_FALSE(line.contains("exact match"));
    a.predicted[5] = "2";
    EXPECT_TRUE(algorithmicAnswerLine(a).contains("3 of 3 right, exact match"));
    a.predicted[7] = "1"; // right digits but no end: not an exact match
    EXPECT_FALSE(algorithmicAnswerLine(a).contains("exact match"));
    a.answer_start = -1;
    EXPECT_TRUE(algorithmicAnswerLine(a).isEmpty());
}
