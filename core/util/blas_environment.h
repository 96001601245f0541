// The process environment OpenBLAS and libgomp read once, when they load: passive waiting and
// the kernel family. Torch-free, so that the small `rflab` front (experiments/front) sets it too
// before it becomes the torch binary, which then starts only once.
#pragma once
#include <string>

namespace rflab::core {

// OpenBLAS picks its kernels from the CPU model, and on a CPU it does not know (a virtual
// machine's generic "Intel Xeon Processor") falls back to its SSE3 "Prescott" kernels, 4-5x
// slower than the AVX-512 ones the CPU has. The kernel family for a CPU's feature flags (the
// "flags" line of /proc/cpuinfo): "SkylakeX" with AVX-512 F/BW/VL/DQ, "Haswell" with AVX2 and
// FMA, else "" (OpenBLAS's own choice).
std::string openblas_coretype_for(const std::string& cpu_flags);

// The environment the pools and OpenBLAS read once, when libgomp and OpenBLAS load: passive
// waiting (OMP_WAIT_POLICY, OPENBLAS_THREAD_TIMEOUT) and the kernel family (OPENBLAS_CORETYPE,
// from openblas_coretype_for). A process must have them before it starts, so this re-executes
// the program (its own file, same argv) with whichever of them is unset; a value the user set
// is kept. Call first thing in main(). Returns only when nothing needed changing or the
// re-execution failed.
void ensure_blas_environment(char** argv);
// Whether this process started with passive waiting in both pools.
bool passive_waiting();

}  // namespace rflab::core
