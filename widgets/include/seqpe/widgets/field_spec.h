#pragma once
// Plain descriptions of configuration fields and of problems found in them. The app fills these
// from the engine's option table and validator; the widgets never see the engine's types.
#include <QString>
#include <QStringList>

#include <optional>

namespace seqpe::ui {

struct FieldSpec {
    enum Type { Bool, Int, Float, String, Choice, IntList };

    QString path;  // "model.n_layer": the key of every value, diagnostic and signal
    QString group; // section title, e.g. "model"; empty: the part of `path` before the first '.'
    Type type = String;
    QStringList choices;       // Choice only
    std::optional<double> min; // inclusive bounds for Int, Float and each IntList element
    std::optional<double> max;
    QString help;          // one line, shown as tooltip and searched by the filter
    bool advanced = false; // hidden unless "show advanced" (or it has a diagnostic)
};

struct FieldDiagnostic {
    QString path;      // the field it belongs to; unknown or empty paths only go to the list
    QString message;   // one sentence: what is wrong and how to fix it
    bool error = true; // false: a warning
};

} // namespace seqpe::ui

namespace seqpe::ui {

// How a form field is marked: by its diagnostics and by local checks of what the user typed.
enum class FieldState { Normal, Warning, Error };

} // namespace seqpe::ui
