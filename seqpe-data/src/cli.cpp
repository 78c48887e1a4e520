// Command-line parsing (CLI11) and the commands text, image, qa, fetch, info and encode.
#include "seqpe/data/cli.h"

#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/version.h"
#include "seqpe/data/fetch.h"
#include "seqpe/data/image.h"
#include "seqpe/data/qa.h"
#include "seqpe/data/text.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <new>
#include <sstream>
#include <unistd.h>

namespace seqpe::data {

namespace {

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

int cmd_text(const TextOptions& o, Reporter& rep) {
    const PrepareResult r = prepare_text(o, rep);
    rep.done(done_fields(r), r.dir.string(), done_summary(r));
    return kExitOk;
}

int cmd_image(const ImageOptions& o, Reporter& rep) {
    const PrepareResult r = prepare_image(o, rep);
    rep.done(done_fields(r), r.dir.string(), done_summary(r));
    return kExitOk;
}

int cmd_qa(const QaOptions& o, Reporter& rep) {
    const PrepareResult r = prepare_qa(o, rep);
    rep.done(done_fields(r), r.dir.string(), done_summary(r));
    return kExitOk;
}

int cmd_fetch(const fs::path& cache_opt, Reporter& rep) {
    const fs::path cache = resolve_cache(cache_opt);
    const FetchResult f = fetch_sotu(cache, rep);
    rep.done({{"dataset", f.dir.string()},
              {"cache_hit", f.cache_hit},
              {"name", kSotuDirName},
              {"kind", "source"},
              {"files", f.files}},
             f.dir.string(),
             std::string(f.cache_hit ? "already present: " : "fetched: ") + std::to_string(f.files) +
                 " State of the Union addresses in " + f.dir.string());
    return kExitOk;
}

std::string info_text(const fs::path& dir, const DatasetManifest& m) {
    std::ostringstream s;
    s << dir.string() << "\n";
    s << "  name:       " << m.name << "  (" << m.kind << ", " << m.format << ")\n";
    s << "  created:    " << m.created << " by seqpe-data " << m.tool_version << " (commit " << m.git_commit << ")\n";
    uint64_t bytes = 0;
    for (const auto& src : m.sources) bytes += src.bytes;
    s << "  source:     " << m.source << " (" << m.sources.size() << " files, " << human_bytes(double(bytes)) << ")\n";
    s << "  recipe:     " << m.recipe_hash << "\n";
    if (m.kind != "image") {
        s << "  tokenizer:  " << m.tokenizer.type << ", vocabulary " << m.tokenizer.vocab_size << ", eos "
          << m.tokenizer.eos_id;
        if (!m.tokenizer.model_file.empty()) s << ", model " << m.tokenizer.model_file;
        s << ", pieces " << m.tokenizer.pieces_file << "; tokens " << m.token_dtype << "\n";
    } else {
        s << "  images:     " << m.image.height << "x" << m.image.width << "x" << m.image.channels << ", "
          << m.image.classes.size() << " classes (";
        for (size_t i = 0; i < m.image.classes.size() && i < 12; ++i) s << (i ? ", " : "") << m.image.classes[i];
        if (m.image.classes.size() > 12) s << ", ...";
        s << "), labels " << m.image.label_dtype << "\n";
        s << "  mean/std:  ";
        for (size_t c = 0; c < m.image.mean.size(); ++c) s << " " << m.image.mean[c] << "/" << m.image.std[c];
        s << "\n";
    }
    if (m.kind == "qa") {
        try {
            const auto x = nlohmann::json::parse(m.extra_json);
            s << "  qa:         task " << x.value("task", std::string("?")) << ", train length "
              << x.value("train_length", 0) << ", test lengths " << x.value("lengths", nlohmann::json::array()).dump()
              << ", depths " << x.value("depths", nlohmann::json::array()).dump() << ", distractors "
              << x.value("distractors", 0) << ", seed " << x.value("seed", uint64_t(0)) << "\n";
            if (x.contains("source_dataset") && x["source_dataset"].is_object())
                s << "  from:       " << x["source_dataset"].value("name", std::string("?")) << " ("
                  << x["source_dataset"].value("recipe_hash", std::string("?")).substr(0, 12) << ")\n";
        } catch (const std::exception&) {
        }
    }
    s << "  split rule: " << m.split_rule << "\n";
    s << "  splits:\n";
    for (const SplitInfo* p : ordered_splits(m)) {
        const SplitInfo& sp = *p;
        s << "    " << sp.name << ": " << sp.count
          << (m.kind == "image" ? " images"
              : m.kind == "qa"  ? " examples"
                                : " tokens");
        if (!sp.docs_file.empty())
            s << ", " << sp.documents << " documents, " << human_bytes(double(sp.source_bytes)) << " of text";
        s << "\n";
    }
    return s.str();
}

int cmd_encode(const fs::path& dir, const std::string& text, Reporter& rep) {
    const std::vector<int64_t> ids = encode_with_dataset(dir, text);
    if (rep.mode() == OutputMode::Json) {
        rep.print_json(nlohmann::ordered_json{{"event", "tokens"}, {"ids", ids}});
    } else {
        std::string line;
        for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
        rep.print_text(line + "\n");
    }
    return kExitOk;
}

int cmd_info(const fs::path& dir, Reporter& rep) {
    const DatasetManifest m = read_manifest(dir);
    if (rep.mode() == OutputMode::Json)
        rep.print_json(nlohmann::ordered_json::parse(manifest_to_json(m)));
    else
        rep.print_text(info_text(dir, m));
    return kExitOk;
}

std::string join_list(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

bool wants_json(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--json") == 0) return true;
    return !::isatty(STDOUT_FILENO);
}

} // namespace

std::unique_ptr<Command> parse_command_line(int argc, const char* const* argv, int& exit_code) {
    CLI::App app{"seqpe-data: prepares dataset folders for SeqPE Workbench (split, tokenise, write "
                 "<cache>/datasets/<name>-<hash>/).\nOutput: JSON lines on stdout with --json or when stdout is "
                 "not a terminal.\nExit codes: 0 ok, 1 failure (I/O, network), 2 bad input, 130 interrupted.",
                 "seqpe-data"};
    app.set_version_flag("--version", std::string("seqpe-data ") + kToolVersion + " (" + kGitCommit + ")");
    app.require_subcommand(1, 1);
    app.fallthrough(false);

    auto text = std::make_shared<TextOptions>();
    auto image = std::make_shared<ImageOptions>();
    auto cache = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto what = std::make_shared<std::string>();
    auto dir = std::make_shared<std::string>();
    const std::string cache_help = "cache root (default $SEQPE_CACHE, else $XDG_CACHE_HOME/seqpe-workbench, else "
                                   "~/.cache/seqpe-workbench)";

    CLI::App* t = app.add_subcommand("text", "prepare a text dataset (language modelling)");
    t->add_option("--source", text->source,
                  "sotu (the State of the Union corpus, fetched once), auto (= sotu), or a folder of UTF-8 .txt "
                  "files, one document each (write ./sotu for a folder named sotu)")
        ->capture_default_str();
    t->add_option("--tokenizer", text->tokenizer, "bpe (SentencePiece, trained on the train split) or byte")
        ->check(CLI::IsMember({"bpe", "byte"}))
        ->capture_default_str();
    t->add_option("--vocab-size", text->vocab_size, "BPE vocabulary size")
        ->check(CLI::Range(kMinVocab, kMaxVocab))
        ->capture_default_str();
    t->add_option("--cache", *cache, cache_help);
    t->add_flag("--force", text->force, "prepare again even when the dataset exists");
    t->add_flag("--json", *json, "JSON lines on stdout");

    CLI::App* im = app.add_subcommand("image", "prepare an image classification dataset");
    im->add_option(
          "--source", image->source,
          "fashion-mnist (Debian package dataset-fashion-mnist), auto (= fashion-mnist), a folder of IDX files "
          "(train/t10k images and labels, .gz or plain) or a folder with one sub-folder of images per class")
        ->capture_default_str();
    im->add_option("--image-size", image->image_size, "resize to N x N pixels; 0 keeps the native size")
        ->check(CLI::Range(0, kMaxImageSize))
        ->capture_default_str();
    im->add_option("--cache", *cache, cache_help);
    im->add_flag("--force", image->force, "prepare again even when the dataset exists");
    im->add_flag("--json", *json, "JSON lines on stdout");

    auto qa = std::make_shared<QaOptions>();
    auto qa_lengths = std::make_shared<std::string>(join_list(qa->lengths));
    auto qa_depths = std::make_shared<std::string>(join_list(qa->depths));
    CLI::App* q = app.add_subcommand(
        "qa", "generate a long-context QA dataset (needle in a haystack, passkey) from a text dataset's documents");
    CLI::Option* q_from = q->add_option("--from", qa->from,
                                        "a prepared text dataset folder (else one is prepared like `seqpe-data text`)");
    CLI::Option* q_src =
        q->add_option("--source", qa->text.source, "as for `seqpe-data text` (without --from)")->capture_default_str();
    CLI::Option* q_tok = q->add_option("--tokenizer", qa->text.tokenizer, "bpe or byte (without --from)")
                             ->check(CLI::IsMember({"bpe", "byte"}))
                             ->capture_default_str();
    CLI::Option* q_voc = q->add_option("--vocab-size", qa->text.vocab_size, "BPE vocabulary size (without --from)")
                             ->check(CLI::Range(kMinVocab, kMaxVocab))
                             ->capture_default_str();
    q_from->excludes(q_src)->excludes(q_tok)->excludes(q_voc);
    q->add_option("--task", qa->task, "niah (multi-key needle in a haystack, 7-digit answers) or passkey (5 digits)")
        ->check(CLI::IsMember({"niah", "passkey"}))
        ->capture_default_str();
    q->add_option("--train-length", qa->train_length, "prompt tokens of the train and valid examples")
        ->capture_default_str();
    q->add_option("--lengths", *qa_lengths,
                  "prompt tokens of the test splits (one test-<L> split each), comma-separated")
        ->capture_default_str();
    q->add_option("--train-examples", qa->train_examples, "train examples")->capture_default_str();
    q->add_option("--valid-examples", qa->valid_examples, "valid examples")->capture_default_str();
    q->add_option("--test-examples", qa->test_examples, "test examples per length and depth")->capture_default_str();
    q->add_option("--depths", *qa_depths, "needle depths of the test splits in percent of the context, comma-separated")
        ->capture_default_str();
    q->add_option("--distractors", qa->distractors, "niah: extra needles with other keys")->capture_default_str();
    q->add_option("--seed", qa->seed, "generator seed")->capture_default_str();
    q->add_option("--cache", *cache, cache_help);
    q->add_flag("--force", qa->force, "generate again even when the dataset exists");
    q->add_flag("--json", *json, "JSON lines on stdout");

    CLI::App* f = app.add_subcommand(
        "fetch", "download a source corpus into <cache>/sources ($SEQPE_SOTU_URL overrides the URL)");
    f->add_option("corpus", *what, "sotu")->required()->check(CLI::IsMember({"sotu"}));
    f->add_option("--cache", *cache, cache_help);
    f->add_flag("--json", *json, "JSON lines on stdout");

    CLI::App* in = app.add_subcommand("info", "summarise a prepared dataset folder (the manifest with --json)");
    in->add_option("dataset-dir", *dir, "a dataset folder holding manifest.json")->required();
    in->add_flag("--json", *json, "print the manifest as one JSON line");

    auto encodeText = std::make_shared<std::string>();
    CLI::App* en = app.add_subcommand("encode", "tokenise a text with a prepared text dataset's tokenizer (token ids; "
                                                "one JSON line with --json)");
    en->add_option("dataset-dir", *dir, "a prepared text dataset folder")->required();
    en->add_option("--text", *encodeText, "the text (UTF-8)")->required();
    en->add_flag("--json", *json, "print {\"event\": \"tokens\", \"ids\": [...]}");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) { // --help, --version
        exit_code = app.exit(e);
        return nullptr;
    } catch (const CLI::ParseError& e) {
        std::string where = "seqpe-data";
        for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
        const std::string msg = one_line(e.what()) + "; see '" + where + " --help'";
        if (wants_json(argc, argv))
            std::cout
                << nlohmann::ordered_json{{"event", "error"}, {"message", msg}, {"exit", int(kExitBadInput)}}.dump()
                << std::endl;
        else
            std::cerr << "seqpe-data: error: " << msg << std::endl;
        exit_code = kExitBadInput;
        return nullptr;
    }

