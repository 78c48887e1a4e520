# Warnings, sanitizers and ccache for every target of the project.
find_program(SEQPE_CCACHE ccache)
if(SEQPE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # PCH and ccache need these sloppiness flags to get cache hits.
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime ${SEQPE_CCACHE})
endif()

add_library(seqpe_warnings INTERFACE)
target_compile_options(seqpe_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
# GCC 12 warns inside libstdc++'s inlined `"literal" + std::string` at -O2 (-Wrestrict,
# -Wstringop-overflow: GCC bugs 105329 and 105651, false positives fixed in GCC 13).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(seqpe_warnings INTERFACE -Wno-restrict -Wno-stringop-overflow)
endif()
if(SEQPE_WARNINGS_AS_ERRORS)
  target_compile_options(seqpe_warnings INTERFACE -Werror)
endif()

# Qt's `slots` keyword breaks torch headers (pytorch#19405): the whole tree writes Q_SLOTS etc.
add_compile_definitions(QT_NO_KEYWORDS)

if(SEQPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SEQPE_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage instrumentation for every library the fuzz targets link; ASan + UBSan catch the bugs.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(SEQPE_SANITIZE)
  string(REPLACE ";" "," _san "${SEQPE_SANITIZE}")
  add_compile_options(-fsanitize=${_san} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_san})
  if(_san MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
