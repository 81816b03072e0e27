/*
 * Threads of Parley's own inside a worker (the hook deliverer, imports,
 * exports): started detached, with every signal blocked, since signals
 * are the event loop's business and Kore handles them on its thread.
 */
#ifndef PARLEY_SPAWN_H
#define PARLEY_SPAWN_H

/* Starts fn(arg) in a detached thread: 0, or -1 (logged, naming what). */
int spawn_detached(void *(*fn)(void *), void *arg, const char *what);

#endif
