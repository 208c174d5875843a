// MIGSCHED_CHECK: aborts with a message when a programmer's invariant breaks.
// Never for bad input — that is a Status. MIGSCHED_DCHECK is compiled out of
// release builds, for checks on hot paths.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MIGSCHED_CHECK(cond)                                                        \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

#ifdef NDEBUG
#define MIGSCHED_DCHECK(cond) \
  do {                        \
  } while (false)
#else
#define MIGSCHED_DCHECK(cond) MIGSCHED_CHECK(cond)
#endif
