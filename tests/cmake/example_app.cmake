# The example application as the migration entry point of its C++ data step (README, "Data steps
# in C++"), on a fresh database of the test cluster:
#   1. `retort upgrade` refuses the history's C++ step before running anything, and names the
#      application's migration entry point and the revision before the step
#   2. `retort upgrade <that revision>` applies everything before the step
#   3. a user is added with an address to normalize
#   4. the application applies the step (retort::migrate_to_head with its cpp_steps): the
#      address is normalized
# Arguments: -DRETORT=<retort CLI> -DAPP=<retort_example_app> -DMIGRATIONS=<dir>
#            -DTEST_CLUSTER=<test_cluster> -DCLUSTER_DIR=<dir>
cmake_minimum_required(VERSION 3.25)

function(run name expect_rc)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${name}: exit ${rc}\n${out}${err}")
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "${name}: expected exit ${expect_rc}, got ${rc}")
  endif()
  set(out "${out}${err}" PARENT_SCOPE)
endfunction()

file(GLOB server_bins /usr/lib/postgresql/*/bin)  # Debian's psql is there too, and on PATH
find_program(psql psql HINTS ${server_bins} REQUIRED)
run("createdb" 0 "${TEST_CLUSTER}" createdb "${CLUSTER_DIR}" retort_example_app_step)
string(STRIP "${out}" url)
set(retort "${RETORT}" --migrations "${MIGRATIONS}" --url "${url}")

run("retort upgrade" 1 ${retort} upgrade)
if(NOT out MATCHES "has a C\\+\\+ data step \\(upgrade\\), which only the application runs: run the application's migration entry point"
   OR NOT out MATCHES "`retort upgrade ([0-9a-f]+)` applies the revisions before it")
  message(FATAL_ERROR "retort upgrade: the refusal does not say what to run")
endif()
set(before "${CMAKE_MATCH_1}")
run("psql: nothing ran" 0 "${psql}" -X -At "${url}" -c "SELECT to_regclass('public.users') IS NULL")
if(NOT out MATCHES "^t")
  message(FATAL_ERROR "retort upgrade ran something before refusing")
endif()

run("retort upgrade ${before}" 0 ${retort} upgrade "${before}")
run("psql: a user" 0 "${psql}" -X -At "${url}" -v ON_ERROR_STOP=1
    -c "INSERT INTO users (email, username, role) VALUES (' Ada@Example.COM', 'ada', 'member')")

run("the application migrates" 0 "${APP}" "${url}")
if(NOT out MATCHES "applied [0-9a-f]+")
  message(FATAL_ERROR "the application applied nothing")
endif()
run("psql: the address" 0 "${psql}" -X -At "${url}" -c "SELECT email FROM users")
if(NOT out STREQUAL "ada@example.com\n")
  message(FATAL_ERROR "the C++ data step did not normalize the address: '${out}'")
endif()
run("retort current" 0 ${retort} current)
if(NOT out MATCHES "The database is at head")
  message(FATAL_ERROR "the database is not at head after the application migrated it")
endif()
