// Test histories: chained random schemas as revisions, and scratch directories for their files.
#include "history.hpp"

#include <stdlib.h>

#include <fstream>
#include <random>

#include <fmt/format.h>

#include "retort/authoring.hpp"
#include "retort/diff.hpp"
#include "retort/errors.hpp"
#include "retort/revision_graph.hpp"
#include "retort/snapshot.hpp"
#include "retort/sum_file.hpp"

namespace retort::testing {

namespace fs = std::filesystem;

revision make_revision(int number, std::vector<std::string> parents, std::string message,
                       std::vector<ops::operation> upgrade) {
  revision r;
  r.id = fmt::format("{:012x}", 0xa000'0000'0000ull + static_cast<unsigned>(number));
  r.parents = std::move(parents);
  r.message = std::move(message);
  r.created = fmt::format("2026-01-01T{:02}:{:02}:00Z", number / 60, number % 60);
  r.downgrade = ops::inverse(upgrade);
  r.upgrade = std::move(upgrade);
  return r;
}

std::vector<revision> tenant_history() {
  const auto snapshot = [](std::string_view tables, std::string_view enums = "") {
    return read_snapshot(fmt::format(R"({{"format": 1, "enums": [{}], "tables": [{}]}})", enums, tables), "tenant.json");
  };
  const std::string items = R"({"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "name", "type": "text"}]})";
  const std::string items_with_state = R"({"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "name", "type": "text"},
                  {"name": "state", "enum": {"schema": "public", "name": "state"}, "nullable": true, "default": "'a'::state"}]})";
  const std::string items_indexed = R"({"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "name", "type": "text"},
                  {"name": "state", "enum": {"schema": "public", "name": "state"}, "nullable": true, "default": "'a'::state"}],
      "indexes": [{"columns": ["name"]}]})";
  const std::string orders = R"({"schema": "public", "name": "orders", "primary_key": {"columns": ["id"]},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "item_id", "type": "bigint"}],
      "foreign_keys": [{"columns": ["item_id"], "references": {"table": "items", "columns": ["id"]}}]})";
  const std::string notes = R"({"schema": "public", "name": "notes", "primary_key": {"columns": ["id"]},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "body", "type": "text"}]})";
  const std::string state = R"({"schema": "public", "name": "state", "values": ["a", "b"]})";
  const schema s1 = snapshot(items);
  const schema s2 = snapshot(items + "," + orders);
  const schema s3 = snapshot(items_with_state + "," + orders, state);
  const schema s4 = snapshot(items_indexed + "," + notes + "," + orders, state);
  auto third = diff(s2, s3);
  third.push_back(ops::sql{"INSERT INTO items (id, name) VALUES (1, 'seed')", "DELETE FROM items WHERE id = 1"});
  std::vector<revision> out;
  out.push_back(make_revision(1, {}, "items", diff(schema{}, s1)));
  out.push_back(make_revision(2, {out.back().id}, "orders", diff(s1, s2)));
  out.push_back(make_revision(3, {out.back().id}, "item state, seeded", std::move(third)));
  out.push_back(make_revision(4, {out.back().id}, "notes", diff(s3, s4)));
  return out;
}

std::vector<revision> tenant_history_with_extension() {
  auto out = tenant_history();
  column nick;
  nick.name = "nick";
  nick.type = *parse_type("citext");
  nick.nullable = true;
  out.push_back(make_revision(5, {out.back().id}, "citext nicks",
                              {ops::create_extension{extension{"citext", "public", std::nullopt}},
                               ops::add_column{{"public", "notes"}, nick}}));
  return out;
}

std::vector<revision> shared_schema_history() {
  const schema s = read_snapshot(R"({"format": 1, "schemas": ["ref"],
      "enums": [{"schema": "ref", "name": "kind", "values": ["a", "b"]}],
      "tables": [
        {"schema": "ref", "name": "kinds", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}]},
        {"schema": "public", "name": "items", "primary_key": {"columns": ["id"]},
         "columns": [{"name": "id", "type": "bigint"}, {"name": "kind_id", "type": "bigint"},
                     {"name": "kind", "enum": {"schema": "ref", "name": "kind"}}],
         "foreign_keys": [{"columns": ["kind_id"], "references": {"schema": "ref", "table": "kinds", "columns": ["id"]}}]}]})",
                                 "shared.json");
  return {make_revision(1, {}, "items of shared kinds", diff(schema{}, s))};
}

std::vector<revision> random_history(std::uint64_t seed, int count, const random_schema_options& options) {
  std::mt19937_64 rng(seed);
  std::vector<revision> out;
  schema model;
  while (static_cast<int>(out.size()) < count) {
    schema next = out.empty() ? random_schema(rng, options) : mutate(model, rng, options);
    auto up = diff(model, next);
    if (up.empty()) continue;  // a mutation that changed nothing a database can see
    const int number = static_cast<int>(out.size()) + 1;
    std::vector<std::string> parents;
    if (!out.empty()) parents.push_back(out.back().id);
    out.push_back(make_revision(number, std::move(parents), fmt::format("step {} of seed {}", number, seed),
                                std::move(up)));
    model = std::move(next);
  }
  return out;
}

fs::path write_migration(const fs::path& dir, const revision& r) {
  fs::create_directories(dir);
  const fs::path path = dir / file_name_for(r);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << write_revision(r);
  if (!out.flush()) throw error(fmt::format("cannot write {}", path.string()));
  return path;
}

std::vector<revision> write_migrations(const fs::path& dir, const std::vector<revision>& revisions) {
  for (const auto& r : revisions) (void)write_migration(dir, r);
  auto loaded = load_revisions(dir.string());
  write_sum_file(dir.string(), sum_of(loaded));  // as `retort revision` would have
  return loaded;
}

}  // namespace retort::testing
