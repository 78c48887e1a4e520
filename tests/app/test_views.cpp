// The Geometry, Extrapolation and Attention views and the figure export, offscreen. The tiny
// project is trained and evaluated once for the suite by the CLI (real engine, seconds); live
// geometry and 2D grids at several resolutions use fakes behind the real bridge.
#include "../support/tiny_project.h"
#include "engine_hooks_real.h"
#include "fake_trainer.h"
#include "views/attention_pane.h"
#include "views/attention_view.h"
#include "views/extrapolation_view.h"
#include "views/figure_exporter.h"
#include "views/geometry_pane.h"
#include "views/geometry_view.h"
#include "views/guided_heat_map.h"

#include "seqpe/common/files.h"
#include "seqpe/config_io.h"
#include "seqpe/evaluate.h"
#include "seqpe/widgets/line_chart.h"
#include "seqpe/widgets/scatter_plot.h"
#include "wait_for.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QSvgRenderer>
#include <QTableWidget>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>

using namespace seqpe;
using namespace seqpe::ui;
using seqpe::test::wait_for;
namespace fs = std::filesystem;

namespace {

QString q(const fs::path& p) {
    return QString::fromStdString(p.string());
}

// The tiny project (seqpe + learned, 20 steps, training length 32), trained and evaluated at
// 32, 64, 128 tokens in both modes by the CLI, shared by the tests of the suite.
class Views : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = test::make_tiny_project("views");
        const std::string cli = (fs::path(SEQPE_BINARY_DIR) / "cli/seqpe").string(),
                          project = (dir_ / "projects/tiny.json").string();
        ok_ = std::system((cli + " train " + project + " > /dev/null").c_str()) == 0 &&
              std::system((cli + " compare " + project + " --mode both > /dev/null").c_str()) == 0;
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    void SetUp() override { ASSERT_TRUE(ok_) << "the CLI could not train and evaluate the tiny project"; }
    static QString project() { return q(dir_ / "projects/tiny.json"); }

    static fs::path dir_;
    static bool ok_;
};
fs::path Views::dir_;
bool Views::ok_ = false;

// Answers for a 2D run without a model: geometry value (i, j) = 1000 i + j over the requested
// grid; attention probability (query q, key k) = 1000 q + k with one class token.
class GridInspector : public Inspector {
public:
    GridInspector() { cfg_.task = "image"; }
    const RunConfig& config() const override { return cfg_; }
    int64_t step() const override { return 10; }
    GeometryResult geometry(const GeometryRequest& r) override {
        GeometryResult g;
        g.kind = "embedding";
        g.metric = r.metric;
        g.mode = r.mode;
        g.dims = 2;
        g.rows = r.rows > 0 ? r.rows : 14;
        g.cols = r.cols > 0 ? r.cols : g.rows;
        g.train_extent = 7;
        const int64_t n = g.rows * g.cols;
        g.matrix.shape = {n, n};
        g.projection.shape = {n, 2};
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < n; ++j) g.matrix.data.push_back(static_cast<float>(1000 * i + j));
            g.positions.push_back(r.row0 + i / g.cols);
            g.positions.push_back(r.col0 + i % g.cols);
            g.projection.data.push_back(static_cast<float>(i));
            g.projection.data.push_back(static_cast<float>(-i));
        }
        g.rank_correlation = 0.5;
        return g;
    }
    AttentionResult image_attention(const std::vector<uint8_t>&, int, int, int, int size) override {
        AttentionResult a;
        a.grid_rows = a.grid_cols = size / 4;
        a.prefix = 1;
        const int64_t T = 1 + a.grid_rows * a.grid_cols, H = 2;
        a.probs.shape = {1, H, T, T};
        for (int64_t h = 0; h < H; ++h)
            for (int64_t i = 0; i < T * T; ++i) a.probs.data.push_back(static_cast<float>(1000 * (i / T) + i % T));
        return a;
    }
    AttentionResult text_attention(const std::vector<int64_t>&) override { return {}; }
    std::vector<int64_t> sample_tokens(int64_t, int64_t) override { return {}; }
    std::vector<int64_t> encode_text(const std::string&) override { return {}; }
    std::vector<uint8_t> sample_image(int64_t, int* h, int* w, int* c, int64_t* label) override {
        *h = *w = 16;
        *c = 1;
        *label = 2;
        return std::vector<uint8_t>(256, 128);
    }

