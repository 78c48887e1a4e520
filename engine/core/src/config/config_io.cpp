// Config and project JSON: nested <-> option paths, diagnostics for every problem, hashing.
#include "seqpe/config_io.h"

#include "seqpe/algorithmic.h"

#include "json_keys.h"
#include "option_json.h"
#include "project_grid.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/hash.h"
#include "seqpe/common/text.h"
#include "seqpe/options.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace seqpe {

using nlohmann::json;

// options.cpp

std::string format_diagnostics(const std::vector<Diagnostic>& d, const std::string& file) {
    std::string out;
    for (const auto& x : d) {
        if (!file.empty()) out += file + ": ";
        if (x.severity == Diagnostic::Severity::Warning) out += "warning: ";
        if (!x.path.empty()) out += x.path + ": ";
        out += x.message + "\n";
    }
    return out;
}

int task_dims(const RunConfig& c) {
    return c.task == "image" ? 2 : 1;
}

int64_t image_train_grid(const RunConfig& c) {
    return c.data.image_size / std::max<int64_t>(1, c.model.patch_size);
}

std::vector<int64_t> image_train_sizes(const RunConfig& c) {
    if (!c.data.mixed_resolution) return {c.data.image_size};
    const int64_t p = std::max<int64_t>(1, c.model.patch_size);
    std::vector<int64_t> out;
    for (int64_t px = (c.data.size_min + p - 1) / p * p; px <= c.data.size_max; px += p) out.push_back(px);
    if (out.empty()) out.push_back(c.data.image_size); // validate names the empty range
    return out;
}

bool task_needs_dataset(const RunConfig& c) {
    return c.task != "algorithmic";
}

std::vector<int64_t> text_eval_lengths(const RunConfig& c) {
    if (c.task == "algorithmic") { // what the position budgets must hold
        std::vector<int64_t> out;
        for (const int64_t n : c.algo.eval_lengths) out.push_back(algo_positions(c.algo, n));
        return out;
    }
    if (!c.eval.lengths.empty()) return c.eval.lengths;
    std::vector<int64_t> out;
    for (const int64_t m : c.eval.length_multipliers) out.push_back(m * c.train.seq_len);
    return out;
}

int64_t longest_text_eval_length(const RunConfig& c) {
    int64_t n = c.train.seq_len;
    for (const int64_t l : text_eval_lengths(c)) n = std::max(n, l);
    return n;
}

ResolvedConfig::ResolvedConfig() : ResolvedConfig(resolve_config(RunConfig{})) {}

