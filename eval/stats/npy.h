// NumPy .npy arrays <-> Eigen (format versions 1.0-3.0): reads little-endian float32/float64
// (and int32/int64, for counts) arrays of rank 0-2 in C or Fortran order; writes float64 in C
// order. Errors name the file and what was expected.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace rflab::eval {

// A decoded array. Rank 0 is stored as 1 x 1 and rank 1 (n,) as an n x 1 column.
struct NpyArray {
  std::vector<int64_t> shape;
  Eigen::MatrixXd values;
};

// `where` names the source in errors ("stats.npz: member mu.npy").
NpyArray decode_npy(const std::string& bytes, const std::string& where);

std::string encode_npy(const Eigen::MatrixXd& m);          // shape (rows, cols), '<f8'
std::string encode_npy_vector(const Eigen::VectorXd& v);   // shape (n,), '<f8'
std::string encode_npy_scalar_int64(int64_t value);        // shape (), '<i8'

// numpy's spelling of a shape: "(3,)", "(2, 4)", "()".
std::string npy_shape_text(const std::vector<int64_t>& shape);

// A 1-D file (n,) reads as an n x 1 column; rank 0 and rank > 2 are rejected.
Eigen::MatrixXd read_npy(const std::string& path);
// Atomic (tmp, fsync, rename).
void write_npy(const std::string& path, const Eigen::MatrixXd& m);

}  // namespace rflab::eval
