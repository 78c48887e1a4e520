#pragma once
// The open project on the GUI thread: the project file's contents (base + per-run overrides), its
// file and modified state, and each run's resolved config with its validation diagnostics. Edits
// go through setOption(), which keeps a run's overrides minimal (a value equal to the base is no
// override) and re-validates.
#include "seqpe/config_io.h"
#include "seqpe/run_plan.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>

namespace seqpe::ui {

class ProjectDocument : public QObject {
    Q_OBJECT
public:
    explicit ProjectDocument(QObject* parent = nullptr);

    // Returns the problems of the file (empty: fine). The document changes only when it loads: when
    // the file has no errors, or when every error is a bad option value (opens_for_editing), which
    // then stays in the document, marked at its field by diagnostics(), until it is fixed.
    // `opened` (optional) says whether it loaded.
    std::vector<Diagnostic> open(const QString& file, bool* opened = nullptr);
    void newProject(const QString& name);
    bool save(const QString& file, QString* error); // atomic; becomes the document's file
    const Project& project() const { return m_project; }
    QString fileName() const;
    bool isModified() const { return m_modified; }

    // The project's runs, as edited (config panel, Add/Remove Run).
    QStringList runNames() const;
    // The runs to train: the project's runs x sweep grid x seeds ("seqpe/seed-2"); the same names as
    // runNames() for a project without seeds or sweep (seqpe/run_plan.h, shared with the CLI).
    QStringList plannedNames() const;
    const RunPlan& plan() const;
    // The project run a planned run comes from ("seqpe/seed-2" -> "seqpe"); "" when unknown.
    QString projectRunOf(const QString& planned) const;
    // The seed group of a planned run (its name without "/seed-N": the runs that differ only by
    // seed); the name itself for a run outside the plan.
    QString groupOf(const QString& planned) const;
    // "" addresses the base config; a planned name gives its full config (sweep values, seed).
    RunConfig config(const QString& run) const;
    // The same, resolved (the plan's, for a planned run): what the run trains with and the views show.
    ResolvedConfig resolvedConfig(const QString& run) const;
    std::vector<Diagnostic> diagnostics(const QString& run) const;
    // As the form shows it; an override that fails its checks (from a file) shows as written.
    QString optionText(const QString& run, const QString& path) const;
    // Sets a field of the base ("") or of a project run. A value that fails the option's own checks
    // (type, range, choices) never enters the document: nothing changes and the reason comes back.
    // Rules between fields (heads divide the width, ...) are checked by diagnostics(): the value is
    // kept, so a two-field change can be typed one field at a time. Returns "" when applied.
    QString setOption(const QString& run, const QString& path, const QString& text);
    // Why a planned run cannot start from its config: its first error (path: message), "" if none.
    QString configProblem(const QString& run) const;
    // Every error of the project (base, runs, their plan), "path: message" lines, for Save's warning.
    QStringList errors() const;
    // Overrides of a run ("path=value, ..."), for the runs table; a planned run adds its swept
    // values and seed.
    QString differences(const QString& run) const;
    std::filesystem::path runDir(const QString& run) const;

    // Returns the name used; `set`: further overrides (path, JSON text), e.g. another task.
    QString addRun(const QString& name, const QString& encoding,
                   const std::vector<std::pair<std::string, std::string>>& set = {});
    void removeRun(const QString& name);

    // Undo/redo (the app's project history): puts back the runs and base of an earlier state; the
    // file, output folder and name stay (a Save As in between keeps its target). Emits changed,
    // not edited.
    void restore(const Project& state);
    void setModified(bool m);

Q_SIGNALS:
    void changed(); // any edit (configs, runs)
    void loaded();  // another project was opened or created
    void modifiedChanged(bool modified);
    // After each user edit (setOption, addRun, removeRun): what it was, the run it touched ("" for
    // the base) and the project as it was before it, for the undo history.
    void edited(const QString& what, const QString& run, const seqpe::Project& before);

private:
    ProjectRun* findRun(const QString& name);
    // A project run's config (or the base's for "" or an unknown name) before path resolution,
    // with the problems of its overrides.
    std::vector<Diagnostic> projectConfig(const QString& run, RunConfig& c) const;
    const PlannedRun* planned(const QString& name) const;
    Project m_project;
    mutable std::optional<RunPlan> m_plan; // reset on every change
    bool m_modified = false;
};

} // namespace seqpe::ui
