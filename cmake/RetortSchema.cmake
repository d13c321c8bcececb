#[=======================================================================[.rst:
RetortSchema
------------

Retort's CMake module: one function that turns annotated C++ model headers into a schema
snapshot at build time and gives the project its migration targets.

It is available, with the same behaviour, after any of::

  add_subdirectory(path/to/retort)                          # or FetchContent_MakeAvailable(retort)
  find_package(Retort CONFIG REQUIRED)                      # after cmake --install of Retort

.. command:: retort_add_schema

  ::

    retort_add_schema(<name>
      HEADERS <header>...
      [SQL_OBJECTS <file.sql>...]
      [MODELS <target>]
      [MIGRATIONS <dir>]
      [DATABASE_URL <url>]
      [FLEET <file>]
      [DEVDB_DIR <dir>]
      [TARGET_PREFIX <prefix>]
      [SAFETY safe|plain]
      [LOCK_TIMEOUT <ms>]
      [STATEMENT_TIMEOUT <ms>]
      [CHECK_ON_BUILD]
      [STAIRWAY_TEST]
      [EMBED_INTO <target>...])

  * ``<name>``: the schema's name (a C identifier); it names the generated files.
  * ``HEADERS``: the model headers to scan (required). Relative paths are taken from the
    current source directory.
  * ``SQL_OBJECTS``: files of functions, procedures and triggers, one ``CREATE FUNCTION``,
    ``CREATE PROCEDURE`` or ``CREATE TRIGGER`` statement a file, added to the snapshot and
    diffed by their normalized text (relative paths from the current source directory; a
    ``file(GLOB ... CONFIGURE_DEPENDS sql/*.sql)`` list sees new files). Editing one reruns the scan.
  * ``MODELS``: a target whose include directories and compile definitions the scan uses,
    exactly as the compiler sees them, including those of the targets it links (usually the
    library the headers belong to). ``<retort/model.hpp>`` is always found.
  * ``MIGRATIONS``: the migration files' directory; default
    ``${CMAKE_CURRENT_SOURCE_DIR}/migrations/versions``.
  * ``DATABASE_URL``: the database the db-upgrade family uses; default: ``$DATABASE_URL`` at
    build time, else the local dev database.
  * ``FLEET``: a fleet file (``retort.fleet.json``: many databases or tenant schemas migrated
    from this history); adds ``<p>-fleet-upgrade``, ``<p>-fleet-current``,
    ``<p>-fleet-history`` and ``<p>-fleet-verify``. Relative paths are taken from the current
    source directory.
  * ``DEVDB_DIR``: where the local dev database lives; default
    ``${CMAKE_BINARY_DIR}/retort-devdb``. The project's first schema records it in
    ``${CMAKE_SOURCE_DIR}/.retort/devdb-dir`` (with a ``.gitignore`` of ``*`` beside it), where the
    ``retort`` CLI run by hand from the project root finds it: targets and CLI use one cluster
    (with several build trees, the one configured last).
  * ``TARGET_PREFIX``: the targets' prefix; default ``db`` for a project's first schema and
    ``db-<name>`` for the others.
  * ``SAFETY``: the plans for tables that may hold rows, ``safe`` (the default: indexes built
    concurrently, constraints added NOT VALID then validated, ...) or ``plain``.
  * ``LOCK_TIMEOUT``, ``STATEMENT_TIMEOUT``: milliseconds a migration statement may wait for a
    lock (default 5000; a transaction that times out is retried) or run (default: no limit).
  * ``CHECK_ON_BUILD``: the drift gate. A plain build fails when the models and the migrations
    disagree (or the history has several heads), printing each difference at its model
    declaration, the SQL and the command that fixes them; it reruns only when the snapshot or
    a migration file changed.
  * ``STAIRWAY_TEST``: a CTest test ``<p>-stairway`` (labels ``retort``, ``postgres``) that
    runs ``retort stairway``: on a throwaway database created and dropped beside the project's
    database (the local dev database by default), every revision is applied, undone and
    applied again, and each downgrade must leave the schema PostgreSQL reports exactly as it
    was before its upgrade. CTest tests need ``enable_testing()`` (or ``include(CTest)``) in
    the directory; without it the module says so at configure time.
  * ``EMBED_INTO``: targets that get the migrations compiled in (and link ``Retort::pg``); they
    call ``retort::migrate_to_head(conn, retort::embedded::<name>())`` from
    ``<retort_<name>_migrations.hpp>``.

  Targets (``<p>`` is the prefix), each a call of the ``retort`` CLI:

  * ``<p>-snapshot``: the scan, rerun only when a header it read changed; its
    ``RETORT_SNAPSHOT`` property is the snapshot's path, its ``RETORT_LOCATIONS`` property the
    path of the locations file written beside it (where each table, column and enum type is
    declared; the checks below pass it to ``retort check --locations``).
  * ``<p>-revision``: writes the next migration; message from ``$RETORT_MESSAGE``, else named
    from its operations.
  * ``<p>-revision-empty``: writes a data step revision (``retort revision --empty``): a
    skeleton ``sql`` step with ``up`` and ``down`` to fill in, no models compared; message from
    ``$RETORT_MESSAGE``.
  * ``<p>-upgrade``, ``<p>-downgrade`` (one revision back): apply to the database.
  * ``<p>-check``: what CI runs; fails on drift, several heads or bad files. Each change names
    its model declaration; under GitHub Actions each is also an ``::error`` annotation on that
    line of the pull request (see ``retort check --help``).
  * ``<p>-merge``: joins several heads with a merge revision (message from ``$RETORT_MESSAGE``).
  * ``<p>-heads``, ``<p>-history`` (with the database's audit), ``<p>-current``.
  * ``<p>-verify``: fails (exit 3) when the database's schema differs from the one its recorded
    revision replays to, listing each difference (a hand edit).
  * ``<p>-reset``: undoes every revision and applies every one again. Only on the local dev
    database: elsewhere it refuses, and ``retort reset --yes`` by hand is the way.
  * ``<p>-sql``: the SQL of base to head, offline.
  * With ``FLEET``: ``<p>-fleet-upgrade``, ``<p>-fleet-current``, ``<p>-fleet-history``,
    ``<p>-fleet-verify``: the same over every target of the fleet file (``retort upgrade --fleet
    <file>``, ...).

  A CTest test ``<p>-check`` runs the same check (build ``<p>-snapshot`` first), and with
  ``STAIRWAY_TEST`` a test ``<p>-stairway`` (above); both need ``enable_testing()``.
#]=======================================================================]

include_guard(GLOBAL)

# The floor is Ubuntu 22.04's CMake: cmake_path() needs 3.20, depfiles under Makefile generators
# 3.20, cmake_language(DEFER) 3.19. The functions below keep these policies whatever the calling
# project's cmake_minimum_required() says (a function runs with the policies of its definition).
if(CMAKE_VERSION VERSION_LESS 3.22)
  message(FATAL_ERROR "Retort needs CMake 3.22 or newer; this is CMake ${CMAKE_VERSION}. Ubuntu 22.04's "
                      "package is 3.22; on older systems, Kitware's APT repository or `pip install cmake`.")
endif()
cmake_policy(VERSION 3.22...3.25)

function(retort_add_schema name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "CHECK_ON_BUILD;STAIRWAY_TEST" "MODELS;MIGRATIONS;DATABASE_URL;FLEET;DEVDB_DIR;TARGET_PREFIX;SAFETY;LOCK_TIMEOUT;STATEMENT_TIMEOUT"
                        "HEADERS;EMBED_INTO;SQL_OBJECTS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "retort_add_schema(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "retort_add_schema(${name}): the name must be a C identifier")
  endif()
  if(NOT arg_HEADERS)
    message(FATAL_ERROR "retort_add_schema(${name}): HEADERS is required")
  endif()
  if(arg_SAFETY AND NOT arg_SAFETY MATCHES "^(safe|plain)$")
    message(FATAL_ERROR "retort_add_schema(${name}): SAFETY must be safe or plain, not ${arg_SAFETY}")
  endif()
  foreach(timeout LOCK_TIMEOUT STATEMENT_TIMEOUT)
    if(DEFINED arg_${timeout} AND NOT arg_${timeout} MATCHES "^[0-9]+$")
      message(FATAL_ERROR "retort_add_schema(${name}): ${timeout} must be a number of milliseconds")
    endif()
  endforeach()
  if(arg_MODELS AND NOT TARGET "${arg_MODELS}")
    message(FATAL_ERROR "retort_add_schema(${name}): MODELS ${arg_MODELS} is not a target")
  endif()
  foreach(tool Retort::retort Retort::retort-scan)
    if(NOT TARGET ${tool})
      message(FATAL_ERROR "retort_add_schema(${name}): ${tool} is not available; use add_subdirectory, "
                          "FetchContent or find_package(Retort) first")
    endif()
  endforeach()

  if(NOT arg_MIGRATIONS)
    set(arg_MIGRATIONS "${CMAKE_CURRENT_SOURCE_DIR}/migrations/versions")
  endif()
  cmake_path(ABSOLUTE_PATH arg_MIGRATIONS BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
  if(NOT arg_DEVDB_DIR)
    set(arg_DEVDB_DIR "${CMAKE_BINARY_DIR}/retort-devdb")
  endif()
  get_property(schemas GLOBAL PROPERTY _RETORT_SCHEMAS)
  if(NOT arg_TARGET_PREFIX)
    if(schemas)
      set(arg_TARGET_PREFIX "db-${name}")
    else()
      set(arg_TARGET_PREFIX "db")
    endif()
  endif()
  if(NOT schemas)
    _retort_record_devdb_dir("${arg_DEVDB_DIR}")
  endif()
  set_property(GLOBAL APPEND PROPERTY _RETORT_SCHEMAS "${name}")
  set(p "${arg_TARGET_PREFIX}")

  set(headers "")
  foreach(h IN LISTS arg_HEADERS)
    cmake_path(ABSOLUTE_PATH h BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    list(APPEND headers "${h}")
  endforeach()

  set(sql_objects "")
  foreach(f IN LISTS arg_SQL_OBJECTS)
    cmake_path(ABSOLUTE_PATH f BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    list(APPEND sql_objects "${f}")
  endforeach()

  set(out "${CMAKE_CURRENT_BINARY_DIR}/retort/${name}")
  file(MAKE_DIRECTORY "${out}" "${arg_MIGRATIONS}")
  set(snapshot "${out}/schema.json")
  set(locations "${out}/locations.json")

  # The schema the history produces: the scan flags NOT NULL columns new to it that cannot fill
  # existing rows (no default, no backfill) right at the field. Like every command that reads
  # the migration files, it declares them in a depfile (see _retort_migrations_depfile).
  set(head "${out}/head.json")
  _retort_migrations_depfile(depfile "${arg_MIGRATIONS}" "${head}")
  add_custom_command(OUTPUT "${head}"
    COMMAND $<TARGET_FILE:Retort::retort> --migrations "${arg_MIGRATIONS}" replay -o "${head}"
    ${depfile}
    DEPENDS Retort::retort
    DEPFILE "${head}.d"
    COMMENT "Replaying the migrations of ${name}"
    VERBATIM)

  _retort_scan_command("${name}" "${snapshot}" "${locations}" "${arg_MODELS}" "${headers}" "${head}" "${sql_objects}")
  add_custom_target(${p}-snapshot DEPENDS "${snapshot}")
  set_target_properties(${p}-snapshot PROPERTIES RETORT_SNAPSHOT "${snapshot}" RETORT_LOCATIONS "${locations}")

  set(cli $<TARGET_FILE:Retort::retort> --migrations "${arg_MIGRATIONS}" --devdb-dir "${arg_DEVDB_DIR}")
  if(arg_SAFETY)
    list(APPEND cli --safety "${arg_SAFETY}")
  endif()
  if(DEFINED arg_LOCK_TIMEOUT)
    list(APPEND cli --lock-timeout "${arg_LOCK_TIMEOUT}")
  endif()
  if(DEFINED arg_STATEMENT_TIMEOUT)
    list(APPEND cli --statement-timeout "${arg_STATEMENT_TIMEOUT}")
  endif()
  if(arg_DATABASE_URL)
    list(APPEND cli --url "${arg_DATABASE_URL}")
  endif()
  set(fix "cmake --build ${CMAKE_BINARY_DIR} --target ${p}-revision")
  # What the CLI suggests next names the target, not the bare CLI command.
  set(apply --apply-command "cmake --build ${CMAKE_BINARY_DIR} --target ${p}-upgrade")
  # Every check of the models: the locations point each change at its model declaration.
  # The cache in the build directory: a history verified once is not replayed again while its
  # files keep their bytes (retort check --cache-dir).
  set(check check --snapshot "${snapshot}" --locations "${locations}" --fix-command "${fix}"
            --cache-dir "${out}/check-cache")

  # The message comes from $RETORT_MESSAGE in the build's environment; the CLI prints it (a
  # COMMENT is not expanded by the shell).
  add_custom_target(${p}-revision
    COMMAND ${cli} revision --snapshot "${snapshot}" ${apply}
    DEPENDS "${snapshot}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Writing the next migration of ${name}"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
  add_custom_target(${p}-revision-empty
    COMMAND ${cli} revision --empty ${apply}
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Writing a data step revision of ${name}"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
  add_custom_target(${p}-check
    COMMAND ${cli} ${check}
    DEPENDS "${snapshot}"
    COMMENT "Checking that the models of ${name} match its migrations"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
  add_custom_target(${p}-merge
    COMMAND ${cli} merge
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Joining the heads of ${name}"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
  foreach(action upgrade downgrade heads history current verify reset)
    set(extra "")
    if(action STREQUAL "history")
      set(extra --audit)
    endif()
    add_custom_target(${p}-${action}
      COMMAND ${cli} ${action} ${extra}
      COMMENT "retort ${action} (${name})"
      USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
  endforeach()
  if(arg_FLEET)
    cmake_path(ABSOLUTE_PATH arg_FLEET BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    foreach(action upgrade history current verify)
      add_custom_target(${p}-fleet-${action}
        COMMAND ${cli} ${action} --fleet "${arg_FLEET}"
        COMMENT "retort ${action} --fleet ${arg_FLEET} (${name})"
        USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)
    endforeach()
  endif()
  add_custom_target(${p}-sql
    COMMAND ${cli} sql base:head
    COMMENT "SQL of ${name}, base to head"
    USES_TERMINAL VERBATIM COMMAND_EXPAND_LISTS)

  if(arg_CHECK_ON_BUILD)
    set(stamp "${out}/check.stamp")
    _retort_migrations_depfile(depfile "${arg_MIGRATIONS}" "${stamp}")
    add_custom_command(OUTPUT "${stamp}"
      COMMAND ${cli} ${check}
      ${depfile}
      COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
      DEPENDS "${snapshot}" Retort::retort
      DEPFILE "${stamp}.d"
      COMMENT "Drift gate: do the models of ${name} match its migrations?"
      VERBATIM COMMAND_EXPAND_LISTS)
    add_custom_target(${p}-gate ALL DEPENDS "${stamp}")
  endif()

  add_test(NAME ${p}-check COMMAND ${cli} ${check} COMMAND_EXPAND_LISTS)
  # The test needs the snapshot: build it first (ctest does not build).
  set_tests_properties(${p}-check PROPERTIES LABELS retort)
  if(arg_STAIRWAY_TEST)
    add_test(NAME ${p}-stairway COMMAND ${cli} stairway COMMAND_EXPAND_LISTS)
    set_tests_properties(${p}-stairway PROPERTIES LABELS "retort;postgres")
    # add_test() without enable_testing() is silently dropped: say so once this directory is
    # read, so a call of enable_testing() after retort_add_schema() still counts.
    # A deferred call reads its arguments' variables when it runs, in the directory's scope:
    # EVAL writes this call's values into it.
    if(NOT CMAKE_TESTING_ENABLED)
      cmake_language(EVAL CODE "cmake_language(DEFER CALL _retort_require_testing [[${name}]] [[${p}-stairway]])")
    endif()
  endif()

  foreach(target IN LISTS arg_EMBED_INTO)
    _retort_embed("${name}" "${target}" "${arg_MIGRATIONS}" "${out}")
  endforeach()
endfunction()

# Deferred to the end of the directory that asked for a CTest test: CMAKE_TESTING_ENABLED is
# what enable_testing() (and include(CTest) with BUILD_TESTING on) sets there.
function(_retort_require_testing name test)
  if(NOT CMAKE_TESTING_ENABLED)
    message(WARNING "retort_add_schema(${name}) STAIRWAY_TEST: CTest tests are off in ${CMAKE_CURRENT_SOURCE_DIR}, "
                    "so the test ${test} is not created. Call enable_testing() (or include(CTest)) in the "
                    "top-level CMakeLists.txt before this directory is added, then run it with `ctest -R ${test}`.")
  endif()
endfunction()

# The dev database's directory where the CLI run by hand from the project root looks for it
# (.retort/devdb-dir, read by `retort` when neither --devdb-dir nor $RETORT_DEVDB_DIR is given),
# so that it uses the cluster the targets use instead of starting one of its own. Written only
# when it changes; the .gitignore keeps .retort/ out of version control.
function(_retort_record_devdb_dir dir)
  set(record "${CMAKE_SOURCE_DIR}/.retort")
  file(CONFIGURE OUTPUT "${record}/devdb-dir" CONTENT "${dir}\n" @ONLY)
  file(CONFIGURE OUTPUT "${record}/.gitignore" CONTENT "# Written by Retort's CMake module: local state, not sources.\n*\n" @ONLY)
endfunction()

# The scan: a custom command with a depfile, so it reruns only when a header it read changed.
# The locations file is a byproduct: written with the snapshot (each only when its bytes
# change), read by the checks, a dependency of nothing.
# The compile flags come from MODELS through generator expressions, as the compiler sees them
# (transitively: what MODELS links counts), plus Retort::model's include directory. Generator
# expressions, not get_target_property(): an installed Retort::model's directories are paths,
# an in-tree one's are $<BUILD_INTERFACE:...>, and only evaluation treats both right.
function(_retort_scan_command name snapshot locations models headers head sql_objects)
  set(flags "")
  set(sql_object_args "")
  foreach(f IN LISTS sql_objects)
    list(APPEND sql_object_args --sql-object "${f}")
  endforeach()
  if(models)
    set(inc "$<TARGET_PROPERTY:${models},INTERFACE_INCLUDE_DIRECTORIES>")
    set(defs "$<TARGET_PROPERTY:${models},INTERFACE_COMPILE_DEFINITIONS>")
    list(APPEND flags "$<$<BOOL:${inc}>:-I$<JOIN:${inc},$<SEMICOLON>-I>>"
                      "$<$<BOOL:${defs}>:-D$<JOIN:${defs},$<SEMICOLON>-D>>")
  endif()
  set(inc "$<TARGET_PROPERTY:Retort::model,INTERFACE_INCLUDE_DIRECTORIES>")
  list(APPEND flags "$<$<BOOL:${inc}>:-I$<JOIN:${inc},$<SEMICOLON>-I>>")
  add_custom_command(OUTPUT "${snapshot}"
    BYPRODUCTS "${locations}"
    COMMAND $<TARGET_FILE:Retort::retort-scan> -o "${snapshot}" --depfile "${snapshot}.d" --locations "${locations}"
            --previous "${head}" ${sql_object_args} ${headers} -- -std=c++20 ${flags}
    DEPENDS ${headers} ${sql_objects} "${head}" Retort::retort-scan
    DEPFILE "${snapshot}.d"
    COMMENT "Scanning the models of ${name}"
    VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

# EMBED_INTO: the migration files as bytes in a generated source of the target.
function(_retort_embed name target migrations out)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "retort_add_schema(${name}): EMBED_INTO ${target} is not a target")
  endif()
  set(source "${out}/retort_${name}_migrations.cpp")
  set(stamp "${out}/embed.stamp")
  _retort_migrations_depfile(depfile "${migrations}" "${stamp}")
  add_custom_command(OUTPUT "${stamp}"
    BYPRODUCTS "${source}" "${out}/retort_${name}_migrations.hpp"
    COMMAND "${CMAKE_COMMAND}" -DMIGRATIONS=${migrations} -DNAME=${name} -DOUTPUT=${source}
            -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/RetortEmbed.cmake"
    ${depfile}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/RetortEmbed.cmake"
    DEPFILE "${stamp}.d"
    COMMENT "Embedding the migrations of ${name} into ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${source}" "${stamp}")
  target_include_directories(${target} PRIVATE "${out}")
  target_link_libraries(${target} PRIVATE Retort::pg)
endfunction()

# The migration files as a command's input: COMMAND arguments (into `out_var`) that write
# <output>.d listing the directory and each file in it (cmake/RetortDepfile.cmake). A glob at
# configure time would make every build re-check the directory and re-run CMake for each new
# revision; the depfile makes Ninja and Make notice additions, removals and edits themselves.
function(_retort_migrations_depfile out_var migrations output)
  set(${out_var} COMMAND "${CMAKE_COMMAND}" "-DMIGRATIONS=${migrations}" "-DOUTPUT=${output}"
                         "-DDEPFILE=${output}.d" -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/RetortDepfile.cmake"
      PARENT_SCOPE)
endfunction()
