// The subset of the ZIP format that .npz files use: reading stored or deflated members
// (with ZIP64 records, which numpy's savez writes) and writing stored members.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace rflab::eval {

struct ZipMember {
  std::string name;
  std::string data;
};

// All members of an archive held in `bytes`, CRC-checked. `where` names the file in errors
// (bad signature, truncation, encryption, a compression method other than stored/deflate).
std::vector<ZipMember> read_zip(const std::string& bytes, const std::string& where);

// An archive of uncompressed members, readable by Python's zipfile and numpy.load.
// Throws std::length_error for members or archives past the 4 GiB of non-ZIP64 records.
std::string write_zip_stored(const std::vector<ZipMember>& members);

}  // namespace rflab::eval
