// SQL_OBJECTS: the files of functions, procedures and triggers added to the scanned models,
// one object a file, checked against the models (a trigger's table must be declared).
#pragma once

#include <string>
#include <vector>

#include "retort/schema.hpp"

namespace retort::scan {

/// Reads each file (retort::sql::read_sql_object) into `model.sql_objects`. Throws file_error
/// `file:line:col: error: ...` for the first file that is not one object of an accepted kind,
/// defines an object a file before it does, or puts a trigger on a table the models lack.
void add_sql_objects(schema& model, const std::vector<std::string>& files);

}  // namespace retort::scan
