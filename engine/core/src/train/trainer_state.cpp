// trainer.json read and written: every field type- and range-checked, a bad file an InputError that
// names it (the checkpoint fuzzer feeds parse_trainer_state any bytes).
#include "train/trainer_state.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace seqpe {

namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
    throw InputError(where + ": " + what + "; the checkpoint is damaged, resume from an earlier one");
}

int64_t get_int(const json& j, const char* key, int64_t def, int64_t min, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) return def;
    if (!it->is_number_integer()) bad(where, std::string("'") + key + "' is not an integer");
    const int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                          ? INT64_MAX
                          : it->get<int64_t>();
    if (v < min)
        bad(where, std::string("'") + key + "' is " + std::to_string(v) + " (at least " + std::to_string(min) + ")");
    return v;
}

double get_double(const json& j, const char* key, double def, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) return def;
    if (!it->is_number()) bad(where, std::string("'") + key + "' is not a number");
    const double v = it->get<double>();
    if (!std::isfinite(v)) bad(where, std::string("'") + key + "' is not finite");
    return v;
}

std::string get_string(const json& j, const char* key, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (!it->is_string()) bad(where, std::string("'") + key + "' is not a string");
    return it->get<std::string>();
}

} // namespace

TrainerState parse_trainer_state(std::string_view text, const std::string& where) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception&) {
        bad(where, "not valid JSON");
    }
    if (!j.is_object()) bad(where, "not a JSON object");
    TrainerState st;
    st.step = get_int(j, "step", 0, 0, where);
    st.elapsed = get_double(j, "elapsed", 0.0, where);
    st.best_valid = get_double(j, "best_valid", 0.0, where);
    st.best_step = get_int(j, "best_step", -1, -1, where);
    st.tokens_seen = get_int(j, "tokens_seen", 0, 0, where);
    st.config_hash = get_string(j, "config_hash", where);
    st.torch_version = get_string(j, "torch_version", where);
    st.loss_scale = get_double(j, "loss_scale", 0.0, where);
    st.loss_scale_clean = get_int(j, "loss_scale_clean", 0, 0, where);
    return st;
}

TrainerState read_trainer_state(const std::filesystem::path& dir) {
    const auto file = dir / "trainer.json";
    return parse_trainer_state(read_file(file), file.string());
}

std::string trainer_state_json(const TrainerState& st) {
    json j = {{"step", st.step},
              {"elapsed", st.elapsed},
              {"best_valid", st.best_valid},
              {"best_step", st.best_step},
              {"tokens_seen", st.tokens_seen},
              {"config_hash", st.config_hash},
              {"torch_version", st.torch_version}};
    if (st.loss_scale > 0) {
        j["loss_scale"] = st.loss_scale;
        j["loss_scale_clean"] = st.loss_scale_clean;
    }
    return j.dump(2) + "\n";
}

} // namespace seqpe
