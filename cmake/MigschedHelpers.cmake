# migsched_library(NAME SRCS ... DEPS ...) makes target migsched_<NAME> with alias
# migsched::<NAME>; migsched_test(NAME SRCS ... DEPS ... [LABEL l]) makes a GoogleTest
# binary registered with ctest. Both apply the project warnings and sanitizer flags.

function(migsched_apply_flags target)
  target_compile_options(${target} PRIVATE ${MIGSCHED_WARNINGS} ${MIGSCHED_SANITIZER_FLAGS})
  target_link_options(${target} PRIVATE ${MIGSCHED_SANITIZER_FLAGS})
endfunction()

# Headers are included by module ("plan/planner.h"), but src/ itself is on no
# include path: each module has its own root, <build>/include/<module>, holding
# one link <module> -> src/<module>, and a target sees the roots of the
# modules it links (directly or through their PUBLIC dependencies). So the
# compiler, not habit, enforces the layering: a file that includes a module
# its target does not depend on fails to build. Sets `out` to the root of the
# module of the calling CMakeLists.txt (the first folder under src/).
function(migsched_module_root out)
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  string(REGEX REPLACE "/.*" "" module "${relative}")
  set(root ${PROJECT_BINARY_DIR}/include/${module})
  if(NOT EXISTS ${root}/${module})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${module} ${root}/${module} SYMBOLIC)
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()

function(migsched_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(migsched_${name} STATIC ${ARG_SRCS})
  add_library(migsched::${name} ALIAS migsched_${name})
  migsched_module_root(root)
  target_include_directories(migsched_${name} PUBLIC ${root})
  target_link_libraries(migsched_${name} PUBLIC ${ARG_DEPS})
  migsched_apply_flags(migsched_${name})
endfunction()

function(migsched_test name)
  if(NOT MIGSCHED_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "LABEL" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  migsched_apply_flags(${name})
  # GoogleTest's headers cost each test file ~3 s of compile time: parse them once per binary.
  target_precompile_headers(${name} PRIVATE <gmock/gmock.h> <gtest/gtest.h>)
  target_compile_options(${name} PRIVATE ${MIGSCHED_PCH_WARNINGS})
  # Integration tests (real processes) are the long ones: ctest starts them first so
  # they overlap the many short unit tests instead of ending the run alone.
  set(cost 0)
  if(ARG_LABEL STREQUAL "integration")
    set(cost 10)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS ${ARG_LABEL} COST ${cost}
    DISCOVERY_TIMEOUT 60)
endfunction()
