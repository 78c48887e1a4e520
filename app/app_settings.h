#pragma once
// Per-user settings (QSettings): recent projects, window layout, theme. Per-experiment settings
// live in the project file, never here.
#include "seqpe/widgets/theme.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace seqpe::ui {

struct AppSettings {
    static QStringList recentProjects();
    static void addRecentProject(const QString& file); // most recent first, at most 12, missing files dropped
    static void clearRecentProjects();
    static Theme theme();
    static void setTheme(Theme t);
    static QByteArray windowGeometry();
    static QByteArray windowState();
    static void saveWindow(const QByteArray& geometry, const QByteArray& state);
    // The folder a file dialog of this kind ("export", "image", "project", "runDir") last used, if
    // it still exists; else `fallback`'s nearest existing folder (the project's figures folder,
    // its runs folder...), else the home folder.
    static QString dialogFolder(const QString& kind, const QString& fallback);
    static void setDialogFolder(const QString& kind, const QString& fileOrFolder);
};

} // namespace seqpe::ui
