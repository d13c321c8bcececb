# The stairway case (cmake -P): retort_add_schema(... STAIRWAY_TEST) as a user gets it from an
# installed Retort, on throwaway databases of a dev cluster (the test cluster here):
#   1. a two-revision history (written by `retort revision` from two snapshots): the CTest test
#      db-stairway passes, walking each revision up, down and up
#   2. a hand-written revision whose downgrade leaves a table: db-stairway fails naming it
#   3. without enable_testing(): the configure says the test is missing, and there is none
#   4. an older CMake than 3.22 including the module gets a clear error
# -DCASE=<this directory> -DWORK=<scratch> -DPREFIX=<installed Retort> -DLIBDIR=<its lib dir> -DCLUSTER_DIR=<test cluster>
# -DGENERATOR=... -DMAKE_PROGRAM=... -DCXX_COMPILER=...
cmake_minimum_required(VERSION 3.22...3.25)

foreach(var CASE WORK PREFIX LIBDIR CLUSTER_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake needs -D${var}=...")
  endif()
endforeach()

# Runs a command; stops the test unless it exits with EXIT (default 0) and its output matches
# every EXPECT and none of LACK. The output is left in `out`.
function(step name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "EXIT" "COMMAND;EXPECT;LACK")
  if(NOT DEFINED arg_EXIT)
    set(arg_EXIT 0)
  endif()
  execute_process(COMMAND ${arg_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(arg_EXIT STREQUAL "nonzero")
    if(rc EQUAL 0)
      message(FATAL_ERROR "stairway: ${name}: succeeded, and should have failed:\n${output}")
    endif()
  elseif(NOT rc EQUAL arg_EXIT)
    message(FATAL_ERROR "stairway: ${name}: exit ${rc}, expected ${arg_EXIT}:\n${output}")
  endif()
  foreach(pattern IN LISTS arg_EXPECT)
    if(NOT output MATCHES "${pattern}")
      message(FATAL_ERROR "stairway: ${name}: the output lacks /${pattern}/:\n${output}")
    endif()
  endforeach()
  foreach(pattern IN LISTS arg_LACK)
    if(output MATCHES "${pattern}")
      message(FATAL_ERROR "stairway: ${name}: the output has /${pattern}/:\n${output}")
    endif()
  endforeach()
  message(STATUS "stairway: ${name}: ok")
  set(out "${output}" PARENT_SCOPE)
endfunction()

set(src "${WORK}/src")
set(versions "${src}/migrations/versions")
set(retort "${PREFIX}/bin/retort" --migrations "${versions}")
file(REMOVE_RECURSE "${WORK}")
file(COPY "${CASE}/project/" DESTINATION "${src}")
file(MAKE_DIRECTORY "${versions}")

step("history: two revisions from two snapshots"
  COMMAND ${retort} revision --snapshot "${CASE}/users.json" -m "users")
step("history: the second" COMMAND ${retort} revision --snapshot "${CASE}/users_and_tags.json" -m "tags")
step("history: its head" COMMAND ${retort} heads)
string(REGEX MATCH "^[0-9a-f]+" HEAD "${out}")

set(configure "${CMAKE_COMMAND}" -S "${src}" -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${PREFIX}"
              "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DAPP_DEVDB_DIR=${CLUSTER_DIR}")
if(MAKE_PROGRAM)
  list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
step("configure with STAIRWAY_TEST" COMMAND ${configure} -B "${WORK}/build" LACK "enable_testing")
step("ctest -R db-stairway passes"
  COMMAND "${CMAKE_COMMAND}" -E env --unset=DATABASE_URL
          ctest --test-dir "${WORK}/build" -R "^db-stairway$" --output-on-failure -V
  EXPECT "up, down, up" "OK: 2 revisions walked up, down and up again" "100% tests passed")

configure_file("${CASE}/broken.json.in" "${versions}/20300101000000_b0b0b0b0b0b0_audit_log.json" @ONLY)
step("the hand-written revision recorded in retort.sum" COMMAND ${retort} rehash)
step("ctest -R db-stairway fails on the downgrade that leaves a table" EXIT nonzero
  COMMAND "${CMAKE_COMMAND}" -E env --unset=DATABASE_URL
          ctest --test-dir "${WORK}/build" -R "^db-stairway$" --output-on-failure
  EXPECT "revision b0b0b0b0b0b0 \\([^)]*_audit_log\\.json\\): its downgrade does not restore the schema"
         "drop table public\\.audit_log" "0% tests passed")

step("configure without enable_testing(): the module says so"
  COMMAND ${configure} -B "${WORK}/build-no-testing" -DWITH_TESTING=OFF
  EXPECT "STAIRWAY_TEST: CTest tests are off" "Call enable_testing\\(\\)")
step("and there is no test" COMMAND ctest --test-dir "${WORK}/build-no-testing" -N EXPECT "Total Tests: 0")

step("CMake older than 3.22: a clear error" EXIT nonzero
  COMMAND "${CMAKE_COMMAND}" "-DMODULE=${PREFIX}/${LIBDIR}/cmake/Retort/RetortSchema.cmake" -P "${CASE}/floor.cmake"
  EXPECT "Retort needs CMake 3.22 or newer; this is CMake 3.21.6")