private:
    RunConfig cfg_;
};

// A project with one image run "img" whose run directory has a config and a (fake) checkpoint.
fs::path image_project() {
    const fs::path dir = fs::temp_directory_path() / ("seqpe-views-img-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "img.json") << R"({"format": "seqpe-project/1", "name": "img", "output_dir": "runs",
        "base": {"task": "image", "data": {"source": "fashion-mnist", "image_size": 28}, "model": {"patch_size": 4}},
        "runs": [{"name": "img", "set": {"position_encoding.type": "learned"}}]})";
    RunConfig c;
    c.task = "image";
    const RunPaths p{dir / "runs/img"};
    fs::create_directories(p.checkpoint(10));
    write_run_config(p, resolve_config(c));
    std::ofstream(p.checkpoint(10) / "model.pt") << "weights"; // the fake inspector reads nothing
    std::ofstream(p.checkpoint(10) / "DONE") << "";            // written before checksums: unverified
    return dir;
}

EngineHooks grid_hooks() {
    EngineHooks h;
    h.inspect = [](const fs::path&, const fs::path&) { return std::make_unique<GridInspector>(); };
    return h;
}

void click(QWidget* w, QPointF at) {
    QTest::mouseClick(w, Qt::LeftButton, {}, at.toPoint());
}

} // namespace

TEST_F(Views, GeometryOfAFinishedRunHasTheRequestedSizeAndItsRankCorrelation) {
    Workbench wb(realEngineHooks());
    ASSERT_FALSE(has_errors(wb.document().open(project())));
    GeometryView view(wb);
    view.resize(1200, 800);
    view.show();
    view.setRun("learned");
    view.setPositions(10, 48); // from position 10: past the training length 32 at the end
    view.refresh();
    GeometryPane* pane = view.pane(0);
    ASSERT_TRUE(wait_for([&] { return pane->hasResult() && pane->result().matrix.shape[0] == 48; }));
    EXPECT_EQ(pane->heatMap()->rows(), 48);
    EXPECT_EQ(pane->heatMap()->columns(), 48);
    EXPECT_EQ(pane->result().positions.front(), 10);
    EXPECT_FLOAT_EQ(pane->heatMap()->valueAt(3, 3), 1.0f); // cosine of a vector with itself
    EXPECT_EQ(pane->heatMap()->guideColumn(), 32 - 10);    // the training length is marked
    const double rho = pane->result().rank_correlation;
    ASSERT_TRUE(std::isfinite(rho));
    EXPECT_TRUE(pane->rankLabel()->text().contains(QString::number(rho, 'f', 3)))
        << pane->rankLabel()->text().toStdString();
    EXPECT_EQ(pane->scatter()->pointCount(), 48);

    // Another run side by side gets the same request; the figure's CSV holds both matrices.
    view.setCompareRun("seqpe");
    ASSERT_TRUE(wait_for([&] { return view.pane(1)->hasResult() && view.pane(1)->result().matrix.shape[0] == 48; }));
    const Figure f = view.figure();
    ASSERT_FALSE(f.isNull());
    EXPECT_EQ(f.tables.front().rows.size(), 2 * 48 * 48);
    EXPECT_TRUE(f.description.contains("learned=") && f.description.contains("seqpe="));
    // The trainer's snapshots (train.snapshot_every) are on the scrubber; the first replays step 0.
    ASSERT_GT(view.snapshotCount(), 0);
    view.scrubber()->setValue(0); // the snapshot file is read on the probe worker
    EXPECT_TRUE(wait_for([&] { return pane->source().contains("snapshot step 0"); })) << pane->source().toStdString();
}

