# The one list of warning flags, applied per target by the migsched_* helpers.
# (-Wnull-dereference is left out: at -O2 it fires on libstdc++ internals.)
set(MIGSCHED_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2)
# GCC 12 reports false -Wrestrict errors on `"literal" + std::string` at -O2
# (GCC bug 105651, fixed in GCC 13); silence that one check on GCC 12 only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND MIGSCHED_WARNINGS -Wno-restrict)
endif()
# A precompiled header changes GCC 12's inlining, and the same bug family then
# reports false -Warray-bounds/-Wstringop-overflow errors inside std::string in
# whichever file inlines differently; targets with a precompiled header add these.
set(MIGSCHED_PCH_WARNINGS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  set(MIGSCHED_PCH_WARNINGS -Wno-array-bounds -Wno-stringop-overflow)
endif()
if(MIGSCHED_WERROR)
  list(APPEND MIGSCHED_WARNINGS -Werror)
endif()

set(MIGSCHED_SANITIZER_FLAGS "")
if(MIGSCHED_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MIGSCHED_BUILD_FUZZ needs clang (libFuzzer): use the fuzz preset")
  endif()
  # Every library gets libFuzzer's coverage hooks; only fuzz/ links its main.
  set(MIGSCHED_SANITIZER_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
elseif(MIGSCHED_SANITIZE)
  set(MIGSCHED_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  # Sanitizer instrumentation makes GCC's -Wmaybe-uninitialized fire inside
  # libstdc++ (std::regex, std::function); the sanitizers check this at run time.
  list(APPEND MIGSCHED_WARNINGS -Wno-maybe-uninitialized)
endif()
