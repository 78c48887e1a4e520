# ctest cuda_preset_builds: configures the `cuda` preset against a CUDA LibTorch and builds the
# engine and the CLI, then checks that the CUDA-only code was compiled (SEQPE_WITH_CUDA). Without
# a CUDA LibTorch on this machine it prints SKIPPED (ctest reports the test as skipped).
#   cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch build dir> -P cuda_preset.cmake
set(candidates "$ENV{LIBTORCH}" "/opt/libtorch")
set(libtorch "")
foreach(c IN LISTS candidates)
  if(c AND EXISTS "${c}/share/cmake/Torch/TorchConfig.cmake" AND EXISTS "${c}/lib/libc10_cuda.so")
    set(libtorch "${c}")
    break()
  endif()
endforeach()
if(NOT libtorch)
  message("SKIPPED: no CUDA LibTorch found (looked at $LIBTORCH='$ENV{LIBTORCH}' and /opt/libtorch for "
          "share/cmake/Torch/TorchConfig.cmake and lib/libc10_cuda.so); set LIBTORCH to an unpacked CUDA "
          "LibTorch 2.x to run this test")
  return()
endif()
message(STATUS "CUDA LibTorch: ${libtorch}")
set(ENV{LIBTORCH} "${libtorch}")
execute_process(COMMAND "${CMAKE_COMMAND}" --preset cuda -B "${WORK_DIR}" -DSEQPE_BUILD_TESTS=OFF
                WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the cuda preset failed (${rc})")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WORK_DIR}" --target seqpe RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the cuda preset failed (${rc})")
endif()
file(READ "${WORK_DIR}/compile_commands.json" commands)
string(FIND "${commands}" "SEQPE_WITH_CUDA" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the cuda preset built without SEQPE_WITH_CUDA: the CUDA code was not compiled")
endif()
message(STATUS "the cuda preset built seqpe with SEQPE_WITH_CUDA")
