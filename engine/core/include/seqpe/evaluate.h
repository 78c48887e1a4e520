#pragma once
// Evaluation of a trained run at its training length and beyond (extrapolation): its options and
// its report (the run's eval/ directory holds it as JSON and CSV), torch-free. The evaluation
// itself is LibTorch's: evaluate_run() in seqpe/engine.h.
#include "seqpe/trainer.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace seqpe {

struct EvalOptions {
    std::filesystem::path dataset_dir; // the run's dataset (prepare_dataset resolves it)
    std::filesystem::path checkpoint;  // empty: the run's latest complete checkpoint
    std::string split;                 // empty: config eval.split
    std::vector<int64_t> lengths;      // tokens (text) or pixels (image); empty: from the config
    std::string mode;                  // extend | interpolate | both; empty: config eval.mode
    int64_t max_tokens = -1;           // < 0: config eval.max_tokens
    std::string precision;             // empty: the run's runtime.precision (auto | fp32 | bf16 | fp16)
    std::string image_resize;          // image runs: resize | center_crop; empty: config eval.image_resize
    bool write_files = true;           // eval/extrapolation.{json,csv}, eval/loss_by_position.csv
};

struct EvalRow {
    std::string mode;    // "extend" | "interpolate"
    int64_t length = 0;  // evaluation length (tokens; algorithmic: the instance's length) or resolution (pixels)
    double loss = 0;     // mean NLL (nats)
    double ppl = 0;      // text: exp(loss)
    double accuracy = 0; // image: top-1; qa, algorithmic: exact match
    int64_t depth = -1;  // qa: needle depth in percent (-1: all depths)
    int64_t count = 0;   // tokens or images scored
    double seconds = 0;
    double tokens_per_s = 0;
    std::string note; // e.g. "learned table interpolated past its 128 rows"
    // The measurement error of this evaluation (docs/METHOD.md §14): the 95% percentile bootstrap
    // interval of the metric (ppl, accuracy or em) over its windows (text: the non-overlapping
    // chunks of `length` tokens) or examples (images, QA); NaN when it has fewer than 2.
    double lo = std::nan(""), hi = std::nan("");
    int64_t items = 0; // windows or examples the interval resamples
    // Text, comparable across tokenizers: the NLL in bits per UTF-8 byte and per character, and the
    // word-level perplexity (words = tokens whose piece starts a word); NaN when unknown.
    double bits_per_byte = std::nan(""), bits_per_char = std::nan(""), word_ppl = std::nan("");
    int64_t bytes = 0, chars = 0, words = 0;
    // Algorithmic tasks: the accuracy at each answer position (teacher-forced: the model sees the
    // right answer so far), position 0 first; empty otherwise.
    std::vector<double> by_position;
};

struct EvalReport {
    std::string run; // run directory name
    std::string task;
    std::string encoding;
    std::string split;
    std::string metric; // "ppl" | "accuracy" | "em"
    int64_t train_length = 0;
    // Algorithmic tasks: the training lengths are [train_min_length, train_length] (0: one length,
    // train_length); lengths count length_unit ("tokens", "px", "symbols", "digits per operand",
    // "bits"; empty in reports written before it was recorded).
    int64_t train_min_length = 0;
    std::string length_unit;
    int64_t step = 0;         // checkpoint step
    std::string precision;    // what the evaluation computed in (fp32 | bf16 | fp16)
    std::string image_resize; // image runs: how images reached each size (resize | center_crop); else empty
    std::vector<EvalRow> rows;
    // Mean NLL at each position of the longest 'extend' evaluation (text only).
    std::vector<double> loss_by_position;
    int64_t loss_by_position_length = 0;
};

std::string eval_report_json(const EvalReport& r);
EvalReport eval_report_from_json(const std::string& text, const std::string& where); // throws InputError
std::string eval_report_csv(const EvalReport& r);
// Algorithmic reports: accuracy by answer position, one line per (mode, length, position).
std::string eval_by_position_csv(const EvalReport& r);

} // namespace seqpe
