# LibTorch as one imported target, seqpe::torch. Debian 12's LibTorch 1.13 (CPU) is found without
# hints; a CUDA LibTorch 2.x is found through -DCMAKE_PREFIX_PATH=/path/to/libtorch.
find_package(Torch REQUIRED)
add_library(seqpe_torch INTERFACE)
add_library(seqpe::torch ALIAS seqpe_torch)
target_link_libraries(seqpe_torch INTERFACE ${TORCH_LIBRARIES})
# TORCH_CXX_FLAGS carries the ABI flag (-D_GLIBCXX_USE_CXX11_ABI=...).
separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(seqpe_torch INTERFACE ${_torch_flags})
message(STATUS "LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}")
