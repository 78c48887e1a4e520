# seqpe_add_gtest(NAME <target> SOURCES <files..> LIBS <libs..> LABELS <unit|slow|gui..> [TIMEOUT s] [ENV k=v..])
# One GoogleTest executable per layer; tests are discovered at test time (not build time), labelled,
# and get SEQPE_TEST_DATA (tests/fixtures) and, for gui, the offscreen platform.
include(GoogleTest)
find_package(GTest REQUIRED)

function(seqpe_add_gtest)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  if(T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "seqpe_add_gtest: unparsed arguments ${T_UNPARSED_ARGUMENTS}")
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main seqpe_warnings)
  target_compile_definitions(${T_NAME} PRIVATE
    SEQPE_SOURCE_DIR="${CMAKE_SOURCE_DIR}" SEQPE_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set(_env "SEQPE_TEST_DATA=${CMAKE_SOURCE_DIR}/tests/fixtures" ${T_ENV})
  if("gui" IN_LIST T_LABELS)
    list(APPEND _env "QT_QPA_PLATFORM=offscreen")
  endif()
  gtest_discover_tests(${T_NAME}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${_env}")
endfunction()
