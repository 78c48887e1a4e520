// AppSettings: per-user settings in QSettings (recent projects, theme, window layout, and the last
// folder of each kind of file dialog).
#include "app_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace seqpe::ui {

QStringList AppSettings::recentProjects() {
    QStringList out;
    for (const QString& f : QSettings().value("recentProjects").toStringList())
        if (QFileInfo::exists(f)) out << f;
    return out;
}

void AppSettings::addRecentProject(const QString& file) {
    QStringList list = recentProjects();
    const QString abs = QFileInfo(file).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > 12) list.removeLast();
    QSettings().setValue("recentProjects", list);
}

void AppSettings::clearRecentProjects() {
    QSettings().remove("recentProjects");
}

Theme AppSettings::theme() {
    const QString t = QSettings().value("theme", "system").toString();
    return t == "dark" ? Theme::Dark : t == "light" ? Theme::Light : Theme::System;
}

void AppSettings::setTheme(Theme t) {
    QSettings().setValue("theme", t == Theme::Dark ? "dark" : t == Theme::Light ? "light" : "system");
}

QByteArray AppSettings::windowGeometry() {
    return QSettings().value("window/geometry").toByteArray();
}
QByteArray AppSettings::windowState() {
    return QSettings().value("window/state").toByteArray();
}

void AppSettings::saveWindow(const QByteArray& geometry, const QByteArray& state) {
    QSettings s;
    s.setValue("window/geometry", geometry);
    s.setValue("window/state", state);
}

QString AppSettings::dialogFolder(const QString& kind, const QString& fallback) {
    const QString last = QSettings().value("dialogs/" + kind).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir()) return last;
    // The nearest existing folder of the fallback (a figures folder not yet written: its parent).
    for (QString d = fallback; !d.isEmpty();) {
        if (QFileInfo(d).isDir()) return QDir(d).absolutePath();
        const QString up = QFileInfo(d).absolutePath();
        if (up == d || up == QFileInfo(d).absoluteFilePath()) break;
        d = up;
    }
    return QDir::homePath();
}

void AppSettings::setDialogFolder(const QString& kind, const QString& fileOrFolder) {
    const QFileInfo info(fileOrFolder);
    QSettings().setValue("dialogs/" + kind, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

} // namespace seqpe::ui
