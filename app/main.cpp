// seqpe-workbench: the desktop workbench. Builds the objects and runs the event loop; nothing else.
#include "app_settings.h"
#include "checkpoints_dialog.h"
#include "engine_hooks_real.h"
#include "latency_probe.h"
#include "main_window.h"
#include "views/figure_exporter.h"

#include "seqpe/common/version.h"
#include "seqpe/runtime.h"
#include "seqpe/widgets/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QPointer>
#include <QScreen>
#include <QTimer>
#include <cstdio>

int main(int argc, char** argv) {
    seqpe::reexec_with_passive_openmp(argv); // training shares the cores with the GUI (seqpe/runtime.h)
    QElapsedTimer sinceStart;
    sinceStart.start();
    // --export needs no display: offscreen unless a platform was asked for (before QApplication).
    // --help and --version print and exit: they need no display either.
    bool exporting = false, printing = false, platform = !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        exporting |= a == "--export" || a.startsWith("--export=");
        printing |= a == "--help" || a == "-h" || a == "--help-all" || a == "--version" || a == "-v";
        platform |= a == "-platform" || a == "--platform";
    }
    if ((exporting || printing) && !platform) qputenv("QT_QPA_PLATFORM", "offscreen");
    seqpe::init_runtime(0); // memory reuse and intra-op threads for the training workers
    QApplication app(argc, argv);
    QApplication::setApplicationName("seqpe-workbench");
    QApplication::setOrganizationName("seqpe-workbench");
    QApplication::setApplicationVersion(QString("%1 (%2)").arg(seqpe::kToolVersion, seqpe::kGitCommit));
    QCommandLineParser cli;
    cli.setApplicationDescription("SeqPE Workbench: train and compare position encodings.");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("project", "a project file (or a run directory) to open");
    QCommandLineOption screenshot("screenshot", "save a PNG of the window after <ms> and quit", "file");
    QCommandLineOption after("after", "milliseconds before --screenshot (default 3000)", "ms", "3000");
    QCommandLineOption run("run-all", "start training every run of the project at once");
    QCommandLineOption theme("theme", "system, light or dark (for this session)", "theme");
    QCommandLineOption tab(
        "tab",
        "show a tab: training, diagnostics (the PE diagnostics charts), geometry, extrapolation, attention or sweep",
        "name");
    QCommandLineOption exportFigures("export", "write every figure of <project> and exit, without a window", "project");
    QCommandLineOption out("out", "folder for --export (default: <project output_dir>/figures)", "dir");
    QCommandLineOption formats("formats", "figure formats for --export", "png,svg,pdf", "png,svg,pdf");
    QCommandLineOption latency("latency-probe",
                               "train the project's runs for <seconds>, print event-loop gap "
                               "statistics and the time to interactive as JSON, and quit",
                               "seconds");
    QCommandLineOption checkpoints("checkpoints", "open the Checkpoints dialog of a run (export its weights)", "run");
    QCommandLineOption size("size", "window size for this session, e.g. 1000x700 (screenshots at a given size)", "WxH");
    QCommandLineOption select("select", "select this run (the views follow it)", "run");
    QCommandLineOption compare("compare", "Geometry and Attention: compare the selected run with this one", "run");
    QCommandLineOption beside("beside",
                              "Geometry and Attention, image runs: the selected run also at <px> pixels, beside itself "
                              "(Geometry: its training grid beside the larger one, one query patch's map)",
                              "px");
    QCommandLineOption read("read", "Geometry: read positions past the training range extended or interpolated",
                            "extend|interpolate");
    cli.addOptions({screenshot, after, run, theme, tab, exportFigures, out, formats, latency, checkpoints, size, select,
                    compare, beside, read});
    cli.process(app);

    // Headless figures are for papers: light unless asked otherwise (the user's theme is for the window).
    auto t = cli.isSet(exportFigures) ? seqpe::ui::Theme::Light : seqpe::ui::AppSettings::theme();
    if (cli.isSet(theme))
        t = cli.value(theme) == "dark"    ? seqpe::ui::Theme::Dark
            : cli.value(theme) == "light" ? seqpe::ui::Theme::Light
                                          : seqpe::ui::Theme::System;
    seqpe::ui::applyTheme(app, t);
    if (cli.isSet(exportFigures))
        return seqpe::ui::exportFiguresHeadless(seqpe::ui::realEngineHooks(), cli.value(exportFigures), cli.value(out),
                                                cli.value(formats).split(',', Qt::SkipEmptyParts));
    seqpe::ui::MainWindow w(seqpe::ui::realEngineHooks());
    if (cli.isSet(size)) {
        const QStringList wh = cli.value(size).split('x');
        const int width = wh.value(0).toInt(), height = wh.value(1).toInt();
        if (wh.size() != 2 || width < 200 || height < 200) {
            std::fprintf(stderr, "seqpe-workbench: --size wants WIDTHxHEIGHT of at least 200x200, e.g. 1000x700\n");
            return 2;
        }
        w.resize(width, height);
    }
    w.show();
    const QStringList args = cli.positionalArguments();
    if (!args.isEmpty()) {
        const QString target = args.front();
        if (QFileInfo(target).isDir())
            w.openRunDirectory(target);
        else
            w.openProject(target);
    } else if (const auto recent = seqpe::ui::AppSettings::recentProjects(); !recent.isEmpty()) {
        w.openProject(recent.front());
    }
    if (cli.isSet(latency))
        QTimer::singleShot(0, &w, [&] { seqpe::ui::startLatencyProbe(w, sinceStart, cli.value(latency).toDouble()); });
    else if (cli.isSet(run))
        QTimer::singleShot(0, &w, [&w] { w.workbench().runAll(); });
    if (cli.isSet(select)) w.selectRun(cli.value(select));
    if (cli.isSet(compare)) w.compareWith(cli.value(compare));
    if (cli.isSet(beside)) w.showBeside(cli.value(beside).toInt());
    if (cli.isSet(read)) w.setGeometryReadMode(cli.value(read));
    if (cli.isSet(tab)) w.showTab(cli.value(tab));
    QPointer<QWidget> dialog;
    if (cli.isSet(checkpoints)) dialog = w.openCheckpoints(cli.value(checkpoints));
    if (cli.isSet(screenshot)) {
        QTimer::singleShot(cli.value(after).toInt(), &w, [&] {
            QPixmap shot = w.grab();
            if (dialog) { // the dialog over the window, where a window manager would centre it
                QPainter p(&shot);
                const QPixmap d = dialog->grab();
                p.drawPixmap((shot.width() - d.width()) / 2, (shot.height() - d.height()) / 2, d);
            }
            shot.save(cli.value(screenshot));
            w.workbench().stopAll();
            QTimer::singleShot(0, &w, [&w] { w.close(); });
        });
    }
    return app.exec();
}
