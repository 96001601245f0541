// A thin RAII layer over one SQLite connection. Every failure throws StoreError carrying the
// database path and the purpose of the statement, so a message read in a cluster log says which
// file and which operation failed. Internal to results/; callers use Store.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace rflab::results {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement;

class Database {
 public:
  // Opens (creating if missing) with a busy timeout, so concurrent writers wait instead of failing.
  Database(const std::string& path, int busy_timeout_ms);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  void exec(const std::string& sql, const std::string& purpose);
  // For statements SQLite does not retry through the busy handler (switching the journal mode
  // of a fresh file while another process holds it): retries SQLITE_BUSY for up to timeout_ms.
  void exec_retrying_busy(const std::string& sql, const std::string& purpose, int timeout_ms);
  Statement prepare(const std::string& sql, const std::string& purpose) const;
  int64_t last_insert_rowid() const;
  int changes() const;
  [[noreturn]] void fail(int rc, const std::string& purpose) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// One prepared statement; bind() indices start at 1 as in SQLite. A NaN double is bound as NULL
// (SQLite would do so silently anyway) and read back as NaN by column_double.
class Statement {
 public:
  Statement(const Database& db, sqlite3_stmt* stmt, std::string purpose);
  Statement(Statement&& other) noexcept;
  ~Statement();
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int i, int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bind(int i, const std::optional<int64_t>& v);
  Statement& bind_null(int i);

  bool step();  // true while a row is available
  void run();   // steps to completion, ignoring rows
  void reset();

  bool is_null(int col) const;
  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::optional<int64_t> column_optional_int(int col) const;

 private:
  void check(int rc) const;
  const Database* db_;
  sqlite3_stmt* stmt_;
  std::string purpose_;
};

}  // namespace rflab::results