TEST(ViewsFake, LiveGeometryFollowsTheSnapshotsOfATrainingRun) {
    EngineHooks h;
    h.prepare = [](const RunConfig&, const std::function<void(const PrepareEvent&)>&, std::stop_token) {
        return fs::path("/nonexistent-dataset");
    };
    h.make = [](const RunConfig&, const TrainerOptions& o) {
        return std::make_unique<test::FakeTrainer>(100000, 2, o.start_paused, /*snapshot_every=*/25);
    };
    Workbench wb(h);
    const QString run = wb.document().runNames().front();
    GeometryView view(wb);
    view.resize(1000, 700);
    view.show();
    view.setRun(run);
    view.setLive(true);
    GeometryPane* pane = view.pane(0);
    wb.start(run);
    // The default request is what the trainer computes for each snapshot: shown as it arrives
    // (the fake's diagonal holds its step).
    std::set<float> steps;
    ASSERT_TRUE(wait_for(
        [&] {
            if (pane->hasResult() && pane->source().startsWith("live"))
                steps.insert(static_cast<float>(pane->heatMap()->valueAt(0, 0)));
            return steps.size() >= 3;
        },
        20000));
    EXPECT_GT(*steps.begin(), 0.0f);
    // Another request is probed on the training thread (at most every 2 s) as snapshots arrive.
    view.setPositions(0, 5);
    ASSERT_TRUE(wait_for(
        [&] { return pane->hasResult() && pane->heatMap()->rows() == 5 && pane->source().startsWith("live"); }, 20000));
    wb.stopAll();
    ASSERT_TRUE(wait_for([&] { return !wb.anyActive(); }));
}

TEST(ViewsFake, QueryPatchClickPicksThePatchAtSeveralResolutions) {
    const fs::path dir = image_project();
    Workbench wb(grid_hooks());
    ASSERT_FALSE(has_errors(wb.document().open(q(dir / "img.json"))));
    GeometryView view(wb);
    view.resize(1100, 800);
    view.show();
    view.setRun("img");
    view.setQueryMode(true);
    GeometryPane* pane = view.pane(0);
    for (int R : {4, 7, 12}) {
        view.setGrid(R, R);
        view.refresh();
        ASSERT_TRUE(wait_for([&] { return pane->hasResult() && pane->result().rows == R; })) << R;
        GuidedHeatMap* heat = pane->heatMap();
        ASSERT_EQ(heat->rows(), R);
        for (auto [r, c] : {std::pair{0, 0}, {R - 1, R - 1}, {1, R / 2}, {R / 2, 1}}) {
            click(heat, heat->cellRect(r, c).center());
            EXPECT_EQ(heat->markedCell(), QPoint(c, r)) << R;
            const int query = r * R + c;
            // The map is the query's row of the (R*R, R*R) matrix, reshaped to the grid.
            EXPECT_EQ(heat->valueAt(0, 0), 1000.0 * query) << R;
            EXPECT_EQ(heat->valueAt(R - 1, 2), 1000.0 * query + (R - 1) * R + 2) << R;
        }
        // The training grid (7 x 7) is marked when the grid goes beyond it.
        EXPECT_EQ(heat->guideColumn(), R > 7 ? 7 : -1);
    }

    // Attention over the patch grid at several resolutions: a click picks the query patch, the
    // class token's share is read from key 0.
    AttentionView att(wb);
    att.resize(1100, 700);
    att.show();
    att.setRuns({"img"});
    AttentionPane* ap = att.pane(0);
    for (int R : {4, 6, 10}) {
        att.setResolution(4 * R);
        att.refresh();
        ASSERT_TRUE(wait_for([&] { return ap->hasMap() && ap->map().gridRows == R; })) << R;
        HeatMap* heat = ap->heatMap();
        for (auto [r, c] : {std::pair{0, 0}, {R - 1, R - 1}, {2, 1}}) {
            click(heat, heat->cellRect(r, c).center());
            EXPECT_EQ(ap->queryCell(), QPoint(c, r)) << R;
            const int query = 1 + r * R + c; // after the class token
            EXPECT_EQ(heat->valueAt(0, 0), 1000.0 * query + 1) << R;
            EXPECT_EQ(heat->valueAt(1, 0), 1000.0 * query + 1 + R) << R;
            EXPECT_EQ(ap->classShare(), 1000.0 * query) << R;
        }
    }

    // One run at two resolutions ("Also at"): two panes of the same run, 28 px and 84 px, and a
    // click in one picks the patch over the same place of the picture in the other.
    att.setResolution(28);
    att.setSecondResolution(84);
    EXPECT_EQ(att.secondResolution(), 84);
    EXPECT_EQ(att.paneCount(), 2);
    AttentionPane* big = att.pane(1);
    EXPECT_EQ(big->run(), "img");
    att.refresh();
    ASSERT_TRUE(wait_for(
        [&] { return ap->hasMap() && ap->map().gridRows == 7 && big->hasMap() && big->map().gridRows == 21; }));
    EXPECT_EQ(big->imageSize(), 84);
    click(ap->heatMap(), ap->heatMap()->cellRect(2, 5).center());
    EXPECT_EQ(big->queryCell(), QPoint(16, 7)); // (5.5 * 3, 2.5 * 3)
    EXPECT_NE(att.figure().stem.indexOf("img-28px-and-84px"), -1) << att.figure().stem.toStdString();
    att.setSecondResolution(0); // off: one pane per checked run again
    EXPECT_EQ(att.paneCount(), 1);
    EXPECT_TRUE(att.pane(1)->isHidden());

    // Geometry "beside it at": the run on its 7 x 7 grid and on 21 x 21; clicks map alike.
    view.setGrid(7, 7);
    view.setSecondGrid(21);
    GeometryPane* second = view.pane(1);
    EXPECT_EQ(second->run(), "img");
    EXPECT_FALSE(second->isHidden());
    view.refresh();
    ASSERT_TRUE(wait_for([&] {
        return pane->hasResult() && pane->result().rows == 7 && second->hasResult() && second->result().rows == 21;
    }));
    click(pane->heatMap(), pane->heatMap()->cellRect(6, 0).center());
    EXPECT_EQ(second->heatMap()->markedCell(), QPoint(1, 19)); // (0.5 * 3, 6.5 * 3)
    // Read interpolated: both panes ask the model for the interpolate mode's positions.
    EXPECT_EQ(pane->result().mode, "extend");
    view.setReadMode("interpolate");
    EXPECT_EQ(view.requestFor(1).mode, "interpolate");
    view.refresh();
    ASSERT_TRUE(wait_for([&] {
        return pane->hasResult() && pane->result().mode == "interpolate" && second->hasResult() &&
               second->result().mode == "interpolate" && second->result().rows == 21;
    }));
    view.setReadMode("extend");
    view.setSecondGrid(0);
    EXPECT_TRUE(second->isHidden());
    EXPECT_TRUE(second->run().isEmpty());
    fs::remove_all(dir);
}

