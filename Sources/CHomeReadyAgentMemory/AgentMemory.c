// The agent's allocator settings, applied before main and before any thread starts (glibc reads M_ARENA_MAX
// when a thread first allocates, so a Swift call at the top of main would come too late for libdispatch's
// threads). A check runs a dozen short-lived threads (curl transfers, UDP probes, Swift's cooperative pool):
// glibc gives each its own 64 MiB arena and keeps freed memory in it, which a full check paid for in resident
// memory. Two arenas and an earlier trim keep the peak lower at no measurable cost in speed (docs/performance.md).
#include "CHomeReadyAgentMemory.h"

#if defined(__linux__)
#include <malloc.h>  // defines __GLIBC__ on glibc systems (the compiler does not)
#endif

#if defined(__GLIBC__)
static int arenas = 0;

__attribute__((constructor)) static void homeready_agent_memory(void) {
    arenas = 2;
    mallopt(M_ARENA_MAX, arenas);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

int homeready_agent_malloc_arenas(void) { return arenas; }
#else
int homeready_agent_malloc_arenas(void) { return 0; }
#endif
