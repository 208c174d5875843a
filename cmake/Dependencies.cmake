# Every third-party dependency, in one place. All come from Debian 12 packages;
# scripts/install-deps.sh installs exactly these (keep the two lists in step).
#   yaml-cpp        libyaml-cpp-dev      0.7.0   catalog and config files
#   nlohmann_json   nlohmann-json3-dev   3.11.2  --json output
#   CLI11           libcli11-dev         2.1.2   command line
#   GTest/GMock     libgtest-dev, libgmock-dev 1.12.1
#   benchmark       libbenchmark-dev     1.7.1
#   GLPK            libglpk-dev          5.0     planner's integer program
#   SQLite3         libsqlite3-dev       3.40    serve's durable store
#   cpp-httplib     libcpp-httplib-dev   0.11.4  serve's HTTP server and the clients
#   Threads         (libc)                       serve, agent loop
#   CURL            libcurl4-openssl-dev 7.88    the Kubernetes API client (src/k8s)
#   Protobuf, gRPC  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
#                                        3.21, 1.51  the kubelet device plugin API (src/k8s)
# Test tools, not found by CMake (their tests skip when missing):
#   promtool        prometheus           2.42    /metrics lint
#   chromium        chromium                     dashboard test
#   wrk             wrk                  4.1.0   bench/serve_load.sh
#   curl            curl                 7.88    bench/serve_*.sh, tests/slurm/dynamic_mig_test.sh
#   python3, PyYAML python3 python3-yaml 3.11, 6.0  tests/k8s (test API server, manifest check)
#   Slurm, MUNGE    slurmctld slurmd slurm-client munge  22.05.8, 0.5.15  tests/slurm
#   python3 gRPC    python3-grpcio python3-protobuf  1.51, 3.21  tests/k8s (the test kubelet)
#   clang, libFuzzer clang libclang-rt-dev 14     the fuzz preset (fuzz/, scripts/fuzz.sh)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
# GLPK ships no CMake config: find it by hand and wrap it as GLPK::glpk.
find_path(GLPK_INCLUDE_DIR glpk.h REQUIRED)
find_library(GLPK_LIBRARY glpk REQUIRED)
add_library(GLPK::glpk UNKNOWN IMPORTED)
set_target_properties(GLPK::glpk PROPERTIES
  IMPORTED_LOCATION ${GLPK_LIBRARY} INTERFACE_INCLUDE_DIRECTORIES ${GLPK_INCLUDE_DIR})
find_package(SQLite3 3.40 REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL 7.77 REQUIRED)  # 7.77: CURLOPT_CAINFO_BLOB for a kubeconfig's inline CA
find_package(Protobuf 3.21 REQUIRED)
find_package(gRPC 1.51 CONFIG REQUIRED)
# cpp-httplib ships no CMake config: find the header and check its version,
# and wrap it as httplib::httplib. Debian's package is the split build: the
# header declares, libcpp-httplib.so defines, compiled with OpenSSL, zlib and
# Brotli support; users must link it and see the same definitions (its
# cpp-httplib.pc), or classes differ between the two sides.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
file(STRINGS ${HTTPLIB_INCLUDE_DIR}/httplib.h HTTPLIB_VERSION_LINE REGEX "define CPPHTTPLIB_VERSION")
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" HTTPLIB_VERSION "${HTTPLIB_VERSION_LINE}")
if(HTTPLIB_VERSION VERSION_LESS 0.11)
  message(FATAL_ERROR "cpp-httplib ${HTTPLIB_VERSION} is too old: 0.11 or newer is needed")
endif()
add_library(httplib::httplib INTERFACE IMPORTED)
set_target_properties(httplib::httplib PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${HTTPLIB_INCLUDE_DIR})
target_link_libraries(httplib::httplib INTERFACE Threads::Threads)
find_library(HTTPLIB_LIBRARY cpp-httplib)
if(HTTPLIB_LIBRARY)
  target_link_libraries(httplib::httplib INTERFACE ${HTTPLIB_LIBRARY})
  target_compile_definitions(httplib::httplib INTERFACE
    CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT CPPHTTPLIB_BROTLI_SUPPORT)
endif()
if(MIGSCHED_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED)
endif()
if(MIGSCHED_BUILD_BENCH)
  find_package(benchmark 1.7 REQUIRED)
endif()