TEST_F(Views, ExtrapolationShowsOneCurvePerEvaluatedRunWithTheTrainingLengthMarked) {
    Workbench wb(realEngineHooks());
    ASSERT_FALSE(has_errors(wb.document().open(project())));
    ExtrapolationView view(wb);
    view.resize(1200, 800);
    view.show();
    EXPECT_EQ(view.modes(), (QStringList{"extend", "interpolate"}));
    view.setMode("extend");
    LineChart* curves = view.curves();
    ASSERT_EQ(curves->seriesCount(), 2);
    EXPECT_EQ(view.shownRuns(), (QStringList{"seqpe", "learned"}));
    for (int id : curves->seriesIds()) {
        const auto pts = curves->points(id);
        ASSERT_EQ(pts.size(), 3) << curves->seriesName(id).toStdString();
        EXPECT_EQ(pts.front().x(), 32);
        EXPECT_EQ(pts.back().x(), 128);
    }
    EXPECT_EQ(view.markerX(), 32);
    EXPECT_TRUE(curves->logX());
    // The table: runs x lengths, the training length named.
    QTableWidget* t = view.table();
    ASSERT_EQ(t->rowCount(), 2);
    ASSERT_EQ(t->columnCount(), 3);
    EXPECT_EQ(t->horizontalHeaderItem(0)->text(), "32 (train)");
    // A click on a cell highlights its run and shows its loss by position.
    click(t->viewport(), t->visualItemRect(t->item(1, 2)).center());
    EXPECT_EQ(view.highlightedRun(), "learned");
    EXPECT_GE(view.lossByPosition()->seriesCount(), 1);
    EXPECT_EQ(view.lossByPosition()->points(view.lossByPosition()->seriesIds().back()).size(), 128);
}

