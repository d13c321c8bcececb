// sql::read_sql_object: an SQL_OBJECTS file and what PostgreSQL prints back for the object it
// creates (pg_get_functiondef, pg_get_triggerdef: the texts below are PostgreSQL 15's) read to
// the same object; a file that is not one object of an accepted kind is an error at its line.
#include <gtest/gtest.h>

#include "retort/errors.hpp"
#include "retort/sql_analysis.hpp"
#include "sql_object_samples.hpp"

namespace retort {
namespace {

constexpr const char* touch_file = R"(-- Keeps updated_at current on every UPDATE.
create function set_updated_at() returns trigger as $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$ language plpgsql volatile;
)";

constexpr const char* touch_printed = R"(CREATE OR REPLACE FUNCTION public.set_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$function$
)";

TEST(SqlObjectReader, AFunctionFileAndWhatPostgresPrintsAreOneObject) {
  const sql_object file = sql::read_sql_object(touch_file, "sql/touch.sql");
  const sql_object printed = sql::read_database_sql_object(touch_printed, "public");
  EXPECT_EQ(file, printed);
  EXPECT_EQ(file.kind, sql_object_kind::function);
  EXPECT_EQ(file.name, (qualified_name{"public", "set_updated_at"}));
  EXPECT_EQ(file.arguments, "");
  EXPECT_EQ(file.header, R"("public"."set_updated_at"() RETURNS trigger)");
  EXPECT_EQ(file.definition, "CREATE FUNCTION \"public\".\"set_updated_at\"() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n$$");
}

TEST(SqlObjectReader, NormalizedTextReadsBackToItself) {
  const sql_object once = sql::read_sql_object(touch_file, "sql/touch.sql");
  EXPECT_EQ(sql::read_sql_object(once.definition, "again"), once);
  const sql_object trigger = sql::read_sql_object(
      "CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();", "t.sql");
  EXPECT_EQ(sql::read_sql_object(trigger.definition, "again"), trigger);
}

TEST(SqlObjectReader, ArgumentsIdentifyARoutineAndAliasesAreSpeltOut) {
  const sql_object f = sql::read_sql_object(
      "CREATE OR REPLACE FUNCTION billing.total(a int4, b timestamptz, c text DEFAULT 'x', OUT d int8) "
      "STABLE LANGUAGE sql AS 'select 1::int8'",
      "f.sql");
  EXPECT_EQ(f.name, (qualified_name{"billing", "total"}));
  const sql_object printed = sql::read_database_sql_object(
      "CREATE OR REPLACE FUNCTION billing.total(a integer, b timestamp with time zone, c text DEFAULT 'x', OUT d bigint)\n"
      " RETURNS bigint\n LANGUAGE sql\n STABLE\nAS $function$select 1::int8$function$\n",
      "billing");
  EXPECT_EQ(f.arguments, printed.arguments);
  EXPECT_EQ(f.arguments, "int, timestamp with time zone, text");
}

TEST(SqlObjectReader, ATriggerFileAndWhatPostgresPrintsAreOneObject) {
  const sql_object file = sql::read_sql_object(
      "create trigger users_updated_at before update on users\n  for each row execute procedure set_updated_at()", "t.sql");
  const sql_object printed = sql::read_database_sql_object(
      "CREATE TRIGGER users_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION set_updated_at()",
      "public");
  EXPECT_EQ(file, printed);
  EXPECT_EQ(file.kind, sql_object_kind::trigger);
  EXPECT_EQ(file.name, (qualified_name{"public", "users_updated_at"}));
  EXPECT_EQ(file.table, (qualified_name{"public", "users"}));
  EXPECT_EQ(file.function, (qualified_name{"public", "set_updated_at"}));
  EXPECT_EQ(file.definition, R"(CREATE TRIGGER users_updated_at BEFORE UPDATE ON "public"."users" FOR EACH ROW )"
                             R"(EXECUTE FUNCTION "public"."set_updated_at"())");
}

TEST(SqlObjectReader, AProcedureHasNoResult) {
  const sql_object p = sql::read_sql_object("CREATE PROCEDURE archive(days integer) LANGUAGE sql AS $$ select 1 $$", "p.sql");
  EXPECT_EQ(p.kind, sql_object_kind::procedure);
  EXPECT_EQ(p.header, R"("public"."archive"(days int))");
  EXPECT_EQ(p.arguments, "int");
  // PostgreSQL writes IN for each input parameter of a procedure.
  EXPECT_EQ(sql::read_database_sql_object("CREATE OR REPLACE PROCEDURE public.archive(IN days integer)\n LANGUAGE sql\n"
                                          "AS $procedure$ select 1 $procedure$\n",
                                          "public"),
            p);
}

TEST(SqlObjectReader, TheTestSamplesAreNormalized) {
  for (const sql_object& o : {testing::touch_function(), testing::touch_function("public", "touch", 2),
                              testing::add_one_function(), testing::add_one_function("y"), testing::archive_procedure(),
                              testing::touch_trigger({"public", "users"}, {"public", "touch"}, true)}) {
    SCOPED_TRACE(o.definition);
    EXPECT_EQ(sql::read_sql_object(o.definition, "sample"), o);
  }
}

// The message of the error `text` gives, which must be a file_error.
std::string error_of(const std::string& text) {
  try {
    (void)sql::read_sql_object(text, "sql/x.sql");
  } catch (const file_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(SqlObjectReader, BadFilesAreErrorsAtTheirLine) {
  EXPECT_EQ(error_of("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\n\nCREATE FUNCTION g() RETURNS int "
                     "LANGUAGE sql AS 'select 2';"),
            "sql/x.sql:3:1: error: a second statement: an SQL object file holds exactly one (CREATE FUNCTION, "
            "CREATE PROCEDURE or CREATE TRIGGER)");
  EXPECT_EQ(error_of("-- header\nCREATE FUNCTION f() RETURNS int\nLANGUAGE sql AS 'select 1' bogus;"),
            "sql/x.sql:3:28: error: SQL does not parse: syntax error at or near \"bogus\"");
  EXPECT_EQ(error_of("\n  CREATE TABLE t (id int);"),
            "sql/x.sql:2:3: error: CreateStmt is not CREATE FUNCTION, CREATE PROCEDURE or CREATE TRIGGER: an SQL "
            "object file holds one of those");
  EXPECT_EQ(error_of("-- nothing\n"), "sql/x.sql:1:1: error: no statement: an SQL object file holds one CREATE "
                                      "FUNCTION, CREATE PROCEDURE or CREATE TRIGGER");
  EXPECT_NE(error_of("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;").find("write the body as a string"),
            std::string::npos);
}

}  // namespace
}  // namespace retort
