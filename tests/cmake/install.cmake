# The cmake_install test's driver (cmake -P), the setup of the `retort_installed` fixture:
# `cmake --install` of this build tree into an empty prefix, then a check of what a consumer
# relies on (tools, libraries, headers, package files) and that the tools run from there.
# -DBUILD_DIR=<Retort's build tree> -DPREFIX=<install prefix> -DLIBDIR=<lib, relative>
# -DINCLUDEDIR=<include, relative>
cmake_minimum_required(VERSION 3.22...3.25)

foreach(var BUILD_DIR PREFIX LIBDIR INCLUDEDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (exit ${rc}):\n${out}")
endif()

set(expected
  bin/retort
  bin/retort-scan
  ${LIBDIR}/libretort_core.a
  ${LIBDIR}/libretort_pg.a
  ${INCLUDEDIR}/retort/model.hpp
  ${INCLUDEDIR}/retort/migrate.hpp
  ${INCLUDEDIR}/retort/pg/applier.hpp
  ${LIBDIR}/cmake/Retort/RetortConfig.cmake
  ${LIBDIR}/cmake/Retort/RetortConfigVersion.cmake
  ${LIBDIR}/cmake/Retort/RetortTargets.cmake
  ${LIBDIR}/cmake/Retort/RetortSchema.cmake
  ${LIBDIR}/cmake/Retort/RetortEmbed.cmake
  ${LIBDIR}/cmake/Retort/RetortDepfile.cmake)
foreach(file IN LISTS expected)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "cmake --install did not install ${file}:\n${out}")
  endif()
endforeach()

# Nothing of the example, the tests or the build's internals belongs in the prefix.
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
foreach(file IN LISTS installed)
  if(file MATCHES "example|test|gtest|\\.cpp$|scanner")
    message(FATAL_ERROR "cmake --install installed ${file}, which is not part of Retort's package")
  endif()
endforeach()

# The dev database manager (initdb, pg_ctl, runuser: tool/devdb) serves the CLI and the tests
# only: no header, library or exported target of it, and nothing of it inside Retort::pg, which
# applications that embed their migrations link.
foreach(file IN LISTS installed)
  if(file MATCHES "local_cluster|devdb|retort_process")
    message(FATAL_ERROR "cmake --install installed ${file}: the dev database manager is not part of Retort's package")
  endif()
endforeach()
file(GLOB targets_files "${PREFIX}/${LIBDIR}/cmake/Retort/RetortTargets*.cmake")
foreach(f IN LISTS targets_files)
  file(STRINGS "${f}" hits REGEX "retort_devdb|retort_process")
  if(hits)
    message(FATAL_ERROR "${f} exports the dev database manager: ${hits}")
  endif()
endforeach()
file(STRINGS "${PREFIX}/${LIBDIR}/libretort_pg.a" hits REGEX "local_cluster|posix_spawn|runuser|initdb")
if(hits)
  list(GET hits 0 first)
  message(FATAL_ERROR "libretort_pg.a contains the dev database manager (${first})")
endif()

# The tools run from the prefix (their libraries are found without the build tree).
foreach(tool retort retort-scan)
  execute_process(COMMAND "${PREFIX}/bin/${tool}" --help RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_VARIABLE help)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the installed ${tool} does not run (exit ${rc}):\n${help}")
  endif()
endforeach()

list(LENGTH installed count)
message(STATUS "installed ${count} files into ${PREFIX}: ok")
