// ProjectHistory: a QUndoStack of whole-project states (before and after each edit); its clean state
// drives the document's modified mark.
#include "project_history.h"

#include <QUndoCommand>
#include <QUndoStack>

namespace seqpe::ui {

namespace {

class ProjectEdit : public QUndoCommand {
public:
    ProjectEdit(ProjectDocument& doc, const QString& text, QString run, Project before, Project after,
                std::function<void(const QString&)> show)
        : QUndoCommand(text), m_doc(doc), m_run(std::move(run)), m_before(std::move(before)), m_after(std::move(after)),
          m_show(std::move(show)) {}
    // The first redo() comes from push(), right after the edit itself: nothing to do.
    void redo() override {
        if (!m_pushed) {
            m_pushed = true;
            return;
        }
        m_doc.restore(m_after);
        if (m_show) m_show(m_run);
    }
    void undo() override {
        m_doc.restore(m_before);
        if (m_show) m_show(m_run);
    }

private:
    ProjectDocument& m_doc;
    QString m_run;
    Project m_before, m_after;
    std::function<void(const QString&)> m_show;
    bool m_pushed = false;
};

} // namespace

ProjectHistory::ProjectHistory(ProjectDocument& doc, std::function<void(const QString&)> show, QObject* parent)
    : QObject(parent), m_doc(doc), m_stack(new QUndoStack(this)) {
    connect(&doc, &ProjectDocument::edited, this,
            [this, show](const QString& what, const QString& run, const Project& before) {
                m_stack->push(new ProjectEdit(m_doc, what, run, before, m_doc.project(), show));
            });
    // Another project: its history starts empty and clean.
    connect(&doc, &ProjectDocument::loaded, m_stack, [this] {
        m_stack->clear();
        m_stack->setClean();
    });
    // Undoing back to the saved state clears the modified mark; any other state sets it.
    connect(m_stack, &QUndoStack::cleanChanged, this, [this](bool clean) { m_doc.setModified(!clean); });
}

void ProjectHistory::markSaved() {
    m_stack->setClean();
}

} // namespace seqpe::ui