TEST_F(Views, ExtrapolationFollowsTheReportsMetricUntilTheUserPicksOne) {
    Workbench wb(realEngineHooks());
    ExtrapolationView view(wb); // made before any report is known, as the main window does
    view.show();
    ASSERT_FALSE(has_errors(wb.document().open(project())));
    ASSERT_TRUE(wait_for([&] { return view.modes().size() == 2; }, 10000));
    EXPECT_EQ(view.metric(), "ppl"); // the reports' own metric, not the loss offered beside it
    view.setMetric("loss");
    ASSERT_FALSE(has_errors(wb.document().open(project()))); // reports read again
    ASSERT_TRUE(wait_for([&] { return view.modes().size() == 2; }, 10000));
    EXPECT_EQ(view.metric(), "loss");
}

// Exact match of run r (0: seqpe, 1: learned) at length L and needle depth d in the QA reports
// written below: every value distinct, so a curve of the wrong run or length cannot pass.
double qa_em(int r, int64_t L, int64_t d) {
    return 0.1 * (r + 1) + 0.001 * static_cast<double>(d) + 0.0001 * static_cast<double>(L);
}

TEST_F(Views, QaRunsShowExactMatchByNeedleDepthForTheHighlightedRun) {
    // A copy of the tiny project whose two reports are rewritten as QA reports (lengths 32 and 64,
    // depths 0, 50, 100, and the all-depths rows).
    const fs::path qa = dir_.string() + "-qa";
    fs::remove_all(qa);
    fs::create_directories(qa / "projects");
    fs::create_directories(qa / "runs");
    fs::copy(dir_ / "projects/tiny.json", qa / "projects/tiny.json");
    fs::copy(dir_ / "runs/tiny", qa / "runs/tiny", fs::copy_options::recursive);
    const std::vector<std::string> runs = {"seqpe", "learned"};
    for (int r = 0; r < 2; ++r) {
        const fs::path file = qa / "runs/tiny" / runs[static_cast<size_t>(r)] / "eval/extrapolation.json";
        EvalReport rep = eval_report_from_json(read_file(file), file.string());
        rep.task = "qa";
        rep.metric = "em";
        rep.loss_by_position.clear();
        rep.rows.clear();
        for (int64_t L : {32, 64})
            for (int64_t d : {-1, 0, 50, 100}) {
                EvalRow row;
                row.mode = "extend";
                row.length = L;
                row.depth = d;
                row.accuracy = qa_em(r, L, d);
                rep.rows.push_back(row);
            }
        write_file_atomic(file, eval_report_json(rep));
    }
    Workbench wb(realEngineHooks());
    ASSERT_FALSE(has_errors(wb.document().open(q(qa / "projects/tiny.json"))));
    ExtrapolationView view(wb);
    view.resize(1200, 800);
    view.show();
    EXPECT_EQ(view.metric(), "em");
    auto check = [&](int r) {
        LineChart* byDepth = view.lossByPosition(); // the lower chart: by depth for QA
        EXPECT_NE(byDepth->title().indexOf(QString::fromStdString(runs[static_cast<size_t>(r)])), -1)
            << byDepth->title().toStdString();
        ASSERT_EQ(byDepth->seriesCount(), 2); // one curve per context length
        for (int id : byDepth->seriesIds()) {
            const int64_t L = byDepth->seriesName(id).startsWith("32") ? 32 : 64;
            EXPECT_EQ(byDepth->seriesName(id).contains("(train)"), L == 32) << byDepth->seriesName(id).toStdString();
            const auto pts = byDepth->points(id);
            ASSERT_EQ(pts.size(), 3);
            for (const QPointF& pt : pts)
                EXPECT_DOUBLE_EQ(pt.y(), qa_em(r, L, static_cast<int64_t>(pt.x())))
                    << runs[static_cast<size_t>(r)] << " " << L;
            EXPECT_EQ(pts.front().x(), 0);
            EXPECT_EQ(pts.back().x(), 100);
        }
    };
    check(0); // the first run until a cell is clicked
    view.highlightRun("learned");
    check(1);
    fs::remove_all(qa);
}

