// The no_change_rebuild test's application: it only has to build (the migrations are embedded).
#include <iostream>

#include "notes.hpp"
#include "retort_notes_migrations.hpp"

int unrelated();

int main() {
  std::cout << retort::embedded::notes().size() << " embedded migration(s), " << unrelated() << "\n";
  return 0;
}
