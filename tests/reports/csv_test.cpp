// CSV input of `rflab rank --csv`: RFC 4180 fields, and errors that name the line and the column.
#include <gtest/gtest.h>

#include <cmath>

#include "reports/csv.h"
#include "reports/score_source.h"
#include "results/error.h"

using namespace rflab::reports;
using rflab::UserError;

namespace {

std::string error_of(const std::string& text) {
  try {
    scores_from_csv(parse_csv(text, "r.csv"));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Csv, ReadsQuotedFieldsCrlfAndBlankLines) {
  const auto t = parse_csv("a,b\r\n\"x, \"\"y\"\"\",2\r\n\n3,\"multi\nline\"\n", "f.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "x, \"y\"");
  EXPECT_EQ(t.rows[1][1], "multi\nline");
  EXPECT_EQ(t.lines[0], 2);
  EXPECT_EQ(t.lines[1], 4);
}

TEST(Csv, ScoresTakeStepsAndCfgOfTheNamedSettingsAndTheOptionalColumns) {
  const auto t = scores_from_csv(parse_csv(
      "variant,setting,fid,clip,seed,weights\nrf,S4,12.5,0.81,1,ema\n\"rf/lognorm(0.00, 1.00)\",S3,nan,nan,1,raw\n", "r.csv"));
  ASSERT_EQ(t.scores.size(), 2u);
  EXPECT_EQ(t.variants, (std::vector<std::string>{"rf", "rf/lognorm(0.00, 1.00)"}));
  EXPECT_EQ(t.scores[0].setting.steps, 5);
  EXPECT_DOUBLE_EQ(t.scores[0].setting.cfg, 5.0);
  EXPECT_EQ(t.scores[0].seed, 1);
  EXPECT_EQ(t.scores[1].setting.weights, "raw");
  EXPECT_TRUE(std::isnan(t.scores[1].fid));
  const auto own = scores_from_csv(parse_csv("variant,setting,fid,clip,steps,cfg\nv,fast,1,0.5,4,2.5\n", "r.csv"));
  EXPECT_EQ(own.scores[0].setting.steps, 4);
  EXPECT_DOUBLE_EQ(own.scores[0].setting.cfg, 2.5);
}

TEST(Csv, ABadNumberNamesTheLineAndTheColumn) {
  const std::string e = error_of("variant,setting,fid,clip\nrf,S3,12.5,0.8\nrf,S4,twelve,0.8\n");
  EXPECT_NE(e.find("r.csv: line 3, column fid: expected a number"), std::string::npos) << e;
  EXPECT_NE(e.find("'twelve'"), std::string::npos) << e;
}

TEST(Csv, MissingAndUnknownColumnsAreNamed) {
  EXPECT_NE(error_of("variant,setting,fid\nrf,S3,1\n").find("expected a column clip"), std::string::npos);
  const std::string e = error_of("variant,setting,fid,clip,sede\nrf,S3,1,0.5,0\n");
  EXPECT_NE(e.find("column sede"), std::string::npos) << e;
}

TEST(Csv, AShortRowAndAnUnclosedQuoteNameTheirLine) {
  EXPECT_NE(error_of("variant,setting,fid,clip\nrf,S3,1\n").find("line 2: expected 4 fields"), std::string::npos);
  EXPECT_NE(error_of("variant,setting,fid,clip\n\"rf,S3,1,2\n").find("line 2: expected a closing quote"), std::string::npos);
}

TEST(Csv, ARepeatedRowAndAnEmptyTableAreRefused) {
  EXPECT_NE(error_of("variant,setting,fid,clip\nrf,S3,1,0.5\nrf,S3,2,0.5\n").find("line 3"), std::string::npos);
  EXPECT_NE(error_of("variant,setting,fid,clip\n").find("only the header"), std::string::npos);
  EXPECT_NE(error_of("").find("empty file"), std::string::npos);
  EXPECT_NE(error_of("variant,setting,fid,clip,steps\nrf,S3,1,0.5,-3\n").find("column steps"), std::string::npos);
}
