// Sorting many float scores quickly and in place (the exact pixel metrics sort every pixel
// of a class: up to hundreds of millions of floats).
#pragma once
#include <span>

namespace dn::eval {

// Sorts ascending (-0 and +0 count as equal, NaN is not allowed). One in-place radix pass
// on the top 16 bits of the float order key (eval/float_key.h) splits the values into
// 65536 buckets that are already in order; the buckets, small and independent, are then
// sorted in parallel. Same result as std::sort, several times faster on large inputs,
// with no extra memory beyond 0.5 MiB of counters.
void sort_scores(std::span<float> values);

}  // namespace dn::eval
