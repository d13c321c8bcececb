# Script mode (cmake -P): writes the depfile of a command that reads a migration directory:
# the directory itself (adding, removing or renaming a file changes its time) and every file
# in it (an edit, also of retort.sum). retort_add_schema's commands declare their migration inputs this way, so a
# new revision is noticed without re-running CMake, and a build with no change runs nothing.
#   -DMIGRATIONS=<dir>   the migrations/versions directory
#   -DOUTPUT=<file>      the command's output, as its rule names it
#   -DDEPFILE=<file>     the depfile to write
cmake_minimum_required(VERSION 3.22...3.25)

foreach(var MIGRATIONS OUTPUT DEPFILE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RetortDepfile.cmake: -D${var}=... is required")
  endif()
endforeach()

# Make's escaping, which Ninja reads too: a space or a '#' in a path is preceded by '\'.
function(_retort_depfile_path out path)
  string(REPLACE " " "\\ " path "${path}")
  string(REPLACE "#" "\\#" path "${path}")
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

file(GLOB files LIST_DIRECTORIES false "${MIGRATIONS}/*.json")
list(SORT files)
# retort.sum, the files' checksums, once it exists (a missing input would make the command
# run on every build; its creation changes the directory's time anyway).
if(EXISTS "${MIGRATIONS}/retort.sum")
  list(APPEND files "${MIGRATIONS}/retort.sum")
endif()
_retort_depfile_path(text "${OUTPUT}")
string(APPEND text ":")
foreach(path IN ITEMS "${MIGRATIONS}" ${files})
  _retort_depfile_path(path "${path}")
  string(APPEND text " \\\n  ${path}")
endforeach()
file(WRITE "${DEPFILE}" "${text}\n")
