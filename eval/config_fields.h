// Typed reads of an evaluator config's JSON fields: a present field must have the expected type
// and range, an unknown field is rejected, both as UserError naming the file and the field.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "results/error.h"

namespace rflab::eval {

class ConfigFields {
 public:
  ConfigFields(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw_input_error(where_, "config", "a JSON object", j_.dump());
  }
  void read(const char* field, int64_t& v, int64_t min = 1) {
    if (!take(field)) return;
    const auto& x = j_.at(field);
    if (!x.is_number_integer() || x.get<int64_t>() < min)
      throw_input_error(where_, field, "an integer >= " + std::to_string(min), x.dump());
    v = x.get<int64_t>();
  }
  void read(const char* field, uint64_t& v) {
    if (!take(field)) return;
    const auto& x = j_.at(field);
    if (!x.is_number_unsigned()) throw_input_error(where_, field, "a non-negative integer", x.dump());
    v = x.get<uint64_t>();
  }
  void read(const char* field, double& v, double min_exclusive = 0) {
    if (!take(field)) return;
    const auto& x = j_.at(field);
    if (!x.is_number() || !(x.get<double>() > min_exclusive))
      throw_input_error(where_, field, "a number > " + std::to_string(min_exclusive), x.dump());
    v = x.get<double>();
  }
  void read(const char* field, std::string& v) {
    if (!take(field)) return;
    const auto& x = j_.at(field);
    if (!x.is_string()) throw_input_error(where_, field, "a string", x.dump());
    v = x.get<std::string>();
  }
  void read(const char* field, std::vector<int64_t>& v) {
    if (!take(field)) return;
    const auto& x = j_.at(field);
    bool ok = x.is_array() && !x.empty();
    if (ok)
      for (const auto& e : x) ok = ok && e.is_number_integer() && e.get<int64_t>() >= 1;
    if (!ok) throw_input_error(where_, field, "a non-empty array of positive integers", x.dump());
    v = x.get<std::vector<int64_t>>();
  }
  // Call after every read: rejects fields no read asked for.
  void finish() const {
    for (const auto& [k, x] : j_.items())
      if (!seen_.count(k)) throw_input_error(where_, k, "a known field", "an unknown field");
  }

 private:
  bool take(const char* field) {
    seen_.insert(field);
    return j_.contains(field);
  }
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace rflab::eval