ResolvedConfig resolve_config(const RunConfig& raw) {
    RunConfig c = raw;
    const bool image = c.task == "image";
    if (c.data.source == "auto" && task_needs_dataset(c)) c.data.source = image ? "fashion-mnist" : "sotu";
    // An algorithmic run's training length is its longest training instance (train.seq_len is not
    // the user's there): every layout, budget and trained_length below follows from it.
    if (c.task == "algorithmic") c.train.seq_len = algo_positions(c.algo, std::max<int64_t>(1, c.algo.train_max_len));
    auto& s = c.position_encoding.seqpe;
    const bool official = s.recipe == "official";
    // The official image code multiplies (attn_mul); at the workbench's ViT size attn_scalar
    // learns far faster (docs/RESULTS.md: 79.5% against 75.4% and 60.2% at 400 steps).
    if (s.apply == "auto") s.apply = image && official ? "attn_mul" : "attn_scalar";
    if (s.qk_map == "auto") s.qk_map = image ? "multi" : "single";
    // Randomized positions: drawn from [0, the longest evaluated length) unless given.
    auto& pe = c.position_encoding;
    if (pe.randomize && pe.randomize_max == 0) {
        if (image) {
            int64_t side = std::max(c.data.image_size, image_train_sizes(c).back());
            for (const int64_t px : c.eval.image_sizes) side = std::max(side, px);
            pe.randomize_max = std::max<int64_t>(1, side / std::max<int64_t>(1, c.model.patch_size));
        } else {
            pe.randomize_max = longest_text_eval_length(c);
        }
    }
    if (s.max_position == 0) {
        if (official) {
            s.max_position = image ? 10000 : 20000;
        } else if (image) {
            // The largest evaluated grid (and the training one), flattened: the digits then cover
            // exactly the axis lengths the run will see.
            int64_t side = std::max(c.data.image_size, image_train_sizes(c).back());
            for (const int64_t px : c.eval.image_sizes) side = std::max(side, px);
            const int64_t axis = std::max<int64_t>(1, side / std::max<int64_t>(1, c.model.patch_size));
            s.max_position = axis * axis;
        } else {
            s.max_position = std::max<int64_t>(2, longest_text_eval_length(c));
        }
        // ... and every randomized training position.
        if (pe.randomize && !official)
            s.max_position = std::max(s.max_position, image ? pe.randomize_max * pe.randomize_max : pe.randomize_max);
    }
    if (s.embed_dim == 0) s.embed_dim = c.model.d_model;
    if (s.heads == 0) {
        int64_t h = std::max<int64_t>(1, s.embed_dim / 64);
        while (h > 1 && s.embed_dim % h != 0) --h;
        s.heads = h;
    }
    if (s.transfer.heads == 0) s.transfer.heads = c.model.n_head;
    // Auxiliary samples in the official runs' proportion to the main task's tokens per step
    // (text: 16 per 32 x 512 tokens; ViT-S: 32 per 256 x 196 patches), at least 2.
    const int64_t grid = image ? image_train_grid(c) : 0;
    const int64_t tokens = c.train.batch_size * (image ? grid * grid : c.train.seq_len);
    const int64_t aux =
        std::max<int64_t>(2, (image ? 32 * tokens + 25088 : 16 * tokens + 8192) / (image ? 50176 : 16384));
    // The workbench keeps a floor: at the official ratio a 16 x 128-token step draws 2 anchors,
    // and each position is an anchor ~0.2 times in a 600-step run (officially ~320).
    if (s.contrastive.batch == 0) s.contrastive.batch = official ? aux : std::max<int64_t>(64, aux);
    if (s.transfer.batch == 0) s.transfer.batch = official ? aux : std::max<int64_t>(16, aux);
    // The teacher (the main layout's PEs) has flat similarities at first; the workbench starts
    // distilling when the learning-rate warm-up ends (not a share of train.steps: a resumed,
    // longer run must keep the same schedule as one started with its final length).
    if (s.transfer.start_step < 0) s.transfer.start_step = official ? 0 : c.optim.warmup_steps;
    if (s.scalar_scale == 0) {
        // With N(0, init_std) weights and LayerNorm'd inputs, q.k / sqrt(Dh) has std
        // ~ init_std^2 C and pq.pk / sqrt(Dh) ~ init_std^4 P E (P the PE width, E the encoder's):
        // at width 128 the PE score of attn_scalar starts at 5% of the content score (GPT-2's 768:
        // 30%). The workbench picks s = C / (init_std^2 P E) so that both start with the same
        // spread. attn_mul and attn_add keep s = 1 (pq, pk enter times sqrt(s)): scaling the
        // factor of attn_mul to unit RMS made its logits explode as the encoder grew (measured:
        // 62.3% against 75.4% unscaled on the image study); attn_add is untested at other scales.
        const double sd = c.model.init_std;
        const double P = static_cast<double>(s.multi_head ? c.model.d_model
                                                          : c.model.d_model / std::max<int64_t>(1, c.model.n_head));
        const double match = static_cast<double>(c.model.d_model) / (sd * sd * P * static_cast<double>(s.embed_dim));
        s.scalar_scale = official || s.apply != "attn_scalar" ? 1.0 : std::clamp(match, 1.0, 1e4);
    }
    return ResolvedConfig(ResolvedConfig::Token{}, std::move(c));
}

