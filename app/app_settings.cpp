#include "app_settings.h"

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

void AppSettings::clearRecentProjects() { QSettings().remove("recentProjects"); }

Theme AppSettings::theme() {
    const QString t = QSettings().value("theme", "system").toString();
    return t == "dark" ? Theme::Dark : t == "light" ? Theme::Light : Theme::System;
}

void AppSettings::setTheme(Theme t) {
    QSettings().setValue("theme", t == Theme::Dark ? "dark" : t == Theme::Light ? "light" : "system");
}

QByteArray AppSettings::windowGeometry() { return QSettings().value("window/geometry").toByteArray(); }
QByteArray AppSettings::windowState() { return QSettings().value("window/state").toByteArray(); }

void AppSettings::saveWindow(const QByteArray& geometry, const QByteArray& state) {
    QSettings s;
    s.setValue("window/geometry", geometry);
    s.setValue("window/state", state);
}

} // namespace seqpe::ui
