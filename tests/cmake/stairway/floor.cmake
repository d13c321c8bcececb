# What a CMake older than Retort's floor sees when the module is included (cmake -P; the version
# is pretended, since only one CMake is installed here). -DMODULE=<RetortSchema.cmake>
set(CMAKE_VERSION 3.21.6)
include("${MODULE}")
