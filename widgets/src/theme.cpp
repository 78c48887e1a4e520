// Fusion-based light and dark palettes and the categorical data colours.
#include "seqpe/widgets/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

#include <optional>

namespace seqpe::ui {
namespace {

Theme g_theme = Theme::System;
// The platform's own palette, captured before we first override it: Qt 6.4 offers no other public
// way back to it, and System must be able to return to it after Dark was applied.
std::optional<QPalette> g_platformPalette;

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabledText(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x46));
    p.setColor(QPalette::Mid, QColor(0x5a, 0x5d, 0x63));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Button, window);
    return p;
}

bool systemPrefersDark() {
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    const Qt::ColorScheme scheme = QGuiApplication::styleHints()->colorScheme();
    if (scheme != Qt::ColorScheme::Unknown) return scheme == Qt::ColorScheme::Dark;
#endif
    return g_platformPalette && isDarkPalette(*g_platformPalette);
}

} // namespace

bool isDarkPalette(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

void applyTheme(QApplication& app, Theme theme) {
    if (!g_platformPalette) g_platformPalette = QApplication::palette();
    g_theme = theme;
    if (QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion")))
        app.setStyle(fusion); // the application takes ownership
    const bool dark = theme == Theme::Dark || (theme == Theme::System && systemPrefersDark());
    app.setPalette(dark ? darkPalette() : app.style()->standardPalette());
    // Qt 6 hands the new palette to existing widgets through posted events; deliver them now so
    // that every widget is restyled when this returns (exports right after a switch included).
    QCoreApplication::sendPostedEvents();
}

Theme currentTheme() {
    return g_theme;
}

bool isDarkTheme() {
    return isDarkPalette(QApplication::palette());
}

QColor seriesColor(int index) {
    // Okabe & Ito (2008), "Color Universal Design", in their order, black replaced by grey.
    static const QColor colors[] = {
        QColor(0xE6, 0x9F, 0x00), // orange
        QColor(0x56, 0xB4, 0xE9), // sky blue
        QColor(0x00, 0x9E, 0x73), // bluish green
        QColor(0xD5, 0x5E, 0x00), // vermillion
        QColor(0xCC, 0x79, 0xA7), // reddish purple
        QColor(0x00, 0x72, 0xB2), // blue
        QColor(0xF0, 0xE4, 0x42), // yellow
        QColor(0x99, 0x99, 0x99), // grey
    };
    const int n = int(std::size(colors));
    return colors[((index % n) + n) % n];
}

int seriesColorCount() {
    return 8;
}

} // namespace seqpe::ui
