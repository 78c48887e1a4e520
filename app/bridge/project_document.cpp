// ProjectDocument: opening, saving and editing the project file; each run's resolved config, its
// diagnostics, and overrides kept minimal against the base.
#include "project_document.h"

#include "seqpe/options.h"

#include <QDir>
#include <QFileInfo>
#include <nlohmann/json.hpp>

namespace seqpe::ui {

ProjectDocument::ProjectDocument(QObject* parent) : QObject(parent) {
    // Connected first, so the plan is stale before any other receiver of changed() asks for it.
    connect(this, &ProjectDocument::changed, this, [this] { m_plan.reset(); });
    newProject("untitled");
}

const RunPlan& ProjectDocument::plan() const {
    if (!m_plan) {
        Project p = m_project;
        if (p.file.empty()) p.output_dir = "runs"; // an unsaved project writes under ./runs
        m_plan = plan_project(p);
    }
    return *m_plan;
}

const PlannedRun* ProjectDocument::planned(const QString& name) const {
    const std::string n = name.toStdString();
    for (const auto& r : plan().runs)
        if (r.name == n) return &r;
    return nullptr;
}

QStringList ProjectDocument::plannedNames() const {
    QStringList out;
    for (const auto& r : plan().runs) out << QString::fromStdString(r.name);
    return out;
}

QString ProjectDocument::groupOf(const QString& name) const {
    const PlannedRun* r = planned(name);
    return r ? QString::fromStdString(r->group) : name;
}

QString ProjectDocument::projectRunOf(const QString& name) const {
    if (const PlannedRun* r = planned(name)) return QString::fromStdString(r->run);
    return m_project.find_run(name.toStdString()) ? name : QString();
}

std::vector<Diagnostic> ProjectDocument::open(const QString& file, bool* opened) {
    ProjectLoad load = load_project(std::filesystem::path(file.toStdString()));
    if (opened) *opened = false;
    if (has_errors(load.diagnostics) && !opens_for_editing(load)) return load.diagnostics;
    if (opened) *opened = true;
    m_project = load.project;
    m_project.file = std::filesystem::absolute(m_project.file);
    setModified(false);
    Q_EMIT loaded();
    Q_EMIT changed();
    return load.diagnostics;
}

void ProjectDocument::newProject(const QString& name) {
    m_project = Project{};
    m_project.name = name.toStdString();
    m_project.runs.push_back({"seqpe", {}});
    setModified(false);
    Q_EMIT loaded();
    Q_EMIT changed();
}

bool ProjectDocument::save(const QString& file, QString* error) {
    try {
        const std::filesystem::path target = std::filesystem::absolute(file.toStdString());
        // Run folders stay where they were: output_dir is relative to the project file.
        if (!m_project.file.empty() && target.parent_path() != m_project.file.parent_path()) {
            const auto out = m_project.output_path();
            m_project.output_dir =
                std::filesystem::relative(std::filesystem::absolute(out), target.parent_path()).string();
        }
        save_project(m_project, target);
        m_project.file = target;
        setModified(false);
        Q_EMIT changed();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

QString ProjectDocument::fileName() const {
    return QString::fromStdString(m_project.file.string());
}

QStringList ProjectDocument::runNames() const {
    QStringList out;
    for (const auto& r : m_project.runs) out << QString::fromStdString(r.name);
    return out;
}

ProjectRun* ProjectDocument::findRun(const QString& name) {
    for (auto& r : m_project.runs)
        if (r.name == name.toStdString()) return &r;
    return nullptr;
}

std::vector<Diagnostic> ProjectDocument::projectConfig(const QString& run, RunConfig& c) const {
    const ProjectRun* r = m_project.find_run(run.toStdString());
    return r ? project_run_config(m_project, *r, c) : project_base_config(m_project, c);
}

RunConfig ProjectDocument::config(const QString& run) const {
    if (const PlannedRun* p = planned(run)) return p->config; // the CLI's config: sweep values and seed included
    RunConfig c;
    projectConfig(run, c);
    resolve_paths(c, m_project.file.empty() ? std::filesystem::path() : m_project.file.parent_path());
    return c;
}

ResolvedConfig ProjectDocument::resolvedConfig(const QString& run) const {
    if (const PlannedRun* p = planned(run)) return p->resolved;
    return resolve_config(config(run));
}

std::vector<Diagnostic> ProjectDocument::diagnostics(const QString& run) const {
    RunConfig c;
    std::vector<Diagnostic> d = projectConfig(run, c);
    auto v = validate(c);
    d.insert(d.end(), v.begin(), v.end());
    return d;
}

// The JSON text a run (or the base, for "" or an unknown run) sets `path` to; nullptr if it does not.
static const std::string* overrideOf(const Project& p, const QString& run, const std::string& path) {
    const ProjectRun* r = p.find_run(run.toStdString());
    for (const auto& [k, v] : r ? r->set : p.base)
        if (k == path) return &v;
    return nullptr;
}

QString ProjectDocument::optionText(const QString& run, const QString& path) const {
    const OptionInfo* o = find_option(path.toStdString());
    if (!o) return {};
    // A value from a file that fails its checks is shown as written, where its error is marked.
    if (const std::string* v = overrideOf(m_project, run, o->path)) {
        RunConfig scratch;
        if (has_errors(set_option_text(scratch, o->path, *v))) {
            const auto j = nlohmann::json::parse(*v, nullptr, false);
            return QString::fromStdString(j.is_string() ? j.get<std::string>() : *v);
        }
    }
    RunConfig c;
    projectConfig(run, c);
    return QString::fromStdString(option_value_text(*o, o->get(c)));
}

QString ProjectDocument::configProblem(const QString& run) const {
    const PlannedRun* p = planned(run);
    if (!p) return {};
    for (const auto& d : p->diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            return QString::fromStdString((d.path.empty() ? "" : d.path + ": ") + d.message);
    return {};
}

QStringList ProjectDocument::errors() const {
    QStringList out;
    for (const auto& d : plan().diagnostics)
        if (d.severity == Diagnostic::Severity::Error)
            out << QString::fromStdString((d.path.empty() ? "" : d.path + ": ") + d.message);
    out.removeDuplicates();
    return out;
}

QString ProjectDocument::setOption(const QString& run, const QString& path, const QString& text) {
    const OptionInfo* o = find_option(path.toStdString());
    if (!o) return tr("%1 is not an option").arg(path);
    // The option's own checks (type, 64-bit range, min/max, choices) on a scratch config.
    RunConfig scratch;
    const auto refused = set_option_text(scratch, o->path, text.toStdString());
    if (has_errors(refused)) return QString::fromStdString(refused.front().message);
    const Project before = m_project;
    const auto parsed = parse_option_value(*o, text.toStdString());
    const std::string json =
        std::visit([](const auto& x) { return nlohmann::json(x).dump(); }, std::get<OptionValue>(parsed));
    auto set_pair = [&](std::vector<std::pair<std::string, std::string>>& pairs, bool remove) {
        for (auto it = pairs.begin(); it != pairs.end(); ++it)
            if (it->first == path.toStdString()) {
                if (remove)
                    pairs.erase(it);
                else
                    it->second = json;
                return;
            }
        if (!remove) pairs.emplace_back(path.toStdString(), json);
    };
    if (ProjectRun* r = findRun(run)) {
        // An override equal to the base value is no override.
        RunConfig base;
        project_base_config(m_project, base);
        const bool same = std::holds_alternative<OptionValue>(parsed) && o->get(base) == std::get<OptionValue>(parsed);
        set_pair(r->set, same);
    } else {
        RunConfig defaults;
        const bool same =
            std::holds_alternative<OptionValue>(parsed) && o->get(defaults) == std::get<OptionValue>(parsed);
        set_pair(m_project.base, same);
    }
    setModified(true);
    Q_EMIT changed();
    Q_EMIT edited(run.isEmpty() ? tr("Edit %1 (base)").arg(path) : tr("Edit %1 of %2").arg(path, run), run, before);
    return {};
}

QString ProjectDocument::differences(const QString& run) const {
    const PlannedRun* p = planned(run);
    const ProjectRun* r = m_project.find_run(p ? p->run : run.toStdString());
    if (!r) return {};
    QStringList parts;
    for (const auto& [path, value] : r->set) parts << QString::fromStdString(path + "=" + value);
    if (p) {
        for (const auto& [path, value] : p->swept) parts << QString::fromStdString(path + "=" + value);
        if (p->seed) parts << QString("train.seed=%1").arg(*p->seed);
    }
    return parts.join(", ");
}

std::filesystem::path ProjectDocument::runDir(const QString& run) const {
    if (const PlannedRun* p = planned(run)) return p->dir;
    if (m_project.file.empty()) return std::filesystem::path("runs") / run.toStdString();
    return m_project.run_dir(run.toStdString());
}

QString ProjectDocument::addRun(const QString& name, const QString& encoding,
                                const std::vector<std::pair<std::string, std::string>>& set) {
    const Project before = m_project;
    QString n = name;
    for (int i = 2; findRun(n); ++i) n = name + "-" + QString::number(i);
    ProjectRun r;
    r.name = n.toStdString();
    if (!encoding.isEmpty())
        r.set.emplace_back("position_encoding.type", nlohmann::json(encoding.toStdString()).dump());
    for (const auto& kv : set) r.set.push_back(kv);
    m_project.runs.push_back(r);
    setModified(true);
    Q_EMIT changed();
    Q_EMIT edited(tr("Add run %1").arg(n), n, before);
    return n;
}

void ProjectDocument::removeRun(const QString& name) {
    if (!findRun(name)) return;
    const Project before = m_project;
    auto& runs = m_project.runs;
    runs.erase(
        std::remove_if(runs.begin(), runs.end(), [&](const ProjectRun& r) { return r.name == name.toStdString(); }),
        runs.end());
    setModified(true);
    Q_EMIT changed();
    Q_EMIT edited(tr("Remove run %1").arg(name), name, before);
}

void ProjectDocument::restore(const Project& state) {
    m_project.base = state.base;
    m_project.runs = state.runs;
    m_project.seeds = state.seeds;
    m_project.sweep = state.sweep;
    setModified(true);
    Q_EMIT changed();
}

void ProjectDocument::setModified(bool m) {
    if (m_modified == m) return;
    m_modified = m;
    Q_EMIT modifiedChanged(m);
}

} // namespace seqpe::ui
