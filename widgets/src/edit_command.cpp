// Undo/redo of a config form edit: restores the text and re-reports it through the form.
#include "edit_command.h"

#include "seqpe/widgets/config_form.h"

namespace seqpe::ui {

EditCommand::EditCommand(ConfigForm* form, const QString& path, const QString& before, const QString& after)
    : m_form(form), m_path(path), m_before(before), m_after(after) {
    setText(QObject::tr("Edit %1").arg(path));
}

void EditCommand::redo() {
    if (!m_pushed) {
        m_pushed = true;
        return;
    }
    m_form->applyEdit(m_path, m_after);
}

void EditCommand::undo() {
    m_form->applyEdit(m_path, m_before);
}

} // namespace seqpe::ui
