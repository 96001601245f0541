// A small CSV reader for results computed elsewhere (RFC 4180: a header line, comma-separated
// fields, double quotes around fields that hold commas, quotes or line breaks, "" for a quote
// inside them; CRLF or LF line ends; blank lines skipped). Errors are UserErrors naming the file,
// the line and the column.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rflab::reports {

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // every row has header.size() fields
  std::vector<int64_t> lines;                  // the line number (1-based) of each row

  // Index of a header column, or -1.
  int column(const std::string& name) const;
  // "FILE: line L, column NAME: expected WHAT, got 'GOT'" as a UserError.
  [[noreturn]] void fail(size_t row, int column, const std::string& expected) const;
  std::string fmt_line(size_t row) const;  // "FILE: line L"
  // The field as a number: a decimal, or nan / inf / -inf (any case). Otherwise fail().
  double number(size_t row, int column) const;
  int64_t integer(size_t row, int column) const;
};

CsvTable parse_csv(const std::string& text, const std::string& file);
CsvTable read_csv(const std::string& path);  // UserError naming the file when unreadable

// Refuses header columns outside `known` and requires `required`, naming the file and column.
void check_columns(const CsvTable& t, const std::vector<std::string>& required, const std::vector<std::string>& optional);

}  // namespace rflab::reports
