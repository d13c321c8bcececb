# The scanner_rebuild test (cmake -P): builds the small project in this directory again and
# again, and checks that the scan reruns exactly when a header it read changed, and that the
# snapshot's consumer reruns exactly when the snapshot's bytes changed.
# -DSCAN -DSOURCE -DBINARY -DGENERATOR -DMAKE_PROGRAM -DRUNTIME_INCLUDE
foreach(var SCAN SOURCE BINARY GENERATOR RUNTIME_INCLUDE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_rebuild.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${BINARY}")
file(COPY "${SOURCE}/model.hpp" "${SOURCE}/mixin.hpp" DESTINATION "${BINARY}/src")
set(model "${BINARY}/src/model.hpp")
set(mixin "${BINARY}/src/mixin.hpp")

set(make_program "")
if(MAKE_PROGRAM)
  set(make_program "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}/build" -G "${GENERATOR}" ${make_program}
          "-DSCAN=${SCAN}" "-DMODEL=${model}" "-DRUNTIME_INCLUDE=${RUNTIME_INCLUDE}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the test project failed:\n${out}")
endif()

# Builds; `expected` lists which of SCAN and CONSUMER must run (the others must not).
function(build step)
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}/build"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step}: the build failed:\n${out}")
  endif()
  foreach(command SCAN CONSUMER)
    string(FIND "${out}" "${command}-RAN" at)
    list(FIND ARGN ${command} wanted)
    if(wanted GREATER -1 AND at EQUAL -1)
      message(FATAL_ERROR "${step}: expected the ${command} command to run:\n${out}")
    elseif(wanted EQUAL -1 AND at GREATER -1)
      message(FATAL_ERROR "${step}: the ${command} command ran, and should not have:\n${out}")
    endif()
  endforeach()
  message(STATUS "${step}: ok")
endfunction()

# File times must move past the last build's.
function(later)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E sleep 1.1)
endfunction()

build("first build" SCAN CONSUMER)
build("no change")

# Ninja's restat keeps the consumer still when the scan rewrote nothing; Make has no
# equivalent, so there the scan keeps rerunning after a touch (still without rewriting).
if(GENERATOR MATCHES "Ninja")
  later()
  file(TOUCH "${mixin}")
  build("mixin touched, same bytes" SCAN)
  build("no change after the touch")
endif()

later()
file(APPEND "${mixin}" "struct Unused { std::int32_t x; };\n")
build("mixin changed, snapshot the same" SCAN)
if(GENERATOR MATCHES "Ninja")
  build("no change after the mixin edit")
endif()

later()
file(READ "${mixin}" text)
string(REPLACE "std::int32_t version;" "std::int32_t version;\n  std::int32_t revision;" text "${text}")
file(WRITE "${mixin}" "${text}")
build("a column added through the mixin" SCAN CONSUMER)
build("no change after the new column")
file(READ "${BINARY}/build/schema.json" snapshot)
if(NOT snapshot MATCHES "\"revision\"")
  message(FATAL_ERROR "the new column is not in the snapshot:\n${snapshot}")
endif()
