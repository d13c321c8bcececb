# The cmake_floor test (cmake -P): what a CMake older than Retort's floor sees when the installed
# module is included. The version is pretended, since only one CMake is installed here; the test
# passes only on the module's message (PASS_REGULAR_EXPRESSION). -DMODULE=<RetortSchema.cmake>
set(CMAKE_VERSION 3.21.6)
include("${MODULE}")
