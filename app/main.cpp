// seqpe-workbench: the desktop workbench. Builds the objects and runs the event loop; nothing else.
#include "app_settings.h"
#include "engine_hooks_real.h"
#include "main_window.h"

#include "seqpe/runtime.h"
#include "seqpe/widgets/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QScreen>
#include <QTimer>

int main(int argc, char** argv) {
    seqpe::init_runtime(0); // memory reuse and intra-op threads for the training workers
    QApplication app(argc, argv);
    QApplication::setApplicationName("seqpe-workbench");
    QApplication::setOrganizationName("seqpe-workbench");
    QCommandLineParser cli;
    cli.setApplicationDescription("SeqPE Workbench: train and compare position encodings.");
    cli.addHelpOption();
    cli.addPositionalArgument("project", "a project file (or a run directory) to open");
    QCommandLineOption screenshot("screenshot", "save a PNG of the window after <ms> and quit", "file");
    QCommandLineOption after("after", "milliseconds before --screenshot (default 3000)", "ms", "3000");
    QCommandLineOption run("run-all", "start training every run of the project at once");
    QCommandLineOption theme("theme", "system, light or dark (for this session)", "theme");
    cli.addOptions({screenshot, after, run, theme});
    cli.process(app);

    auto t = seqpe::ui::AppSettings::theme();
    if (cli.isSet(theme)) t = cli.value(theme) == "dark" ? seqpe::ui::Theme::Dark : cli.value(theme) == "light" ? seqpe::ui::Theme::Light : seqpe::ui::Theme::System;
    seqpe::ui::applyTheme(app, t);
    seqpe::ui::MainWindow w(seqpe::ui::realEngineHooks());
    w.show();
    const QStringList args = cli.positionalArguments();
    if (!args.isEmpty()) {
        const QString target = args.front();
        if (QFileInfo(target).isDir()) w.openRunDirectory(target);
        else w.openProject(target);
    } else if (const auto recent = seqpe::ui::AppSettings::recentProjects(); !recent.isEmpty()) {
        w.openProject(recent.front());
    }
    if (cli.isSet(run)) QTimer::singleShot(0, &w, [&w] { w.workbench().runAll(); });
    if (cli.isSet(screenshot)) {
        QTimer::singleShot(cli.value(after).toInt(), &w, [&] {
            w.grab().save(cli.value(screenshot));
            w.workbench().stopAll();
            QTimer::singleShot(0, &w, [&w] { w.close(); });
        });
    }
    return app.exec();
}
