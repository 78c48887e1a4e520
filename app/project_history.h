#pragma once
// The project's undo history: one command per user edit of the open project (a field of the base
// or of a run, a run added or removed), whichever widget it came from. Undo and redo put the whole
// project state back (runs and base), so an undo is exact whatever the edit was; the history's
// clean state follows saves, and the document's modified mark follows the history.
#include "project_document.h"

#include <QObject>
#include <functional>

class QUndoStack;

namespace seqpe::ui {

class ProjectHistory : public QObject {
    Q_OBJECT
public:
    // `show(run)` is called after an undo or redo with the run it touched ("" = the base), so the
    // window can bring that run's config into view.
    ProjectHistory(ProjectDocument& doc, std::function<void(const QString&)> show, QObject* parent = nullptr);
    QUndoStack* stack() const { return m_stack; }
    void markSaved(); // the current state is what the file holds

private:
    ProjectDocument& m_doc;
    QUndoStack* m_stack;
};

} // namespace seqpe::ui
