#pragma once
// An engine Observer that keeps what a run reports, for the engine tests.
#include "seqpe/trainer.h"

#include <functional>
#include <string>
#include <vector>

namespace seqpe::test {

struct Collect : Observer {
    std::vector<Record> records;
    std::vector<RunStatus> statuses;
    std::vector<std::string> logs;
    std::function<void(const Record&)> hook; // called for each record, e.g. to stop a run mid-way
    void on_record(const Record& r) override {
        records.push_back(r);
        if (hook) hook(r);
    }
    void on_status(const RunStatus& s) override { statuses.push_back(s); }
    void on_log(LogLevel, const std::string& t) override { logs.push_back(t); }
    // The training losses, one per step.
    std::vector<double> losses() const {
        std::vector<double> v;
        for (const auto& r : records)
            if (r.kind == "train") v.push_back(*r.get("loss"));
        return v;
    }
    bool logged(const std::string& part) const {
        for (const auto& l : logs)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
};

} // namespace seqpe::test
