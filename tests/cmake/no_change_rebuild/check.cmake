# The no_change_rebuild test's driver (cmake -P), Ninja only: builds the project in this
# directory (with an installed Retort) again and again, and checks that retort_add_schema's
# commands run exactly when their declared inputs changed:
#   - a second build does nothing (`ninja: no work to do`, and `ninja -n -d explain` finds no
#     edge to rerun);
#   - touching a source unrelated to the models recompiles it alone: no scan, no drift gate,
#     no embedding;
#   - touching a model header reruns the scan; its snapshot's bytes do not change, so neither
#     the drift gate nor the embedding reruns (Ninja's restat);
#   - a new revision (a file added to migrations/versions) reruns the replay, the scan, the
#     gate and the embedding, without re-running CMake (the depfiles name the directory);
#   - touching a migration file reruns what reads it (the depfiles name each file).
# After each change, the next build does nothing again.
# -DCASE=<this directory> -DWORK=<scratch directory> -DPREFIX=<Retort's install prefix>
# -DMAKE_PROGRAM=<ninja> -DCXX_COMPILER=...
cmake_minimum_required(VERSION 3.22...3.25)

foreach(var CASE WORK PREFIX MAKE_PROGRAM CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake needs -D${var}=...")
  endif()
endforeach()
set(src "${WORK}/src")
set(build "${WORK}/build")

# The commands' COMMENTs and the object files are what the build output names.
set(scan "Scanning the models of notes")
set(gate "Drift gate")
set(embed "Embedding the migrations")
set(replay "Replaying the migrations")
set(cmake_rerun "Re-running CMake|Re-checking globbed")
set(unrelated_o "unrelated\\.cpp\\.o")
set(main_o "main\\.cpp\\.o")

function(run name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "COMMAND;ENV")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${arg_ENV} ${arg_COMMAND}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: failed (exit ${rc}):\n${output}")
  endif()
  set(out "${output}" PARENT_SCOPE)
endfunction()

# Builds; every pattern of RUNS must appear in the output, none of SKIPS.
function(build name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "RUNS;SKIPS")
  run("${name}" COMMAND "${CMAKE_COMMAND}" --build "${build}")
  foreach(pattern IN LISTS arg_RUNS)
    if(NOT out MATCHES "${pattern}")
      message(FATAL_ERROR "${name}: expected /${pattern}/ to run:\n${out}")
    endif()
  endforeach()
  foreach(pattern IN LISTS arg_SKIPS)
    if(out MATCHES "${pattern}")
      message(FATAL_ERROR "${name}: /${pattern}/ ran, and should not have:\n${out}")
    endif()
  endforeach()
  message(STATUS "${name}: ok")
  set(out "${out}" PARENT_SCOPE)
endfunction()

# Nothing to do, by Ninja's own account: no output edge is dirty.
function(nothing_to_do name)
  build("${name}" RUNS "ninja: no work to do" SKIPS "${replay}" "${scan}" "${gate}" "${embed}" "${cmake_rerun}"
                                                "Building" "Linking")
  run("${name} (ninja -n -d explain)" COMMAND "${MAKE_PROGRAM}" -C "${build}" -n -d explain)
  if(out MATCHES "ninja explain:" OR NOT out MATCHES "ninja: no work to do")
    message(FATAL_ERROR "${name}: ninja still finds work:\n${out}")
  endif()
endfunction()

# File times must move past the last build's.
function(later)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(COPY "${CASE}/" DESTINATION "${src}")
file(REMOVE "${src}/check.cmake")
run("configure" COMMAND "${CMAKE_COMMAND}" -S "${src}" -B "${build}" -G Ninja "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_PREFIX_PATH=${PREFIX}")
run("db-revision" ENV RETORT_MESSAGE=notes COMMAND "${CMAKE_COMMAND}" --build "${build}" --target db-revision)

build("first build" RUNS "${gate}" "${embed}" "${main_o}" "${unrelated_o}" SKIPS "${cmake_rerun}")
nothing_to_do("second build, nothing changed")

later()
file(TOUCH "${src}/unrelated.cpp")
build("unrelated.cpp touched" RUNS "${unrelated_o}" SKIPS "${replay}" "${scan}" "${gate}" "${embed}" "${main_o}")
nothing_to_do("no change after the touch")

later()
file(TOUCH "${src}/models/notes.hpp")
build("model header touched, same snapshot" RUNS "${scan}" SKIPS "${replay}" "${gate}" "${embed}" "${unrelated_o}")
nothing_to_do("no change after the model touch")

later()
file(READ "${src}/models/notes.hpp" text)
string(REPLACE "std::string body;" "std::string body;\n  std::optional<std::string> title;" text "${text}")
string(REPLACE "#include <string>" "#include <optional>\n#include <string>" text "${text}")
file(WRITE "${src}/models/notes.hpp" "${text}")
run("db-revision after a new column" ENV "RETORT_MESSAGE=add title"
    COMMAND "${CMAKE_COMMAND}" --build "${build}" --target db-revision)
file(GLOB revisions "${src}/migrations/versions/*.json")
list(LENGTH revisions count)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "db-revision after a new column: expected 2 migration files, found ${count}:\n${out}")
endif()
build("a new revision" RUNS "${replay}" "${scan}" "${gate}" "${embed}" "${main_o}" SKIPS "${cmake_rerun}" "${unrelated_o}")
nothing_to_do("no change after the new revision")

later()
list(GET revisions 0 first_revision)
file(TOUCH "${first_revision}")
build("a migration file touched" RUNS "${replay}" "${gate}" "${embed}" SKIPS "${cmake_rerun}" "${unrelated_o}")
nothing_to_do("no change after the migration touch")