TEST_F(Views, ExportedSvgPdfAndCsvHoldWhatTheViewShows) {
    Workbench wb(realEngineHooks());
    ASSERT_FALSE(has_errors(wb.document().open(project())));
    ExtrapolationView view(wb);
    view.resize(1200, 800);
    view.show();
    const fs::path out = fs::temp_directory_path() / ("seqpe-views-export-" + std::to_string(::getpid()));
    fs::create_directories(out);
    const Figure f = view.figure();
    ASSERT_FALSE(f.isNull());
    QString error;
    for (const char* ext : {"svg", "pdf", "png"}) {
        const QStringList files = writeFigure(f, q(out / ("extrapolation." + std::string(ext))), 300, &error);
        ASSERT_TRUE(error.isEmpty()) << error.toStdString();
        EXPECT_EQ(files.size(), 1 + f.tables.size());
    }
    QSvgRenderer svg(q(out / "extrapolation.svg"));
    EXPECT_TRUE(svg.isValid());
    QFile svgFile(q(out / "extrapolation.svg"));
    ASSERT_TRUE(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    for (const char* legend : {">seqpe<", ">learned<"}) EXPECT_TRUE(svgText.contains(legend)) << legend;
    EXPECT_TRUE(svgText.contains(config_hash(*wb.store().run("seqpe")->config).c_str())); // <desc>
    QFile pdf(q(out / "extrapolation.pdf"));
    ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
    const QByteArray pdfText = pdf.readAll();
    EXPECT_TRUE(pdfText.startsWith("%PDF"));
    // One page object ("/Type /Pages" is the page tree, which none of these patterns match).
    EXPECT_EQ(pdfText.count("/Type /Page\n") + pdfText.count("/Type /Page ") + pdfText.count("/Type /Page/") +
                  pdfText.count("/Type /Page>"),
              1);
    // The CSV beside the figure equals the curves drawn, point for point.
    QStringList header;
    QVector<QVector<QString>> rows;
    ASSERT_TRUE(readCsv(q(out / "extrapolation.csv"), &header, &rows));
    EXPECT_EQ(header, (QStringList{"series", "length", "ppl"}));
    QVector<QVector<QString>> shown;
    for (int id : view.curves()->seriesIds())
        for (const QPointF& p : view.curves()->points(id))
            shown.append({view.curves()->seriesName(id), csvNumber(p.x()), csvNumber(p.y())});
    EXPECT_EQ(rows, shown);
    ASSERT_TRUE(readCsv(q(out / "extrapolation-table.csv"), &header, &rows));
    ASSERT_EQ(rows.size(), 2);
    EXPECT_DOUBLE_EQ(rows[0][1].toDouble(), view.scoreTable().values[0][0]);
    fs::remove_all(out);
}

TEST_F(Views, HeadlessExportWritesEveryFigureAndExitsZero) {
    const fs::path out = fs::temp_directory_path() / ("seqpe-views-figures-" + std::to_string(::getpid()));
    fs::remove_all(out);
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    const QString exe = q(fs::path(SEQPE_BINARY_DIR) / "app/seqpe-workbench");
    p.start(exe, {"--export", project(), "--out", q(out), "--formats", "png,svg,pdf"});
    ASSERT_TRUE(p.waitForFinished(120000));
    const QString stdoutText = QString::fromUtf8(p.readAllStandardOutput());
    ASSERT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
    for (const char* stem : {"training-all-task-loss", "training-all-validation", "extrapolation-all-curves-extend",
                             "extrapolation-all-curves-interpolate", "extrapolation-all-table-extend",
                             "extrapolation-all-loss-by-position", "geometry-seqpe-heatmap", "geometry-seqpe-pca",
                             "geometry-learned-heatmap", "geometry-learned-pca",
                             // the Attention tab's default view of each run: tokens 0..seq_len-1 of the test split
                             "attention-seqpe-tokens-0-31", "attention-learned-tokens-0-31"})
        for (const char* ext : {".png", ".svg", ".pdf", ".csv"}) {
            const fs::path f = out / (std::string(stem) + ext);
            EXPECT_TRUE(fs::exists(f)) << f;
            if (std::string(ext) != ".csv") {
                EXPECT_TRUE(stdoutText.contains(q(f))) << f;
            }
        }
    // A bad project is an input error.
    p.start(exe, {"--export", q(out / "missing.json")});
    ASSERT_TRUE(p.waitForFinished(60000));
    EXPECT_EQ(p.exitCode(), 2);
    // A project that parses but that `seqpe validate` refuses (3 heads do not divide width 32): refused
    // here too, naming the run and the field, before any figure is written.
    {
        std::ofstream(out / "bad.json") << R"({"format": "seqpe-project/1", "output_dir": "bad-runs",
            "base": {"task": "lm", "model": {"d_model": 32, "n_head": 3}}, "runs": [{"name": "a", "set": {}}]})";
    }
    p.start(exe, {"--export", q(out / "bad.json"), "--out", q(out / "bad-figures")});
    ASSERT_TRUE(p.waitForFinished(60000));
    EXPECT_EQ(p.exitCode(), 2);
    const QString errText = QString::fromUtf8(p.readAllStandardError());
    EXPECT_TRUE(errText.contains("run a: model.n_head")) << errText.toStdString();
    EXPECT_FALSE(fs::exists(out / "bad-figures"));
    fs::remove_all(out);
}

