// The run identities of the shipped studies are fixed: the config hash of every run of every
// sweep file under sweeps/ (and of the shipped single-run configs under configs/) must equal the
// one recorded in tests/data/config-hashes.json, which was written before the run config became
// typed. A change of the schema, its defaults or the canonical serialisation that would orphan
// the stored runs of a database fails here. RFLAB_WRITE_HASH_FIXTURE=1 rewrites the file (only
// for a deliberate, documented change of identities).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/run_config.h"
#include "sweeps/expand.h"

namespace rflab::sweeps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFixture = std::string(RFLAB_SOURCE_DIR) + "/tests/data/config-hashes.json";

std::vector<fs::path> json_files(const std::string& folder) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(std::string(RFLAB_SOURCE_DIR) + "/" + folder))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// {"sweeps/x.json": [hash of run 0, hash of run 1, ...], "configs/demo.json": [hash]}
json current_hashes() {
  json out = json::object();
  for (const auto& p : json_files("sweeps")) {
    json hashes = json::array();
    for (const auto& r : expand(load_sweep(p.string()))) hashes.push_back(r.config_hash);
    out["sweeps/" + p.filename().string()] = hashes;
  }
  for (const auto& p : json_files("configs"))
    out["configs/" + p.filename().string()] =
        json::array({results::config_hash(results::complete_config(read_json(p), p.string()))});
  return out;
}

TEST(ConfigHashFixture, EveryShippedRunKeepsItsRecordedIdentity) {
  const json now = current_hashes();
  if (const char* w = std::getenv("RFLAB_WRITE_HASH_FIXTURE"); w && std::string(w) == "1") {
    std::ofstream(kFixture) << now.dump(1) << "\n";
    GTEST_SKIP() << "wrote " << kFixture;
  }
  const json recorded = read_json(kFixture);
  ASSERT_FALSE(recorded.empty());
  for (const auto& [file, hashes] : recorded.items()) {
    ASSERT_TRUE(now.contains(file)) << file << " is recorded but no longer shipped";
    ASSERT_EQ(now[file].size(), hashes.size()) << file;
    for (size_t i = 0; i < hashes.size(); ++i) EXPECT_EQ(now[file][i], hashes[i]) << file << " run " << i;
  }
  for (const auto& [file, hashes] : now.items())
    EXPECT_TRUE(recorded.contains(file)) << file << " is shipped but its hashes are not recorded";
}

}  // namespace
}  // namespace rflab::sweeps
