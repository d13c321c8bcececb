# The project the consume_* cases share: what a user writes once Retort is available, however
# it came (add_subdirectory, FetchContent, find_package). The driver copies this folder beside
# each case's CMakeLists.txt, which includes this file.
add_library(inventory_models INTERFACE)
target_include_directories(inventory_models INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/models)
# Only this definition brings in one column: proof that the scan sees the target's flags.
target_compile_definitions(inventory_models INTERFACE INVENTORY_TRACK_LOCATION)
target_link_libraries(inventory_models INTERFACE Retort::model)

add_executable(inventory main.cpp)
target_link_libraries(inventory PRIVATE inventory_models)
target_compile_options(inventory PRIVATE -Wall -Wextra -Werror)

retort_add_schema(inventory
  HEADERS models/inventory.hpp
  MODELS inventory_models
  CHECK_ON_BUILD
  EMBED_INTO inventory)
