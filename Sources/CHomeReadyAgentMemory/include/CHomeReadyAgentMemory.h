#ifndef CHOMEREADY_AGENT_MEMORY_H
#define CHOMEREADY_AGENT_MEMORY_H

/// How many malloc arenas the agent allows (set before main by this target's constructor; glibc only).
int homeready_agent_malloc_arenas(void);

/// The answer the agent gives GnuTLS's library constructor when it asks whether to skip its initialisation (1:
/// skip; UnusedLibraries.c).
int homeready_agent_skips_gnutls_init(void);

#endif
