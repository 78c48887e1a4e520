#pragma once
// Internal: one user edit of one ConfigForm field, for the form's QUndoStack.
#include <QString>
#include <QUndoCommand>

namespace seqpe::ui {

class ConfigForm;

class EditCommand : public QUndoCommand {
public:
    EditCommand(ConfigForm* form, const QString& path, const QString& before, const QString& after);

    // The first redo() comes from QUndoStack::push() right after the user's own edit, which the
    // editor already shows: it is skipped so the edit is not reported twice.
    void redo() override;
    void undo() override;

private:
    ConfigForm* m_form;
    QString m_path, m_before, m_after;
    bool m_pushed = false;
};

} // namespace seqpe::ui
