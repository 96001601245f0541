// The results store's schema as an ordered list of migrations. The database records how many
// have been applied in PRAGMA user_version; each migration runs in its own IMMEDIATE transaction
// that also bumps user_version, so a crash leaves the database at a whole version.
#pragma once
#include <string>
#include <vector>

namespace rflab::results {

class Database;

// Migration i (0-based) takes the schema from version i to version i+1.
const std::vector<std::string>& migrations();

// The version this code writes and understands: migrations().size().
int code_schema_version();

int read_schema_version(Database& db);

// Throws UserError naming the file if db's schema is newer than code_schema_version().
void refuse_newer_schema(Database& db);

// Brings db up to code_schema_version(). Refuses (UserError) a database that is newer than the
// code, since writing to it could corrupt facts this code does not understand. Safe when several
// processes open a fresh file at once: the version is re-read under the write lock.
void apply_migrations(Database& db);

}  // namespace rflab::results
