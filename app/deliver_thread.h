#ifndef PARLEY_DELIVER_THREAD_H
#define PARLEY_DELIVER_THREAD_H

/* In the first worker only: starts the hook deliverer's thread. */
void deliver_thread_start(const char *conninfo);

#endif
