#pragma once
// Event records: one JSON object per event. The trainer hands the same records to its observer
// (the CLI's JSON lines, the GUI's charts) and appends them to metrics.jsonl, so live views and
// views of finished runs read one format:
//   {"kind":"train","step":120,"time":31.2,"loss":3.1,"loss_task":3.0,"loss_contrastive":0.8,
//    "loss_distill":0.02,"lr":0.001,"tokens_per_s":7800}
//   {"kind":"eval","step":200,"time":52.0,"split":"valid","loss":3.2,"ppl":24.5}
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seqpe {

struct Record {
    std::string kind; // "train", "eval", "log", ...
    int64_t step = 0;
    double time = 0;                                         // seconds since the run (first) started
    std::vector<std::pair<std::string, double>> values;      // numbers, in insertion order
    std::vector<std::pair<std::string, std::string>> labels; // strings (split, mode, ...)

    Record& set(const std::string& key, double v);
    Record& label(const std::string& key, const std::string& v);
    std::optional<double> get(const std::string& key) const;
    std::string get_label(const std::string& key) const;
};

// One line of JSON (no newline). NaN and infinities are written as null.
std::string record_to_json(const Record& r);
// Parses one line; nullopt for a malformed or partial line (the last line of a killed run).
std::optional<Record> record_from_json(const std::string& line);

} // namespace seqpe
