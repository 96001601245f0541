// Precompiled header for the torch half: parsing torch/torch.h costs ~15 s per translation
// unit on two cores, so it is compiled once and reused by every core library.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <fmt/format.h>
#include <string>
#include <vector>
