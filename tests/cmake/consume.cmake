# The consume_* tests' driver (cmake -P): builds one of the small projects beside this file the
# way a user would, from a fresh copy, and checks each step:
#   1. configure (the project gets Retort by add_subdirectory, FetchContent or find_package)
#   2. as a subproject: neither Retort's example nor its tests are part of the build
#   3. RETORT_MESSAGE=... --target db-revision writes the first migration, with the column
#      that only the models target's compile definition brings (the scan saw the real flags)
#   4. a full build: drift gate, embedded migrations, the application (-Werror)
#   5. --target db-check passes, with the verified history remembered in the build directory
#   6. the application brings a fresh database on the test cluster to head, then finds it there
# A compiler warning in any step fails the test, Retort's own included.
#
# -DCASE=<case directory> -DWORK=<scratch directory> -DGENERATOR=... -DMAKE_PROGRAM=...
# -DCXX_COMPILER=... -DJOBS=<build parallelism> -DTEST_CLUSTER=<test_cluster> -DCLUSTER_DIR=...
# -DDATABASE=<database name>; -DRETORT_SOURCE_ROOT=... (subprojects) or -DPREFIX=... (installed)
# -DSUBPROJECT=ON when Retort is built inside the project. Optional: -DCCACHE=<ccache> and
# -DCCACHE_DIR=<a cache private to the CMake tests>: the project's build compiles through ccache.
cmake_minimum_required(VERSION 3.22...3.25)

