# Retort's install rules and CMake package, included by the top-level CMakeLists.txt when
# RETORT_INSTALL is on. `cmake --install build --prefix P` gives:
#   P/bin/retort, P/bin/retort-scan       the CLI and the scanner
#   P/lib/libretort_{core,pg}.a           the runtime libraries
#   P/include/retort/...                  their headers (retort/model.hpp for model headers)
#   P/lib/cmake/Retort/                   RetortConfig.cmake (+ version, targets), RetortSchema.cmake
#                                         (+ its scripts RetortEmbed.cmake, RetortDepfile.cmake)
# so that find_package(Retort CONFIG REQUIRED) gives Retort::retort, Retort::retort-scan,
# Retort::core, Retort::pg, Retort::model and retort_add_schema(), as add_subdirectory does.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RETORT_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Retort"
    CACHE STRING "Where Retort's CMake package goes, relative to the install prefix")

set(_retort_tools retort)
if(TARGET retort-scan)  # built only when Clang 14 is found
  list(APPEND _retort_tools retort-scan)
endif()
# The installed tools keep the runpath to libraries outside the build tree (LLVM's, for
# retort-scan), so they run from the prefix as they do from the build tree.
set_target_properties(${_retort_tools} PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS retort_core retort_pg retort_model ${_retort_tools}
  EXPORT RetortTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/retort
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT RetortTargets
  NAMESPACE Retort::
  FILE RetortTargets.cmake
  DESTINATION ${RETORT_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/RetortConfig.cmake.in
  ${PROJECT_BINARY_DIR}/RetortConfig.cmake
  INSTALL_DESTINATION ${RETORT_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the file formats or the module's keywords.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/RetortConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/RetortConfig.cmake
  ${PROJECT_BINARY_DIR}/RetortConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/RetortSchema.cmake
  ${CMAKE_CURRENT_LIST_DIR}/RetortEmbed.cmake
  ${CMAKE_CURRENT_LIST_DIR}/RetortDepfile.cmake
  DESTINATION ${RETORT_INSTALL_CMAKEDIR})
