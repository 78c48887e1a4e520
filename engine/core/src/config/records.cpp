// Event records <-> JSON lines.
#include "seqpe/records.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace seqpe {

using nlohmann::json;

Record& Record::set(const std::string& key, double v) {
    for (auto& kv : values)
        if (kv.first == key) {
            kv.second = v;
            return *this;
        }
    values.emplace_back(key, v);
    return *this;
}

Record& Record::label(const std::string& key, const std::string& v) {
    for (auto& kv : labels)
        if (kv.first == key) {
            kv.second = v;
            return *this;
        }
    labels.emplace_back(key, v);
    return *this;
}

std::optional<double> Record::get(const std::string& key) const {
    for (const auto& kv : values)
        if (kv.first == key) return kv.second;
    return std::nullopt;
}

std::string Record::get_label(const std::string& key) const {
    for (const auto& kv : labels)
        if (kv.first == key) return kv.second;
    return {};
}

std::string record_to_json(const Record& r) {
    // ordered_json keeps kind/step/time first: easier to read with `tail -f`.
    nlohmann::ordered_json j;
    j["kind"] = r.kind;
    j["step"] = r.step;
    j["time"] = std::round(r.time * 1000.0) / 1000.0;
    for (const auto& [k, v] : r.labels) j[k] = v;
    for (const auto& [k, v] : r.values) {
        if (std::isfinite(v))
            j[k] = v;
        else
            j[k] = nullptr;
    }
    return j.dump();
}

std::optional<Record> record_from_json(const std::string& line) {
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(line);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) return std::nullopt;
    Record r;
    r.kind = j["kind"].get<std::string>();
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto& k = it.key();
        const auto& v = it.value();
        if (k == "kind") continue;
        if (k == "step") {
            if (v.is_number()) r.step = v.get<int64_t>();
        } else if (k == "time") {
            if (v.is_number()) r.time = v.get<double>();
        } else if (v.is_number()) {
            r.values.emplace_back(k, v.get<double>());
        } else if (v.is_null()) {
            r.values.emplace_back(k, std::nan(""));
        } else if (v.is_string()) {
            r.labels.emplace_back(k, v.get<std::string>());
        } else if (v.is_boolean()) {
            r.values.emplace_back(k, v.get<bool>() ? 1.0 : 0.0);
        }
    }
    return r;
}

} // namespace seqpe
