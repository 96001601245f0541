#include "reports/csv.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "results/atomic_file.h"
#include "results/error.h"

namespace rflab::reports {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

int CsvTable::column(const std::string& name) const {
  auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

void CsvTable::fail(size_t row, int col, const std::string& expected) const {
  throw UserError(fmt_line(row) + ", column " + header.at(static_cast<size_t>(col)) + ": expected " + expected +
                  ", got '" + rows.at(row).at(static_cast<size_t>(col)) + "'");
}

std::string CsvTable::fmt_line(size_t row) const { return file + ": line " + std::to_string(lines.at(row)); }

double CsvTable::number(size_t row, int col) const {
  const std::string& s = rows.at(row).at(static_cast<size_t>(col));
  const std::string l = lower(s);
  if (l == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (l == "inf" || l == "+inf") return std::numeric_limits<double>::infinity();
  if (l == "-inf") return -std::numeric_limits<double>::infinity();
  if (!s.empty() && !std::isspace(static_cast<unsigned char>(s[0]))) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && errno != ERANGE && std::isfinite(v)) return v;
  }
  fail(row, col, "a number (or nan, inf)");
}

int64_t CsvTable::integer(size_t row, int col) const {
  const std::string& s = rows.at(row).at(static_cast<size_t>(col));
  if (!s.empty() && !std::isspace(static_cast<unsigned char>(s[0]))) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0' && errno != ERANGE) return v;
  }
  fail(row, col, "an integer");
}

CsvTable parse_csv(const std::string& text, const std::string& file) {
  CsvTable t;
  t.file = file;
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, any = false;
  int64_t line = 1, record_line = 1;
  auto end_record = [&] {
    fields.push_back(field);
    field.clear();
    const bool blank = fields.size() == 1 && fields[0].empty() && !any;
    if (!blank) records.push_back(fields), lines.push_back(record_line);
    fields.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
        else quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty())
        throw UserError(file + ": line " + std::to_string(line) + ", field " + std::to_string(fields.size() + 1) +
                        ": expected a quote only at the start of a field");
      quoted = any = true;
    } else if (c == ',') {
      fields.push_back(field), field.clear(), any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      record_line = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw UserError(file + ": line " + std::to_string(record_line) + ": expected a closing quote before the end of the file");
  if (!field.empty() || !fields.empty() || any) end_record();
  if (records.empty()) throw UserError(file + ": expected a header line, got an empty file");

  t.header = records.front();
  for (size_t c = 0; c < t.header.size(); ++c) {
    if (t.header[c].empty())
      throw UserError(file + ": line " + std::to_string(lines[0]) + ", column " + std::to_string(c + 1) +
                      ": expected a column name, got an empty one");
    if (std::find(t.header.begin(), t.header.begin() + static_cast<long>(c), t.header[c]) != t.header.begin() + static_cast<long>(c))
      throw UserError(file + ": line " + std::to_string(lines[0]) + ", column " + t.header[c] + ": expected each column once, got it twice");
  }
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != t.header.size())
      throw UserError(file + ": line " + std::to_string(lines[r]) + ": expected " + std::to_string(t.header.size()) +
                      " fields (" + join(t.header) + "), got " + std::to_string(records[r].size()));
    t.rows.push_back(records[r]);
    t.lines.push_back(lines[r]);
  }
  return t;
}

CsvTable read_csv(const std::string& path) { return parse_csv(results::read_file(path), path); }

void check_columns(const CsvTable& t, const std::vector<std::string>& required, const std::vector<std::string>& optional) {
  for (const auto& h : t.header)
    if (std::find(required.begin(), required.end(), h) == required.end() &&
        std::find(optional.begin(), optional.end(), h) == optional.end())
      throw UserError(t.file + ": line " + std::to_string(1) + ", column " + h + ": expected one of " +
                      join(required) + (optional.empty() ? "" : ", " + join(optional)) + ", got an unknown column");
  for (const auto& r : required)
    if (t.column(r) < 0)
      throw UserError(t.file + ": line 1: expected a column " + r + " (required: " + join(required) + "), got " +
                      join(t.header));
}

}  // namespace rflab::reports
