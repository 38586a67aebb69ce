#ifndef CHOMEREADY_AGENT_MEMORY_H
#define CHOMEREADY_AGENT_MEMORY_H

/// How many malloc arenas the agent allows (set before main by this target's constructor; glibc only).
int homeready_agent_malloc_arenas(void);

#endif
