// Migration histories for the applier and CLI tests: linear chains of random schemas (each
// revision the diff from one to the next, its downgrade the inverse), hand-made revisions,
// and scratch directories to write them to as migration files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "random_schema.hpp"
#include "scratch_dir.hpp"
#include "retort/ops.hpp"
#include "retort/revision.hpp"

namespace retort::testing {

/// A revision with a deterministic id and creation time (`number` minutes after a fixed epoch);
/// the downgrade is the inverse of `upgrade`.
[[nodiscard]] revision make_revision(int number, std::vector<std::string> parents, std::string message,
                                     std::vector<ops::operation> upgrade);

/// A linear history of `count` revisions drawn from `seed`: the first creates a random schema,
/// every next one changes it to a random mutation of it.
[[nodiscard]] std::vector<revision> random_history(std::uint64_t seed, int count,
                                                   const random_schema_options& options = {});


/// A small history in the default schema for schema-per-tenant and fleet tests: items, orders
/// (a foreign key to items), an enum column whose default casts to the enum by its bare name with
/// a hand-written sql step seeding items(1, 'seed'), then notes and an index. Four revisions.
[[nodiscard]] std::vector<revision> tenant_history();

/// tenant_history() and a fifth revision that creates the extension citext (in `public`: an
/// extension belongs to the database, not to a tenant) and adds notes.nick of type citext.
[[nodiscard]] std::vector<revision> tenant_history_with_extension();

/// A history with a schema besides the default one, which tenants share: `ref` with the enum
/// ref.kind and the table ref.kinds, and public.items whose column `kind` has the enum type and
/// whose foreign key references ref.kinds. One revision.
[[nodiscard]] std::vector<revision> shared_schema_history();

/// Writes `r` into `dir` under its usual file name; returns the file's path.
std::filesystem::path write_migration(const std::filesystem::path& dir, const revision& r);

/// Writes every revision into `dir`, and retort.sum for the files there; returns them as
/// load_revisions() reads them back (file, checksum).
std::vector<revision> write_migrations(const std::filesystem::path& dir, const std::vector<revision>& revisions);

}  // namespace retort::testing
