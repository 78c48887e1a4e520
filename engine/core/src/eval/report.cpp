// Evaluation reports <-> JSON/CSV (torch-free; readers for runs evaluated elsewhere).
#include "seqpe/common/error.h"
#include "seqpe/evaluate.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seqpe {

using nlohmann::json;

std::string eval_report_json(const EvalReport& r) {
    json j = {{"run", r.run},     {"task", r.task},          {"encoding", r.encoding},
              {"split", r.split}, {"metric", r.metric},      {"train_length", r.train_length},
              {"step", r.step},   {"precision", r.precision}};
    if (r.train_min_length > 0) j["train_min_length"] = r.train_min_length;
    if (!r.length_unit.empty()) j["length_unit"] = r.length_unit;
    if (!r.image_resize.empty()) j["image_resize"] = r.image_resize;
    j["rows"] = json::array();
    const auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); }; // NaN: null
    for (const auto& x : r.rows) {
        j["rows"].push_back({{"mode", x.mode},
                             {"length", x.length},
                             {"loss", x.loss},
                             {"ppl", x.ppl},
                             {"accuracy", x.accuracy},
                             {"count", x.count},
                             {"seconds", x.seconds},
                             {"tokens_per_s", x.tokens_per_s},
                             {"note", x.note},
                             {"depth", x.depth},
                             {"ci_lo", num(x.lo)},
                             {"ci_hi", num(x.hi)},
                             {"items", x.items},
                             {"bits_per_byte", num(x.bits_per_byte)},
                             {"bits_per_char", num(x.bits_per_char)},
                             {"word_ppl", num(x.word_ppl)},
                             {"bytes", x.bytes},
                             {"chars", x.chars},
                             {"words", x.words}});
        if (!x.by_position.empty()) j["rows"].back()["by_position"] = x.by_position;
    }
    j["loss_by_position_length"] = r.loss_by_position_length;
    j["loss_by_position"] = r.loss_by_position;
    return j.dump(1) + "\n";
}

EvalReport eval_report_from_json(const std::string& text, const std::string& where) {
    EvalReport r;
    try {
        const json j = json::parse(text);
        r.run = j.value("run", "");
        r.task = j.value("task", "");
        r.encoding = j.value("encoding", "");
        r.split = j.value("split", "");
        r.metric = j.value("metric", "");
        r.train_length = j.value("train_length", int64_t{0});
        r.step = j.value("step", int64_t{0});
        r.precision = j.value("precision", "fp32"); // reports before precision was recorded: fp32
        r.train_min_length = j.value("train_min_length", int64_t{0});
        r.length_unit = j.value("length_unit", "");
        // image reports written before the protocol was recorded resized the whole image
        r.image_resize = j.value("image_resize", r.task == "image" ? "resize" : "");
        for (const auto& x : j.at("rows")) {
            EvalRow row;
            row.mode = x.value("mode", "");
            row.length = x.value("length", int64_t{0});
            row.loss = x.value("loss", 0.0);
            row.ppl = x.value("ppl", 0.0);
            row.accuracy = x.value("accuracy", 0.0);
            row.count = x.value("count", int64_t{0});
            row.seconds = x.value("seconds", 0.0);
            row.tokens_per_s = x.value("tokens_per_s", 0.0);
            row.note = x.value("note", "");
            row.depth = x.value("depth", int64_t{-1});
            // Reports written before intervals and byte-level metrics: NaN (unknown).
            const auto num = [&](const char* key) {
                return x.contains(key) && x[key].is_number() ? x[key].get<double>() : std::nan("");
            };
            row.lo = num("ci_lo");
            row.hi = num("ci_hi");
            row.items = x.value("items", int64_t{0});
            row.bits_per_byte = num("bits_per_byte");
            row.bits_per_char = num("bits_per_char");
            row.word_ppl = num("word_ppl");
            row.bytes = x.value("bytes", int64_t{0});
            row.chars = x.value("chars", int64_t{0});
            row.words = x.value("words", int64_t{0});
            if (x.contains("by_position")) row.by_position = x["by_position"].get<std::vector<double>>();
            r.rows.push_back(row);
        }
        r.loss_by_position_length = j.value("loss_by_position_length", int64_t{0});
        if (j.contains("loss_by_position")) r.loss_by_position = j["loss_by_position"].get<std::vector<double>>();
    } catch (const std::exception& e) {
        throw InputError(where + ": not an evaluation report (" + std::string(e.what()).substr(0, 100) + ")");
    }
    return r;
}

std::string eval_report_csv(const EvalReport& r) {
    std::ostringstream s;
    s.precision(8);
    s << "run,encoding,task,split,mode,length,depth,train_length,loss," << r.metric << ",ci_lo,ci_hi,count,seconds,"
      << "bits_per_byte,bits_per_char,word_ppl,note\n";
    const auto num = [](double v) { // empty for NaN
        std::ostringstream o;
        o.precision(8);
        if (std::isfinite(v)) o << v;
        return o.str();
    };
    for (const auto& x : r.rows)
        s << r.run << "," << r.encoding << "," << r.task << "," << r.split << "," << x.mode << "," << x.length << ","
          << (x.depth >= 0 ? std::to_string(x.depth) : std::string()) << "," << r.train_length << "," << x.loss << ","
          << (r.metric == "ppl" ? x.ppl : x.accuracy) << "," << num(x.lo) << "," << num(x.hi) << "," << x.count << ","
          << x.seconds << "," << num(x.bits_per_byte) << "," << num(x.bits_per_char) << "," << num(x.word_ppl) << ",\""
          << x.note << "\"\n";
    return s.str();
}

std::string eval_by_position_csv(const EvalReport& r) {
    std::ostringstream s;
    s.precision(8);
    s << "run,encoding,mode,length,position,accuracy\n";
    for (const auto& x : r.rows)
        for (size_t k = 0; k < x.by_position.size(); ++k)
            s << r.run << "," << r.encoding << "," << x.mode << "," << x.length << "," << k << "," << x.by_position[k]
              << "\n";
    return s.str();
}

} // namespace seqpe
