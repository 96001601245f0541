// The report rendered by a real browser: headless Chromium loads index.html from disk (no
// network), and a checker appended to a copy of the page reports, after load, how many images
// failed to decode and how many tables have no data row. Label `browser`: `make test-browser`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "../reports/synthetic_study.h"
#include "reports/ranking.h"
#include "reports/report.h"
#include "reports/score_source.h"
#include "results/atomic_file.h"
#include "tests/util/temp_dir.h"

namespace fs = std::filesystem;
using namespace rflab::reports;

namespace {

std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (fs::exists(p)) return p;
  return "";
}

std::string run(const std::string& cmd) {
  std::array<char, 4096> buf{};
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return out;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
  return out;
}

const char* kChecker = R"js(
<script>
window.addEventListener('load', () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  const tables = Array.from(document.querySelectorAll('table'));
  const empty = tables.filter(t => t.querySelectorAll('td').length === 0).length;
  const out = document.createElement('pre');
  out.id = 'rflab-check';
  out.textContent = `CHECK images=${images.length} broken=${broken} tables=${tables.length} empty=${empty} END`;
  document.body.appendChild(out);
});
</script>
)js";

}  // namespace

TEST(ReportInBrowser, EveryImageLoadsAndEveryTableHasRows) {
  const std::string exe = chromium();
  if (exe.empty()) GTEST_SKIP() << "chromium is not installed (bash scripts/setup --browser)";
  const rflab::testing::TempDir tmp;
  const fs::path dir = tmp.path();
  rflab::reports::testing::write_synthetic_study((dir / "r.db").string(), (dir / "grids").string());
  const ReportInput in = rflab::reports::testing::report_input_of((dir / "r.db").string(), false);
  const Plotter plotter;
  ASSERT_TRUE(plotter.available()) << "gnuplot is needed for the plots of this test (bash scripts/setup)";
  const auto files = write_report(in, (dir / "out").string(), plotter);

  std::string page = rflab::results::read_file(files.html);
  page.insert(page.rfind("</body>"), kChecker);
  const fs::path check = dir / "out" / "check.html";
  rflab::results::write_file_atomic(check.string(), page);
  const std::string cmd = exe +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --user-data-dir=" + (dir / "profile").string() +
                          " --virtual-time-budget=10000 --dump-dom file://" + check.string() + " 2>/dev/null";
  const std::string dom = run(cmd);
  // The checker's own source holds the pattern too: read the element it appended.
  const std::string marker = "id=\"rflab-check\">";
  const size_t tag = dom.find(marker);
  ASSERT_NE(tag, std::string::npos) << "the checker did not run; chromium printed:\n" << dom.substr(0, 2000);
  const size_t at = tag + marker.size();
  const std::string line = dom.substr(at, dom.find(" END", at) - at);
  int images = -1, broken = -1, tables = -1, empty = -1;
  ASSERT_EQ(std::sscanf(line.c_str(), "CHECK images=%d broken=%d tables=%d empty=%d", &images, &broken, &tables, &empty), 4) << line;
  EXPECT_EQ(images, static_cast<int>(files.plots.size() / 2) + 6) << line;  // every plot and one grid per evaluated run
  EXPECT_EQ(broken, 0) << line;
  EXPECT_GE(tables, 5) << line;
  EXPECT_EQ(empty, 0) << line;
}
