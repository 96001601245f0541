// A count of the multiply-accumulates the matrix products of a forward pass run (SPEC §9.8's
// MACs: Linears, the patch convolution, attention; no element-wise work), taken from the shapes
// the products actually see. While a MacTally lives on a thread, every product on that thread
// adds to it; otherwise counting costs one thread-local read. Tests hold the closed forms of
// model_size.h against it, and `rflab model info --measure` prints it.
#pragma once
#include <cstdint>

namespace rflab::core {

class MacTally {
 public:
  MacTally();
  ~MacTally();
  MacTally(const MacTally&) = delete;
  MacTally& operator=(const MacTally&) = delete;
  int64_t macs() const { return macs_; }

  // Adds to the innermost live tally of this thread, if any.
  static void add(int64_t macs);

 private:
  int64_t macs_ = 0;
  MacTally* outer_;
};

}  // namespace rflab::core
