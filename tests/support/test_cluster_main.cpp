// test_cluster: starts and stops the integration tests' shared PostgreSQL, as the setup and
// cleanup of CTest's `pg` fixture. `start` begins from an empty cluster so runs stay independent.
// `createdb` gives script-driven tests (tests/cmake/) a fresh, empty database: it prints its URL.
// The cluster runs without durability (throwaway_cluster.hpp).
#include <filesystem>
#include <iostream>
#include <string_view>

#include <pqxx/pqxx>

#include "local_cluster.hpp"
#include "throwaway_cluster.hpp"

namespace {

// Drops `name` if a previous run left it, then creates it empty.
void recreate_database(const retort::local_cluster& cluster, const std::string& name) {
  pqxx::connection conn{cluster.url("postgres")};
  pqxx::nontransaction tx{conn};
  tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  tx.exec0("CREATE DATABASE " + tx.quote_name(name));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = argc >= 3 ? argv[1] : "";
  const bool ok = ((command == "start" || command == "stop") && argc == 3) || (command == "createdb" && argc == 4);
  if (!ok) {
    std::cerr << "usage: test_cluster start|stop DIR\n"
                 "       test_cluster createdb DIR NAME   (prints the new database's URL)\n";
    return 2;
  }
  try {
    retort::local_cluster cluster{argv[2]};
    if (command == "createdb") {
      if (!cluster.running()) {
        std::cerr << "test_cluster createdb: the cluster in " << argv[2] << " is not running (ctest starts it "
                  << "through the `pg` fixture)\n";
        return 1;
      }
      recreate_database(cluster, argv[3]);
      std::cout << cluster.url(argv[3]) << '\n';
      return 0;
    }
    cluster.stop();
    if (command == "start") {
      // Only what local_cluster itself creates is removed, never the directory as a whole.
      std::filesystem::remove_all(cluster.directory() / "data");
      std::filesystem::remove(cluster.directory() / "server.log");
      cluster.start();
      retort::test::drop_durability(cluster);
      std::cout << "test cluster running: " << cluster.url() << '\n';
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "test_cluster " << command << ": " << e.what() << '\n';
    return 1;
  }
}