    auto cmd = std::make_unique<Command>();
    cmd->json = *json;
    if (t->parsed()) {
        text->cache = *cache;
        cmd->run = [text](Reporter& rep) { return cmd_text(*text, rep); };
    } else if (im->parsed()) {
        image->cache = *cache;
        cmd->run = [image](Reporter& rep) { return cmd_image(*image, rep); };
    } else if (q->parsed()) {
        qa->cache = *cache;
        cmd->run = [qa, qa_lengths, qa_depths](Reporter& rep) {
            QaOptions o = *qa;
            o.lengths = parse_int_list("--lengths", *qa_lengths);
            o.depths = parse_int_list("--depths", *qa_depths);
            return cmd_qa(o, rep);
        };
    } else if (f->parsed()) {
        cmd->run = [cache](Reporter& rep) { return cmd_fetch(*cache, rep); };
    } else if (en->parsed()) {
        cmd->run = [dir, encodeText](Reporter& rep) { return cmd_encode(*dir, *encodeText, rep); };
    } else {
        cmd->run = [dir](Reporter& rep) { return cmd_info(*dir, rep); };
    }
    exit_code = kExitOk;
    return cmd;
}

int run_command(const Command& cmd, Reporter& rep) {
    try {
        return cmd.run(rep);
    } catch (const InputError& e) {
        rep.error(one_line(e.what()), kExitBadInput);
        return kExitBadInput;
    } catch (const Cancelled&) {
        rep.error("cancelled; nothing was kept", kExitCancelled);
        return kExitCancelled;
    } catch (const RunError& e) {
        rep.error(one_line(e.what()), kExitFailed);
        return kExitFailed;
    } catch (const std::filesystem::filesystem_error& e) {
        rep.error(one_line(e.what()), kExitFailed);
        return kExitFailed;
    } catch (const std::bad_alloc&) {
        rep.error("out of memory; close other programs or use a smaller source", kExitFailed);
        return kExitFailed;
    } catch (const std::exception& e) {
        rep.error(one_line(std::string("internal error: ") + e.what()), kExitFailed);
        return kExitFailed;
    } catch (...) {
        rep.error("internal error (unknown exception)", kExitFailed);
        return kExitFailed;
    }
}

} // namespace seqpe::data
