// A fresh, empty directory per test for database files, removed afterwards.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/util/temp_dir.h"

namespace rflab::results::testing {

using rflab::testing::TempDir;

}  // namespace rflab::results::testing
