// errno_message (seqpe/common/error.h): a message with strerror(errno) appended.
#include "seqpe/common/error.h"

#include <cerrno>
#include <cstring>

namespace seqpe {

std::string errno_message(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

} // namespace seqpe