TEST(ViewsAttention, ColourScalesMapWeightsAsStated) {
    using S = AttentionPane::Scale;
    // Two causal rows of a 3-token map: (1, 0, 0) and (0.2, 0.8, 0)... as one 2x3 block.
    const QVector<float> w{0.5f, 0.25f, 0.0f, 0.1f, 0.4f, 0.0f};
    EXPECT_EQ(AttentionPane::colourValues(w, 3, S::Linear, false), w);
    const QVector<float> norm = AttentionPane::colourValues(w, 3, S::Linear, true); // each row's largest = 1
    EXPECT_FLOAT_EQ(norm[0], 1.0f);
    EXPECT_FLOAT_EQ(norm[1], 0.5f);
    EXPECT_FLOAT_EQ(norm[3], 0.25f);
    EXPECT_FLOAT_EQ(norm[4], 1.0f);
    const QVector<float> sq = AttentionPane::colourValues(w, 3, S::Sqrt, false);
    EXPECT_FLOAT_EQ(sq[1], 0.5f);
    EXPECT_FLOAT_EQ(sq[0], std::sqrt(0.5f));
    const QVector<float> lg = AttentionPane::colourValues(w, 3, S::Log, true);
    EXPECT_FLOAT_EQ(lg[0], 0.0f);                // log10 1
    EXPECT_NEAR(lg[3], std::log10(0.25f), 1e-6); // log10 of the normalised weight
    EXPECT_FLOAT_EQ(lg[2], -4.0f);               // masked keys sit at the floor, never -inf
}

// Export All writes each image run's attention on fixed inputs: test images 0-2 at the training
// resolution and image 0 at the largest evaluated one, the inputs named in the metadata.
TEST(ViewsFake, ExportAllWritesEachRunsAttentionOnFixedInputs) {
    const fs::path dir = image_project();
    Workbench wb(grid_hooks());
    ASSERT_FALSE(has_errors(wb.document().open(q(dir / "img.json"))));
    FigureExporter exporter(wb);
    QSignalSpy done(&exporter, &FigureExporter::finished);
    exporter.start(q(dir / "figures"), {"png"});
    ASSERT_TRUE(wait_for([&] { return done.count() == 1; }, 30000)) << exporter.notes().join("; ").toStdString();
    for (const char* stem : {"attention-img-test0-28px", "attention-img-test1-28px", "attention-img-test2-28px",
                             "attention-img-test0-84px"}) {
        const fs::path png = dir / "figures" / (std::string(stem) + ".png");
        ASSERT_TRUE(fs::exists(png)) << png << "\n" << exporter.files().join("\n").toStdString();
        EXPECT_TRUE(fs::exists(dir / "figures" / (std::string(stem) + ".csv"))) << stem;
        const QImage img(q(png));
        EXPECT_TRUE(img.text("Description").contains("test image")) << img.text("Description").toStdString();
        EXPECT_TRUE(img.text("Description").contains("centre patch")) << stem;
    }
    // 84 px is a 21 x 21 grid of 4-pixel patches: the CSV holds the query's row over all of them.
    QStringList header;
    QVector<QVector<QString>> rows;
    ASSERT_TRUE(readCsv(q(dir / "figures/attention-img-test0-84px.csv"), &header, &rows));
    EXPECT_EQ(rows.size(), 21 * 21 + 1); // + the class token's share
    fs::remove_all(dir);
}