foreach(var CASE WORK GENERATOR CXX_COMPILER JOBS TEST_CLUSTER CLUSTER_DIR DATABASE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consume.cmake needs -D${var}=...")
  endif()
endforeach()
get_filename_component(case_name "${CASE}" NAME)
set(src "${WORK}/src")
set(build "${WORK}/build")

# Runs a command; on failure, when the output lacks a pattern of EXPECT, or when it has a
# compiler warning (Retort and the project build with -Wall -Wextra), stops the test with the
# step's name and the whole output. The output is left in `out`.
function(step name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "COMMAND;EXPECT;ENV")
  string(TIMESTAMP start "%s")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${arg_ENV} ${arg_COMMAND}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  string(TIMESTAMP end "%s")
  math(EXPR seconds "${end} - ${start}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${case_name}: ${name}: failed (exit ${rc}) after ${seconds} s:\n${output}")
  endif()
  if(output MATCHES "warning: ")
    message(FATAL_ERROR "${case_name}: ${name}: the build has warnings:\n${output}")
  endif()
  foreach(pattern IN LISTS arg_EXPECT)
    if(NOT output MATCHES "${pattern}")
      message(FATAL_ERROR "${case_name}: ${name}: the output lacks /${pattern}/:\n${output}")
    endif()
  endforeach()
  message(STATUS "${case_name}: ${name}: ok (${seconds} s)")
  set(out "${output}" PARENT_SCOPE)
endfunction()

# A fresh copy, so the test writes its migrations outside the source tree.
file(REMOVE_RECURSE "${WORK}")
file(COPY "${CASE}/" DESTINATION "${src}")
file(COPY "${CMAKE_CURRENT_LIST_DIR}/inventory/" DESTINATION "${src}")

set(configure "${CMAKE_COMMAND}" -S "${src}" -B "${build}" -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
if(MAKE_PROGRAM)
  list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(C_COMPILER)
  list(APPEND configure "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
if(RETORT_SOURCE_ROOT)
  list(APPEND configure "-DRETORT_SOURCE_ROOT=${RETORT_SOURCE_ROOT}")
endif()
if(PREFIX)
  list(APPEND configure "-DCMAKE_PREFIX_PATH=${PREFIX}")
endif()
# The two subproject cases compile the same Retort sources with the same flags: through one cache
# whose paths are relative to the CMake tests' directory (both projects put Retort's build in
# _deps/retort-build), the second build takes the first one's objects. Only these nested builds.
if(CCACHE)
  get_filename_component(ccache_base "${WORK}" DIRECTORY)
  set(ENV{CCACHE_DIR} "${CCACHE_DIR}")
  set(ENV{CCACHE_BASEDIR} "${ccache_base}")
  set(ENV{CCACHE_NOHASHDIR} 1)
  list(APPEND configure "-DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE}" "-DCMAKE_C_COMPILER_LAUNCHER=${CCACHE}")
  execute_process(COMMAND "${CCACHE}" --zero-stats OUTPUT_QUIET ERROR_QUIET)
endif()
step("configure" COMMAND ${configure})

if(SUBPROJECT)
  # Ninja and Make both list every target: neither the example nor Retort's tests may be there.
  step("list the targets" COMMAND "${CMAKE_COMMAND}" --build "${build}" --target help)
  foreach(target retort_example_app db-shop-snapshot unit_tests pg_tests scanner_tests)
    if(out MATCHES "(^|[\n ])${target}[:\n ]")
      message(FATAL_ERROR "${case_name}: Retort as a subproject builds ${target}; only the project's "
                          "own targets and Retort's libraries and tools should be there:\n${out}")
    endif()
  endforeach()
  message(STATUS "${case_name}: Retort's example and tests are not part of the build: ok")
endif()

step("db-revision"
  ENV "RETORT_MESSAGE=initial inventory"
  COMMAND "${CMAKE_COMMAND}" --build "${build}" --parallel ${JOBS} --target db-revision
  EXPECT "CREATE TABLE \"public\".\"items\"" "\"location\" text")
file(GLOB revisions "${src}/migrations/versions/*_initial_inventory.json")
list(LENGTH revisions count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${case_name}: expected one migrations/versions/*_initial_inventory.json, found "
                      "${count}:\n${out}")
endif()
string(REGEX MATCH "/[0-9]+_([0-9a-f]+)_initial_inventory\\.json$" _ "${revisions}")
set(revision "${CMAKE_MATCH_1}")

step("build" COMMAND "${CMAKE_COMMAND}" --build "${build}" --parallel ${JOBS}
     EXPECT "Drift gate" "Embedding the migrations of inventory")
if(CCACHE)
  execute_process(COMMAND "${CCACHE}" --print-stats OUTPUT_VARIABLE stats ERROR_QUIET)
  string(REGEX MATCH "(^|\n)direct_cache_hit\t([0-9]+)" _ "${stats}")
  set(hits "${CMAKE_MATCH_2}")
  string(REGEX MATCH "(^|\n)preprocessed_cache_hit\t([0-9]+)" _ "${stats}")
  math(EXPR hits "${hits} + ${CMAKE_MATCH_2}")
  string(REGEX MATCH "(^|\n)cache_miss\t([0-9]+)" _ "${stats}")
  message(STATUS "${case_name}: ccache: ${hits} hits, ${CMAKE_MATCH_2} misses")
endif()
step("db-check" COMMAND "${CMAKE_COMMAND}" --build "${build}" --target db-check
     EXPECT "OK: 1 revision, one head")
# The checks remember the verified history in the build directory (retort check --cache-dir):
# the drift gate wrote the entry, db-check found it.
file(GLOB_RECURSE cache_entries "${build}/*.check")
list(FILTER cache_entries INCLUDE REGEX "/check-cache/[0-9a-f]+\\.check$")
list(LENGTH cache_entries count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${case_name}: expected one check cache entry in the build directory, found ${count}")
endif()

execute_process(COMMAND "${TEST_CLUSTER}" createdb "${CLUSTER_DIR}" "${DATABASE}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE url ERROR_VARIABLE url OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${case_name}: cannot create the database ${DATABASE}:\n${url}")
endif()
set(app "${build}/inventory")
step("the application migrates a fresh database" COMMAND "${app}" "${url}"
     EXPECT "applied 1 revision" "applied ${revision}" "A-1 at shelf 4")
step("the application finds it at head" COMMAND "${app}" "${url}" EXPECT "applied 0 revision")
