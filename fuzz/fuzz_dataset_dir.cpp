// A whole dataset directory: the input is split into a manifest, one split's data file, its
// document index and a pieces file; read_manifest must validate sizes before anything trusts them.
#include "seqpe/common/error.h"
#include "seqpe/common/files.h"
#include "seqpe/common/manifest.h"
#include "seqpe/common/text.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("seqpe-fuzz-ds-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    // Parts separated by the byte sequence "\n--8<--\n".
    const std::string in(reinterpret_cast<const char*>(data), size);
    const std::string sep = "\n--8<--\n";
    std::vector<std::string> parts;
    size_t pos = 0;
    while (parts.size() < 4) {
        const size_t next = in.find(sep, pos);
        parts.push_back(in.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        if (next == std::string::npos) break;
        pos = next + sep.size();
    }
    parts.resize(4);
    const char* names[4] = {"manifest.json", "train.tokens", "train.docs", "pieces.txt"};
    for (int i = 0; i < 4; ++i) seqpe::write_file_atomic(dir / names[i], parts[static_cast<size_t>(i)]);
    try {
        const auto m = seqpe::read_manifest(dir);
        if (!m.tokenizer.pieces_file.empty() && m.tokenizer.pieces_file.find('/') == std::string::npos) {
            const auto v = seqpe::Vocabulary::load(dir / m.tokenizer.pieces_file);
            (void)v.decode({0, 1, 2, 1000000, -5});
        }
    } catch (const seqpe::InputError&) {
    } catch (const seqpe::RunError&) {
    }
    (void)seqpe::find_invalid_utf8(parts[3]);
    (void)seqpe::split_sentences(parts[3], 64);
    return 0;
}
