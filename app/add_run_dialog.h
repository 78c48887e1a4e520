#pragma once
// Add Run: the task (the project's by default; each algorithmic task is its own entry) and a
// position encoding that task can use (from the engine's encodings table).
#include "seqpe/config.h"

#include <QDialog>
#include <utility>
#include <vector>

class QComboBox;
class QLabel;

namespace seqpe::ui {

class AddRunDialog : public QDialog {
    Q_OBJECT
public:
    // `base`: the project's base config (its task is the default).
    explicit AddRunDialog(const RunConfig& base, QWidget* parent = nullptr);
    QComboBox* taskCombo() const { return m_task; }
    QComboBox* encodingCombo() const { return m_encoding; }
    void choose(const QString& task, const QString& encoding); // "algorithmic:copy" names an algorithmic task
    QString encoding() const;
    // The run's name: the encoding, prefixed by the task when it differs from the project's.
    QString runName() const;
    // The options the run sets beyond its encoding (task, algo.task), as (path, JSON text).
    std::vector<std::pair<std::string, std::string>> overrides() const;

private:
    void fillEncodings();
    RunConfig m_base;
    QComboBox* m_task = nullptr;
    QComboBox* m_encoding = nullptr;
    QLabel* m_note = nullptr;
};

} // namespace seqpe::ui
