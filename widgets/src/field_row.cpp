// One field of the generated config form: typed editor, value text conversion in both directions,
// local checks of what is typed, and the red/amber problem frame with its message.
#include "field_row.h"

#include "seqpe/widgets/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPainter>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <climits>
#include <cmath>
#include <optional>

namespace seqpe::ui {
namespace {

QString unquote(QString s) {
    s = s.trimmed();
    if (s.size() >= 2 && s.startsWith(QLatin1Char('"')) && s.endsWith(QLatin1Char('"'))) {
        s = s.mid(1, s.size() - 2);
        s.replace(QLatin1String("\\\""), QLatin1String("\""));
        s.replace(QLatin1String("\\\\"), QLatin1String("\\"));
    }
    return s;
}

std::optional<bool> parseBool(const QString& s) {
    const QString t = unquote(s).toLower();
    if (t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes") || t == QLatin1String("on"))
        return true;
    if (t == QLatin1String("false") || t == QLatin1String("0") || t == QLatin1String("no") || t == QLatin1String("off"))
        return false;
    return std::nullopt;
}

std::optional<double> parseNumber(const QString& s) {
    bool ok = false;
    const double v = QLocale::c().toDouble(s.trimmed(), &ok);
    return ok && std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// "[1, 2,4]" or "1,2,4" -> {1, 2, 4}; "" or "[]" -> {}; nullopt when an element is not an integer.
std::optional<QVector<qint64>> parseIntList(const QString& s) {
    QString t = s.trimmed();
    if (t.startsWith(QLatin1Char('['))) t.remove(0, 1);
    if (t.endsWith(QLatin1Char(']'))) t.chop(1);
    QVector<qint64> out;
    if (t.trimmed().isEmpty()) return out;
    for (const QString& part : t.split(QLatin1Char(','))) {
        bool ok = false;
        const qint64 v = part.trimmed().toLongLong(&ok);
        if (!ok) return std::nullopt;
        out.append(v);
    }
    return out;
}

QString listText(const QVector<qint64>& v, const QString& sep) {
    QStringList parts;
    for (qint64 x : v) parts << QString::number(x);
    return parts.join(sep);
}

bool isJsonNumber(const QString& s) {
    static const QRegularExpression re(QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
    return re.match(s).hasMatch();
}

QString rangeText(const FieldSpec& f) {
    if (f.min && f.max) return QStringLiteral("[%1, %2]").arg(*f.min).arg(*f.max);
    if (f.min) return QStringLiteral(">= %1").arg(*f.min);
    if (f.max) return QStringLiteral("<= %1").arg(*f.max);
    return {};
}

QString outOfRange(const FieldSpec& f, double v) {
    if (f.min && v < *f.min) return FieldRow::tr("%1 is below the minimum %2").arg(v).arg(*f.min);
    if (f.max && v > *f.max) return FieldRow::tr("%1 is above the maximum %2").arg(v).arg(*f.max);
    return {};
}

// A spin box that takes any int typed but steps only within [lo, hi].
class RangeSpinBox : public QSpinBox {
public:
    RangeSpinBox(int lo, int hi, QWidget* parent) : QSpinBox(parent), m_lo(lo), m_hi(hi) { setRange(INT_MIN, INT_MAX); }
    void stepBy(int steps) override {
        const qint64 v = std::clamp<qint64>(qint64(value()) + steps, m_lo, m_hi);
        setValue(int(v));
        selectAll();
    }

protected:
    StepEnabled stepEnabled() const override {
        StepEnabled e = StepNone;
        if (value() < m_hi) e |= StepUpEnabled;
        if (value() > m_lo) e |= StepDownEnabled;
        return e;
    }

private:
    int m_lo, m_hi;
};

} // namespace

FieldRow::FieldRow(const FieldSpec& spec, QWidget* parent) : QWidget(parent), m_spec(spec) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 4, 6, 4);
    row->setSpacing(10);

    QString name = spec.path;
    const QString group = spec.group.isEmpty() ? spec.path.section(QLatin1Char('.'), 0, 0) : spec.group;
    if (name.startsWith(group + QLatin1Char('.'))) name = name.mid(group.size() + 1);
    m_label = new QLabel(name, this);
    m_label->setObjectName(QStringLiteral("fieldLabel"));
    m_label->setWordWrap(true); // a narrow label column wraps long names instead of cutting them
    row->addWidget(m_label, 0, Qt::AlignTop);

    m_editorBox = new QWidget(this);
    auto* box = new QVBoxLayout(m_editorBox);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(2);
    row->addWidget(m_editorBox, 1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, [this] { Q_EMIT edited(m_spec.path, text()); });

    switch (spec.type) {
    case FieldSpec::Bool: {
        auto* cb = new QCheckBox(m_editorBox);
        connect(cb, &QCheckBox::toggled, this, [this] { userChanged(false); });
        m_editor = cb;
        break;
    }
    case FieldSpec::Int: {
        // Any int can be typed (a QSpinBox limited to the field's range silently drops a typed
        // minus: -5 became 5); a value outside the range is an error here and the owner refuses
        // it. The arrows stay within the range.
        auto* sb = new RangeSpinBox(spec.min ? int(std::max(*spec.min, double(INT_MIN))) : INT_MIN,
                                    spec.max ? int(std::min(*spec.max, double(INT_MAX))) : INT_MAX, m_editorBox);
        sb->setKeyboardTracking(true);
        sb->setAccelerated(true);
        connect(sb, &QSpinBox::valueChanged, this, [this] { userChanged(true); });
        connect(sb, &QSpinBox::editingFinished, this, &FieldRow::flush);
        m_editor = sb;
        break;
    }
    case FieldSpec::Float: {
        auto* le = new QLineEdit(m_editorBox);
        auto* v = new QDoubleValidator(le);
        v->setLocale(QLocale::c());
        v->setNotation(QDoubleValidator::ScientificNotation);
        le->setValidator(v);
        connect(le, &QLineEdit::textEdited, this, [this] { userChanged(true); });
        connect(le, &QLineEdit::editingFinished, this, &FieldRow::flush);
        m_editor = le;
        break;
    }
    case FieldSpec::String: {
        auto* le = new QLineEdit(m_editorBox);
        connect(le, &QLineEdit::textEdited, this, [this] { userChanged(true); });
        connect(le, &QLineEdit::editingFinished, this, &FieldRow::flush);
        m_editor = le;
        break;
    }
    case FieldSpec::Choice: {
        auto* combo = new QComboBox(m_editorBox);
        combo->addItems(spec.choices);
        connect(combo, &QComboBox::currentIndexChanged, this, [this] { userChanged(false); });
        m_editor = combo;
        break;
    }
    case FieldSpec::IntList: {
        auto* le = new QLineEdit(m_editorBox);
        le->setPlaceholderText(QStringLiteral("1, 2, 4"));
        static const QRegularExpression allowed(QStringLiteral("^\\s*\\[?[-0-9,\\s]*\\]?\\s*$"));
        le->setValidator(new QRegularExpressionValidator(allowed, le));
        connect(le, &QLineEdit::textEdited, this, [this] { userChanged(true); });
        connect(le, &QLineEdit::editingFinished, this, &FieldRow::flush);
        m_editor = le;
        break;
    }
    }
    // Label text centred on the editor's first line, not on the row (which grows with a message).
    m_label->setMinimumHeight(m_editor->sizeHint().height());
    m_label->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_editor->installEventFilter(this); // Esc reverts a refused value
    m_editor->setObjectName(QStringLiteral("fieldEditor"));
    m_editor->setProperty("fieldPath", spec.path);
    box->addWidget(m_editor, 0, spec.type == FieldSpec::Bool ? Qt::AlignLeft : Qt::Alignment());

    m_message = new QLabel(m_editorBox);
    m_message->setObjectName(QStringLiteral("fieldMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    box->addWidget(m_message);

    QString tip = QStringLiteral("<b>%1</b>").arg(spec.path.toHtmlEscaped());
    if (!spec.help.isEmpty()) tip += QStringLiteral("<br>") + spec.help.toHtmlEscaped();
    if (!rangeText(spec).isEmpty()) tip += QStringLiteral("<br>") + tr("range %1").arg(rangeText(spec));
    m_label->setToolTip(tip);
    m_editor->setToolTip(tip);
    refresh();
}

QString FieldRow::text() const {
    switch (m_spec.type) {
    case FieldSpec::Bool:
        return static_cast<QCheckBox*>(m_editor)->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    case FieldSpec::Int:
        return QString::number(static_cast<QSpinBox*>(m_editor)->value());
    case FieldSpec::Float: {
        const QString t = static_cast<QLineEdit*>(m_editor)->text().trimmed();
        if (isJsonNumber(t)) return t;
        // ".5", "5." or "+1" parse here but are not JSON numbers: hand the engine a form it reads.
        const auto v = parseNumber(t);
        return v ? QString::number(*v, 'g', QLocale::FloatingPointShortest) : t;
    }
    case FieldSpec::String:
        return static_cast<QLineEdit*>(m_editor)->text();
    case FieldSpec::Choice:
        return static_cast<QComboBox*>(m_editor)->currentText();
    case FieldSpec::IntList: {
        const QString t = static_cast<QLineEdit*>(m_editor)->text();
        const auto v = parseIntList(t);
        return v ? QLatin1Char('[') + listText(*v, QStringLiteral(",")) + QLatin1Char(']') : t.trimmed();
    }
    }
    return {};
}

void FieldRow::setText(const QString& value) {
    m_debounce->stop(); // a programmatic value replaces whatever was pending
    const QSignalBlocker block(m_editor);
    switch (m_spec.type) {
    case FieldSpec::Bool:
        if (const auto b = parseBool(value)) static_cast<QCheckBox*>(m_editor)->setChecked(*b);
        break;
    case FieldSpec::Int:
        if (const auto v = parseNumber(value))
            static_cast<QSpinBox*>(m_editor)->setValue(int(std::clamp(*v, double(INT_MIN), double(INT_MAX))));
        break;
    case FieldSpec::Float: {
        auto* le = static_cast<QLineEdit*>(m_editor);
        const QString t = unquote(value);
        // Keep what the user typed when it means the same number ("1e-3" vs "0.001"): rewriting
        // the text under the cursor while typing would be maddening.
        if (!sameValue(le->text(), t)) le->setText(t);
        break;
    }
    case FieldSpec::String:
        static_cast<QLineEdit*>(m_editor)->setText(unquote(value));
        break;
    case FieldSpec::Choice: {
        auto* combo = static_cast<QComboBox*>(m_editor);
        const QString t = unquote(value);
        int i = combo->findText(t);
        if (i < 0 && !t.isEmpty()) {
            combo->addItem(t); // show the real value even if it is not a known choice
            i = combo->count() - 1;
        }
        combo->setCurrentIndex(i);
        break;
    }
    case FieldSpec::IntList: {
        auto* le = static_cast<QLineEdit*>(m_editor);
        if (const auto v = parseIntList(value)) {
            if (!sameValue(le->text(), value)) le->setText(listText(*v, QStringLiteral(", ")));
        } else {
            le->setText(value);
        }
        break;
    }
    }
    revalidate();
}

bool FieldRow::sameValue(const QString& a, const QString& b) const {
    switch (m_spec.type) {
    case FieldSpec::Bool:
        return parseBool(a) == parseBool(b);
    case FieldSpec::Int:
    case FieldSpec::Float: {
        const auto x = parseNumber(unquote(a)), y = parseNumber(unquote(b));
        return x && y ? *x == *y : a.trimmed() == b.trimmed();
    }
    case FieldSpec::IntList: {
        const auto x = parseIntList(a), y = parseIntList(b);
        return x && y ? *x == *y : a.trimmed() == b.trimmed();
    }
    case FieldSpec::String:
    case FieldSpec::Choice:
        return unquote(a) == unquote(b);
    }
    return a == b;
}

void FieldRow::userChanged(bool debounce) {
    revalidate();
    if (debounce)
        m_debounce->start();
    else
        Q_EMIT edited(m_spec.path, text());
}

void FieldRow::flush() {
    if (m_debounce->isActive()) {
        m_debounce->stop();
        Q_EMIT edited(m_spec.path, text());
    }
}

void FieldRow::setDebounce(int ms) {
    m_debounce->setInterval(std::max(ms, 0));
}

void FieldRow::revalidate() {
    QString err;
    if (m_spec.type == FieldSpec::Int) {
        err = outOfRange(m_spec, double(static_cast<QSpinBox*>(m_editor)->value()));
    } else if (m_spec.type == FieldSpec::Float) {
        const QString t = static_cast<QLineEdit*>(m_editor)->text().trimmed();
        if (const auto v = parseNumber(t))
            err = outOfRange(m_spec, *v);
        else
            err = t.isEmpty() ? tr("a number is required") : tr("'%1' is not a number").arg(t);
    } else if (m_spec.type == FieldSpec::IntList) {
        const QString t = static_cast<QLineEdit*>(m_editor)->text();
        if (const auto v = parseIntList(t)) {
            for (qint64 x : *v)
                if (!(err = outOfRange(m_spec, double(x))).isEmpty()) break;
        } else {
            err = tr("expected whole numbers separated by commas, e.g. 1, 2, 4");
        }
    }
    if (err != m_localError) {
        m_localError = err;
        refresh();
    }
}

void FieldRow::setDiagnostics(const QVector<FieldDiagnostic>& diagnostics) {
    m_external = diagnostics;
    refresh();
}

void FieldRow::setRefused(const QString& message) {
    if (m_refused == message) return;
    m_refused = message;
    refresh();
}

bool FieldRow::eventFilter(QObject* watched, QEvent* event) {
    // Enter reports what was typed even when the validator calls it unfinished ("1e999" in a number
    // field: QLineEdit then emits no editingFinished), so the owner's answer comes at once.
    if (watched == m_editor && event->type() == QEvent::KeyPress &&
        (static_cast<QKeyEvent*>(event)->key() == Qt::Key_Return ||
         static_cast<QKeyEvent*>(event)->key() == Qt::Key_Enter))
        flush();
    if (watched == m_editor && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape && (isRefused() || m_debounce->isActive())) {
        m_debounce->stop();
        Q_EMIT revertRequested(m_spec.path);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

FieldState FieldRow::state() const {
    if (!m_localError.isEmpty() || !m_refused.isEmpty()) return FieldState::Error;
    FieldState s = FieldState::Normal;
    for (const FieldDiagnostic& d : m_external) {
        if (d.error) return FieldState::Error;
        s = FieldState::Warning;
    }
    return s;
}

QString FieldRow::message() const {
    QStringList lines;
    // A refused value is not in the document: its reason comes first, with how to get out of it.
    if (!m_refused.isEmpty()) lines << m_refused + tr(" (not applied; Esc puts back the current value)");
    for (const FieldDiagnostic& d : m_external) lines << d.message;
    // The engine's message about the same text is authoritative; the local one only fills the gap
    // until the app has validated the edit.
    if (!m_localError.isEmpty() && lines.isEmpty()) lines << m_localError;
    lines.removeDuplicates();
    return lines.join(QLatin1Char('\n'));
}

void FieldRow::setDiffers(bool differs) {
    if (m_differs == differs) return;
    m_differs = differs;
    refresh();
}

void FieldRow::setRelevant(bool relevant) {
    if (m_relevant == relevant) return;
    m_relevant = relevant;
    refresh();
}

void FieldRow::setLabelWidth(int width) {
    m_label->setFixedWidth(width);
}

int FieldRow::labelHint() const {
    QFont f = m_label->font();
    f.setBold(true);
    return QFontMetrics(f).horizontalAdvance(QStringLiteral("● ") + m_label->text()) + 8;
}

bool FieldRow::matches(const QString& filter) const {
    const QString f = filter.trimmed();
    return f.isEmpty() || m_spec.path.contains(f, Qt::CaseInsensitive) || m_spec.help.contains(f, Qt::CaseInsensitive);
}

void FieldRow::refresh() {
    // Label: bold with a dot when the value differs from the base configuration.
    QString name = m_spec.path;
    const QString group = m_spec.group.isEmpty() ? m_spec.path.section(QLatin1Char('.'), 0, 0) : m_spec.group;
    if (name.startsWith(group + QLatin1Char('.'))) name = name.mid(group.size() + 1);
    m_label->setText(m_differs ? QStringLiteral("● ") + name : name);
    QFont f = font();
    f.setBold(m_differs);
    m_label->setFont(f);
    m_label->setEnabled(m_relevant);
    m_editor->setEnabled(m_relevant);

    const FieldState s = state();
    const QString msg = message();
    const bool dark = isDarkPalette(palette());
    QColor c = s == FieldState::Error ? (dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xc5, 0x22, 0x1f))
                                      : (dark ? QColor(0xfd, 0xd6, 0x63) : QColor(0xb0, 0x60, 0x00));
    QPalette pal = m_message->palette();
    pal.setColor(QPalette::WindowText, c);
    m_message->setPalette(pal);
    m_message->setText(msg);
    m_message->setVisible(!msg.isEmpty());
    setProperty("fieldState", s == FieldState::Error     ? QStringLiteral("error")
                              : s == FieldState::Warning ? QStringLiteral("warning")
                                                         : QStringLiteral("normal"));
    update();
}

void FieldRow::paintEvent(QPaintEvent*) {
    const FieldState s = state();
    if (s == FieldState::Normal) return;
    const bool dark = isDarkPalette(palette());
    const QColor frame = s == FieldState::Error ? (dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xd9, 0x30, 0x25))
                                                : (dark ? QColor(0xfd, 0xd6, 0x63) : QColor(0xe3, 0x74, 0x00));
    QColor fill = frame;
    fill.setAlpha(dark ? 28 : 18);
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(frame, 1.5));
    p.setBrush(fill);
    p.drawRoundedRect(QRectF(m_editorBox->geometry()).adjusted(-3.5, -2.5, 3.5, 2.5), 4, 4);
}

void FieldRow::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) refresh();
}

} // namespace seqpe::ui
