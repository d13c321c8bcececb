// test_cluster: starts and stops the integration tests' shared PostgreSQL, as the setup and
// cleanup of CTest's `pg` fixture. `start` begins from an empty cluster so runs stay independent.
#include <filesystem>
#include <iostream>
#include <string_view>

#include "retort/local_cluster.hpp"

int main(int argc, char** argv) {
  const std::string_view command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop") {
    std::cerr << "usage: test_cluster start|stop DIR\n";
    return 2;
  }
  try {
    retort::local_cluster cluster{argv[2]};
    cluster.stop();
    if (command == "start") {
      // Only what local_cluster itself creates is removed, never the directory as a whole.
      std::filesystem::remove_all(cluster.directory() / "data");
      std::filesystem::remove(cluster.directory() / "server.log");
      cluster.start();
      std::cout << "test cluster running: " << cluster.url() << '\n';
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "test_cluster " << command << ": " << e.what() << '\n';
    return 1;
  }
}