// ---- nested JSON <-> option paths -------------------------------------------------------------

static void put_path(json& root, const std::string& path, const json& value) {
    json* node = &root;
    size_t start = 0;
    while (true) {
        const size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
            (*node)[key] = value;
            return;
        }
        node = &(*node)[key];
        start = dot + 1;
    }
}

static json option_value_json(const OptionValue& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

std::string config_to_json(const RunConfig& c) {
    json root = json::object();
    for (const auto& o : option_table()) put_path(root, o.path, option_value_json(o.get(c)));
    return root.dump(2) + "\n";
}

std::string config_diff_json(const RunConfig& c, const RunConfig& reference) {
    json root = json::object();
    for (const auto& o : option_table()) {
        const auto v = o.get(c);
        if (v != o.get(reference)) put_path(root, o.path, option_value_json(v));
    }
    return root.dump(2) + "\n";
}

// Flattens a nested (or dotted-key) object into option paths; unknown keys become diagnostics.
// Whether `path` names a group of options ("model", "position_encoding.seqpe").
static bool is_option_section(const std::string& path) {
    const std::string prefix = path + ".";
    for (const auto& o : option_table())
        if (o.path.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
}

static std::string json_type_words(const json& v) {
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_array()) return "a list";
    if (v.is_null()) return "null";
    return "a value";
}

static void flatten(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out,
                    std::vector<Diagnostic>& diags) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (find_option(path)) {
            out.emplace_back(path, it.value());
        } else if (it.value().is_object()) {
            flatten(it.value(), path, out, diags);
        } else if (is_option_section(path)) {
            diags.push_back(
                {path, "expected an object (the " + path + " section), got " + json_type_words(it.value())});
        } else {
            // Suggestions cost an edit distance against every option: only for the first few
            // unknown keys (a file of thousands of bad keys must still be answered at once).
            const bool suggest = diags.size() < 20 && path.size() <= 100;
            diags.push_back(
                {quote_for_message(path), "unknown option" + (suggest ? option_suggestion(path) : std::string())});
        }
    }
}

static std::vector<Diagnostic> apply_pairs(const std::vector<std::pair<std::string, json>>& pairs, RunConfig& c,
                                           const std::string& ctx) {
    std::vector<Diagnostic> diags;
    for (const auto& [path, value] : pairs) {
        const OptionInfo* o = find_option(path);
        auto r = option_from_json(*o, value);
        if (auto* d = std::get_if<Diagnostic>(&r)) {
            diags.push_back({ctx + d->path, d->message, d->severity});
            continue;
        }
        o->set(c, std::get<OptionValue>(r));
    }
    return diags;
}

// Problems of the file as text, before JSON: empty, UTF-16, not UTF-8 (with line and column).
static std::optional<Diagnostic> text_problem(const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return Diagnostic{
            "", "the file is empty; write a JSON object of config fields (seqpe options --markdown lists them)"};
    const bool bom16 =
        text.size() >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff'));
    if (bom16 || (text.size() >= 2 && (text[0] == '\0' || text[1] == '\0')))
        return Diagnostic{"", "the file is UTF-16 (or holds NUL bytes); save it as UTF-8"};
    if (const auto bad = find_invalid_utf8(text)) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < *bad; ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
                ++col;
            }
        }
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
        return Diagnostic{"", "not UTF-8 at line " + std::to_string(line) + ", column " + std::to_string(col) +
                                  " (byte " + byte + "); save the file as UTF-8"};
    }
    return std::nullopt;
}

static Diagnostic json_error(const json::exception& e) {
    return Diagnostic{"", "not valid JSON: " + quote_for_message(e.what(), 300)};
}

