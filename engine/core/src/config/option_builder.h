#pragma once
// Internal to the core: what the option table's parts (options.cpp, options_encoding.cpp) share to
// declare their rows: the builder, the row modifiers and when a row applies.
#include "seqpe/options.h"

#include "seqpe/encodings.h"

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace seqpe::option_rows {

template <class T> constexpr OptionType type_of() {
    if constexpr (std::is_same_v<T, bool>)
        return OptionType::Bool;
    else if constexpr (std::is_same_v<T, int64_t>)
        return OptionType::Int;
    else if constexpr (std::is_same_v<T, double>)
        return OptionType::Float;
    else if constexpr (std::is_same_v<T, std::string>)
        return OptionType::String;
    else
        return OptionType::IntList;
}

inline bool always(const RunConfig&) {
    return true;
}
inline bool is_text(const RunConfig& c) {
    return c.task != "image";
}
// The tasks that read a tokenized text dataset (the algorithmic task generates its instances).
inline bool is_text_data(const RunConfig& c) {
    return c.task == "lm" || c.task == "qa";
}
inline bool is_algo(const RunConfig& c) {
    return c.task == "algorithmic";
}
inline bool is_image(const RunConfig& c) {
    return c.task == "image";
}
inline bool is_seqpe(const RunConfig& c) {
    return encoding_reads(c, "position_encoding.seqpe."); // the encodings table says who reads them
}

struct Builder {
    std::vector<OptionInfo> table;

    // `ref` maps a config to the field; the option's type follows the field's type.
    template <class Ref>
    OptionInfo& add(std::string path, Ref ref, std::string help,
                    std::function<bool(const RunConfig&)> relevant = always) {
        using T = std::remove_reference_t<decltype(ref(std::declval<RunConfig&>()))>;
        OptionInfo o;
        o.path = std::move(path);
        o.type = type_of<T>();
        o.help = std::move(help);
        o.relevant = std::move(relevant);
        o.get = [ref](const RunConfig& c) { return OptionValue(ref(const_cast<RunConfig&>(c))); };
        o.set = [ref](RunConfig& c, const OptionValue& v) { ref(c) = std::get<T>(v); };
        table.push_back(std::move(o));
        return table.back();
    }
};

inline OptionInfo& range(OptionInfo& o, std::optional<double> lo, std::optional<double> hi) {
    o.min = lo;
    o.max = hi;
    return o;
}

inline OptionInfo& choices(OptionInfo& o, std::vector<std::string> cs) {
    o.type = OptionType::Choice;
    o.choices = std::move(cs);
    return o;
}

inline OptionInfo& advanced(OptionInfo& o) {
    o.advanced = true;
    return o;
}

#define FIELD(expr)                                                                                                    \
    [](RunConfig & c) -> auto& {                                                                                       \
        return c.expr;                                                                                                 \
    }

// The position-encoding rows, SeqPE's included (options_encoding.cpp).
void add_encoding_rows(Builder& b);

} // namespace seqpe::option_rows
