// seqpe data ...: hands over to seqpe-data (SentencePiece must not share a process with LibTorch).
#include "commands.h"

#include "seqpe/common/error.h"
#include "seqpe/dataset.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace seqpe::cli {

int cmd_data(const std::vector<std::string>& args) {
    std::filesystem::path tool;
    try {
        tool = find_data_tool();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seqpe: error: %s\n", e.what());
        return kExitFailed;
    }
    std::vector<std::string> argv_s = {tool.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(tool.c_str(), argv.data());
    std::fprintf(stderr, "seqpe: error: cannot run %s: %s\n", tool.c_str(), std::strerror(errno));
    return kExitFailed;
}

} // namespace seqpe::cli