// The text scan's diagnostics (repeated keys, integers beyond 64 bits) come first; a later one for
// the same path from the option readers would echo the parser's rounded value: it is dropped.
static void drop_shadowed(std::vector<Diagnostic>& diags, size_t scanned) {
    std::vector<Diagnostic> out(diags.begin(), diags.begin() + static_cast<std::ptrdiff_t>(scanned));
    for (size_t i = scanned; i < diags.size(); ++i) {
        bool shadowed = false;
        const std::string& p = diags[i].path;
        for (size_t k = 0; k < scanned; ++k) // the same field, or a list whose element was named
            shadowed |= !p.empty() && (diags[k].path == p || diags[k].path.rfind(p + "[", 0) == 0);
        if (!shadowed) out.push_back(diags[i]);
    }
    diags = std::move(out);
}

std::vector<Diagnostic> config_from_json(const std::string& text, RunConfig& c) {
    if (auto p = text_problem(text)) return {*p};
    std::vector<Diagnostic> diags = json_text_diagnostics(text);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {                 // parse errors, and numbers too large to represent
        if (!diags.empty() && e.id == 406) return diags; // the overflowing number, named as written
        return {json_error(e)};
    }
    if (!j.is_object()) return {Diagnostic{"", "expected a JSON object of config fields"}};
    std::vector<std::pair<std::string, json>> pairs;
    const size_t scanned = diags.size();
    flatten(j, "", pairs, diags);
    auto more = apply_pairs(pairs, c, "");
    diags.insert(diags.end(), more.begin(), more.end());
    drop_shadowed(diags, scanned);
    return diags;
}

std::string config_hash(const ResolvedConfig& c) {
    return sha256_hex(config_to_json(c)).substr(0, 12);
}

// ---- projects ------------------------------------------------------------------------------

fs::path Project::output_path() const {
    const fs::path out(output_dir.empty() ? "runs" : output_dir);
    if (out.is_absolute() || file.empty()) return out;
    return file.parent_path() / out;
}

const ProjectRun* Project::find_run(const std::string& n) const {
    for (const auto& r : runs)
        if (r.name == n) return &r;
    return nullptr;
}

static bool safe_run_name(const std::string& n) {
    if (n.empty() || n.size() > 100 || n == "." || n == "..") return false;
    for (const char ch : n)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) return false;
    return true;
}

static std::vector<std::pair<std::string, std::string>>
to_text_pairs(const std::vector<std::pair<std::string, json>>& pairs) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [p, v] : pairs) out.emplace_back(p, v.dump());
    return out;
}

