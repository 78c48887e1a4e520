# Tool version and git commit, recorded in manifests and run directories.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE SEQPE_GIT_COMMIT
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT SEQPE_GIT_COMMIT)
  set(SEQPE_GIT_COMMIT "unknown")
endif()
configure_file(${CMAKE_SOURCE_DIR}/common/version.h.in
  ${CMAKE_BINARY_DIR}/generated/seqpe/common/version.h @ONLY)
