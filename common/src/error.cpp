#include "seqpe/common/error.h"

#include <cerrno>
#include <cstring>

namespace seqpe {

std::string errno_message(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

} // namespace seqpe