ProjectLoad parse_project(const std::string& text, const fs::path& file) {
    ProjectLoad res;
    Project& p = res.project;
    p.file = file;
    auto& diags = res.diagnostics;
    if (auto problem = text_problem(text)) {
        diags.push_back(*problem);
        return res;
    }
    const std::vector<Diagnostic> scan = json_text_diagnostics(text);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) { // parse errors, and numbers too large to represent
        if (!scan.empty() && e.id == 406)
            diags = scan; // the overflowing number, named as written
        else
            diags.push_back(json_error(e));
        return res;
    }
    if (!j.is_object()) {
        diags.push_back({"", "expected a JSON object (a project or a run config)"});
        return res;
    }
    diags = scan;
    struct Shadow { // on every return below: drop the readers' echo of a number the scan named
        std::vector<Diagnostic>& d;
        size_t n;
        ~Shadow() { drop_shadowed(d, n); }
    } shadow{diags, scan.size()};
    if (!j.contains("format")) {
        // A plain run config: one run named after the file.
        p.name = file.stem().string();
        std::vector<std::pair<std::string, json>> pairs;
        flatten(j, "", pairs, diags);
        RunConfig probe;
        auto more = apply_pairs(pairs, probe, "");
        diags.insert(diags.end(), more.begin(), more.end());
        p.base = to_text_pairs(pairs);
        std::string rn = p.name;
        for (char& ch : rn)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '_';
        p.runs.push_back({rn.empty() ? "run" : rn, {}});
        return res;
    }
    if (!j["format"].is_string() || j["format"].get<std::string>() != kProjectFormat) {
        diags.push_back({"format", "unsupported project format " + j["format"].dump() + "; this build reads \"" +
                                       kProjectFormat + "\""});
        return res;
    }
    static const std::set<std::string> known = {"format", "name",  "output_dir", "base",       "runs",
                                                "seeds",  "sweep", "max_runs",   "description"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()))
            diags.push_back({it.key(), "unknown project key; known keys: format, name, output_dir, base, runs, seeds, "
                                       "sweep, max_runs"});
    if (j.contains("name")) {
        if (j["name"].is_string())
            p.name = j["name"].get<std::string>();
        else
            diags.push_back({"name", "expected a string"});
    }
    if (p.name.empty()) p.name = file.stem().string();
    if (j.contains("output_dir")) {
        if (j["output_dir"].is_string() && !j["output_dir"].get<std::string>().empty())
            p.output_dir = j["output_dir"].get<std::string>();
        else
            diags.push_back({"output_dir", "expected a non-empty string (a folder relative to the project file)"});
        if (p.output_dir.find('\0') != std::string::npos)
            diags.push_back(
                {"output_dir", "holds a NUL character (\\u0000): the folder would be cut there; remove it"});
    }
    RunConfig base_cfg;
    if (j.contains("base")) {
        if (!j["base"].is_object()) {
            diags.push_back({"base", "expected an object of config fields"});
        } else {
            std::vector<std::pair<std::string, json>> pairs;
            std::vector<Diagnostic> d;
            flatten(j["base"], "", pairs, d);
            auto more = apply_pairs(pairs, base_cfg, "");
            d.insert(d.end(), more.begin(), more.end());
            for (auto& x : d) diags.push_back({"base." + x.path, x.message, x.severity});
            p.base = to_text_pairs(pairs);
        }
    }
    if (!j.contains("runs") || !j["runs"].is_array() || j["runs"].empty()) {
        diags.push_back({"runs", "expected a non-empty list of runs, e.g. [{\"name\": \"seqpe\", \"set\": {}}]"});
        return res;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < j["runs"].size(); ++i) {
        const json& r = j["runs"][i];
        const std::string ctx = "runs[" + std::to_string(i) + "]";
        if (!r.is_object()) {
            diags.push_back({ctx, "expected an object {\"name\": ..., \"set\": {...}}"});
            continue;
        }
        ProjectRun run;
        if (r.contains("name") && r["name"].is_string()) run.name = r["name"].get<std::string>();
        if (!safe_run_name(run.name))
            diags.push_back(
                {ctx + ".name", "run names are 1-100 letters, digits, '-', '_' or '.' (they name folders)"});
        else if (!names.insert(run.name).second)
            diags.push_back({ctx + ".name", "duplicate run name '" + run.name + "'"});
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "name" && it.key() != "set" && it.key() != "description")
                diags.push_back({ctx + "." + it.key(), "unknown run key; a run has a name and a set"});
        if (r.contains("set")) {
            if (!r["set"].is_object()) {
                diags.push_back({ctx + ".set", "expected an object of option paths and values"});
            } else {
                std::vector<std::pair<std::string, json>> pairs;
                std::vector<Diagnostic> d;
                flatten(r["set"], "", pairs, d);
                RunConfig probe = base_cfg;
                auto more = apply_pairs(pairs, probe, "");
                d.insert(d.end(), more.begin(), more.end());
                for (auto& x : d) diags.push_back({ctx + ".set." + x.path, x.message, x.severity});
                run.set = to_text_pairs(pairs);
            }
        }
        p.runs.push_back(std::move(run));
    }
    // Read even when a value above is wrong: the workbench opens such a project for editing, and
    // saving it must keep its seeds and sweep.
    read_project_grid(j, p, diags);
    return res;
}

