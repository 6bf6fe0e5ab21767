# Helpers that give every vgi target the same warnings, sanitizers and layout.

# simdjson's On-Demand parser is compiled for the target CPU: without AVX2, BMI, LZCNT and
# PCLMUL it falls back to scalar code several times slower. x86-64-v3 plus PCLMUL (every x86
# server CPU since ~2015) is the default; `vgi` checks the CPU at start and says so if it lacks
# them. Set VGI_ARCH_FLAGS empty to build for any x86-64 (slower JSON).
set(VGI_ARCH_FLAGS "-march=x86-64-v3;-mpclmul" CACHE STRING "Target CPU flags for all of vgi's code")
add_compile_options(${VGI_ARCH_FLAGS})

set(VGI_WARNINGS -Wall -Wextra -Werror -Wnon-virtual-dtor -Woverloaded-virtual)

if(VGI_SANITIZE)
  add_compile_options(-fsanitize=${VGI_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${VGI_SANITIZE})
  # RapidJSON 1.1.0 (Debian's) does `nullptr + n` on an empty stack: UB that UBSan reports on every
  # write, fixed upstream (Tencent/rapidjson#1724) but never released. Clang can skip that one check
  # in that one header; GCC cannot, so sanitizer builds use clang (test.sh does).
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_compile_options(-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitizer-ignorelist.txt)
  endif()
endif()

if(VGI_FUZZ)
  # Coverage instrumentation for everything; the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# vgi_library(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# A module: public headers in include/, sources in src/. Alias vgi::<name>.
function(vgi_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(vgi_${name} STATIC ${ARG_SOURCES})
  add_library(vgi::${name} ALIAS vgi_${name})
  target_include_directories(vgi_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_options(vgi_${name} PRIVATE ${VGI_WARNINGS})
  target_link_libraries(vgi_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# vgi_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
# One GoogleTest binary; each test case becomes a CTest test (discovered when ctest runs).
function(vgi_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT VGI_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VGI_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE VGI_SHARED_DIR="${VGI_SHARED_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# vgi_benchmark(<name> SOURCES ... [DEPS ...])
function(vgi_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT VGI_BUILD_BENCHMARKS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VGI_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()

# vgi_fuzzer(<name> SOURCES ... [DEPS ...]): a libFuzzer target with ASan+UBSan.
# Its seed corpus is the folder fuzz/corpus/<name> beside the source.
function(vgi_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT VGI_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${VGI_WARNINGS} -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY VGI_FUZZERS ${name})
endfunction()
