// What the C++ compiler did to the CPU backend, for kernels that must give the CPU's bits.
#pragma once

namespace dn::cuda {

// Whether the C++ compiler that built tensor/cpu/ contracts a*b + c into one fused
// multiply-add. GCC does so by default whenever the target has FMA instructions (here:
// -march=native on any recent x86-64), also in -std=c++20 mode. Computed in a file built
// with the same flags as tensor/cpu/ (host_flags.cpp), not by nvcc.
bool cpu_fuses_multiply_add();

}  // namespace dn::cuda