ProjectLoad load_project(const fs::path& file) {
    std::string text;
    try {
        text = read_file(file);
    } catch (const std::exception& e) {
        ProjectLoad res;
        res.project.file = file;
        res.diagnostics.push_back({"", e.what()});
        return res;
    }
    return parse_project(text, file);
}

std::string project_to_json(const Project& p) {
    json j = json::object();
    j["format"] = kProjectFormat;
    j["name"] = p.name;
    j["output_dir"] = p.output_dir;
    json base = json::object();
    for (const auto& [path, v] : p.base) put_path(base, path, json::parse(v));
    j["base"] = base;
    j["runs"] = json::array();
    for (const auto& r : p.runs) {
        json set = json::object();
        for (const auto& [path, v] : r.set) set[path] = json::parse(v); // dotted keys: easy to diff
        j["runs"].push_back({{"name", r.name}, {"set", set}});
    }
    write_project_grid(p, j);
    return j.dump(2) + "\n";
}

void save_project(const Project& p, const fs::path& file) {
    write_file_atomic(file, project_to_json(p));
}

static std::vector<Diagnostic> apply_text_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                                RunConfig& c) {
    std::vector<Diagnostic> diags;
    for (const auto& [path, text] : pairs) {
        const OptionInfo* o = find_option(path);
        if (!o) {
            diags.push_back({path, "unknown option" + option_suggestion(path)});
            continue;
        }
        json v;
        try {
            v = json::parse(text);
        } catch (const json::exception&) {
            diags.push_back({path, "value is not JSON: " + text});
            continue;
        }
        auto r = option_from_json(*o, v);
        if (auto* d = std::get_if<Diagnostic>(&r))
            diags.push_back(*d);
        else
            o->set(c, std::get<OptionValue>(r));
    }
    return diags;
}

bool opens_for_editing(const ProjectLoad& load) {
    const Project& p = load.project;
    // The pair `path` of `pairs` is there and still fails: the document shows the same error.
    auto still_bad = [](const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& path) {
        for (const auto& pair : pairs)
            if (pair.first == path) {
                RunConfig scratch;
                return has_errors(apply_text_pairs({pair}, scratch));
            }
        return false;
    };
    for (const auto& d : load.diagnostics) {
        if (d.severity != Diagnostic::Severity::Error) continue;
        if (d.path.rfind("base.", 0) == 0 && still_bad(p.base, d.path.substr(5))) continue;
        const size_t set = d.path.find("].set.");
        if (d.path.rfind("runs[", 0) == 0 && set != std::string::npos) {
            const std::string index = d.path.substr(5, set - 5);
            const bool digits = !index.empty() && index.size() < 9 &&
                                std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
            const size_t i = digits ? std::stoul(index) : p.runs.size();
            if (i < p.runs.size() && still_bad(p.runs[i].set, d.path.substr(set + 6))) continue;
        }
        return false;
    }
    return true;
}

std::vector<Diagnostic> project_base_config(const Project& p, RunConfig& out) {
    out = RunConfig{};
    return apply_text_pairs(p.base, out);
}

std::vector<Diagnostic> project_run_config(const Project& p, const ProjectRun& r, RunConfig& out) {
    auto diags = project_base_config(p, out);
    auto more = apply_text_pairs(r.set, out);
    diags.insert(diags.end(), more.begin(), more.end());
    return diags;
}

void resolve_paths(RunConfig& c, const fs::path& project_dir) {
    auto fix = [&](std::string& s) {
        if (s.empty() || project_dir.empty()) return;
        const fs::path path(s);
        if (path.is_absolute()) return;
        s = (project_dir / path).lexically_normal().string();
    };
    fix(c.data.dataset_dir);
    fix(c.train.init_from);
    const auto& src = c.data.source;
    if (src != "auto" && src != "sotu" && src != "fashion-mnist") fix(c.data.source);
}

} // namespace seqpe
