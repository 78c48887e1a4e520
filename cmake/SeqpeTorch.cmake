# LibTorch as one imported target, seqpe::torch. Debian 12's LibTorch 1.13 (CPU) is found without
# hints; a CUDA LibTorch 2.x is found through -DCMAKE_PREFIX_PATH=/path/to/libtorch (the `cuda`
# preset of CMakePresets.json takes it from $LIBTORCH).
find_package(Torch REQUIRED)
add_library(seqpe_torch INTERFACE)
add_library(seqpe::torch ALIAS seqpe_torch)
target_link_libraries(seqpe_torch INTERFACE ${TORCH_LIBRARIES})
# TORCH_CXX_FLAGS carries the ABI flag (-D_GLIBCXX_USE_CXX11_ABI=...).
separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(seqpe_torch INTERFACE ${_torch_flags})

# CUDA: a LibTorch built with CUDA ships c10_cuda (TorchConfig adds it to TORCH_CUDA_LIBRARIES).
# SEQPE_WITH_CUDA enables the code that needs its headers (GPU memory statistics, NCCL).
set(SEQPE_WITH_CUDA OFF)
find_library(SEQPE_C10_CUDA_LIBRARY c10_cuda PATHS "${TORCH_INSTALL_PREFIX}/lib" NO_DEFAULT_PATH)
if(TORCH_CUDA_LIBRARIES OR TARGET c10_cuda OR SEQPE_C10_CUDA_LIBRARY)
  set(SEQPE_WITH_CUDA ON)
  target_compile_definitions(seqpe_torch INTERFACE SEQPE_WITH_CUDA=1)
  if(SEQPE_C10_CUDA_LIBRARY)
    target_link_libraries(seqpe_torch INTERFACE ${SEQPE_C10_CUDA_LIBRARY})
  endif()
endif()

option(SEQPE_REQUIRE_CUDA "Fail unless the LibTorch found has CUDA (the cuda preset sets it)" OFF)
if(SEQPE_REQUIRE_CUDA AND NOT SEQPE_WITH_CUDA)
  message(FATAL_ERROR "SEQPE_REQUIRE_CUDA: the LibTorch at ${TORCH_INSTALL_PREFIX} has no CUDA; point LIBTORCH "
                      "(or CMAKE_PREFIX_PATH) at a CUDA LibTorch 2.x")
endif()
if(SEQPE_WITH_CUDA)
  # The toolkit TorchConfig located (nvcc, cudart); CMAKE_CUDA_ARCHITECTURES (the preset: 90, or
  # `native` on a machine with the GPU) applies to any .cu code and to LibTorch's own arch flags.
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
  endif()
endif()

# Data parallelism (c10d): TorchConfig defines USE_DISTRIBUTED / USE_C10D_GLOO when the LibTorch
# has them; ProcessGroupGloo.hpp includes the Gloo headers (Debian: libgloo-dev; a LibTorch
# archive ships them under include/). NCCL also needs nccl.h (the CUDA toolkit, NCCL_HOME or the
# nvidia-nccl package).
find_path(SEQPE_GLOO_INCLUDE_DIR gloo/config.h HINTS ${TORCH_INCLUDE_DIRS} "${TORCH_INSTALL_PREFIX}/include")
set(SEQPE_WITH_C10D OFF)
if(SEQPE_GLOO_INCLUDE_DIR AND EXISTS "${SEQPE_GLOO_INCLUDE_DIR}/gloo/config.h")
  set(SEQPE_WITH_C10D ON)
  target_compile_definitions(seqpe_torch INTERFACE SEQPE_WITH_C10D=1)
  target_include_directories(seqpe_torch SYSTEM INTERFACE ${SEQPE_GLOO_INCLUDE_DIR})
else()
  message(WARNING "Gloo headers not found (gloo/config.h; on Debian: apt install libgloo-dev): "
                  "`seqpe train --distributed` is disabled in this build")
endif()
set(SEQPE_WITH_NCCL OFF)
if(SEQPE_WITH_CUDA AND SEQPE_WITH_C10D)
  find_path(SEQPE_NCCL_INCLUDE_DIR nccl.h
            HINTS ${TORCH_INCLUDE_DIRS} ${CUDAToolkit_INCLUDE_DIRS} ${CUDA_INCLUDE_DIRS} ENV NCCL_HOME
            PATH_SUFFIXES include)
  if(SEQPE_NCCL_INCLUDE_DIR AND EXISTS "${TORCH_INSTALL_PREFIX}/include/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp")
    set(SEQPE_WITH_NCCL ON)
    target_compile_definitions(seqpe_torch INTERFACE SEQPE_WITH_NCCL=1 USE_C10D_NCCL)
    target_include_directories(seqpe_torch SYSTEM INTERFACE ${SEQPE_NCCL_INCLUDE_DIR})
  else()
    message(STATUS "nccl.h not found: distributed CUDA runs average gradients over Gloo (set NCCL_HOME)")
  endif()
endif()
message(STATUS "LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX} (CUDA ${SEQPE_WITH_CUDA}, c10d ${SEQPE_WITH_C10D}, "
               "NCCL ${SEQPE_WITH_NCCL})")
