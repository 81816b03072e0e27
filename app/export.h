/*
 * Parley's export (gzipped JSON lines, export_lines() in
 * sql/functions/import.sql) written to a file: rows come one at a time
 * (libpq's single-row mode) and go straight through zlib, so memory
 * stays flat whatever the size of the database. Kore-free, on libpq;
 * blocking: run it off the event loop.
 */
#ifndef PARLEY_EXPORT_H
#define PARLEY_EXPORT_H

#include <stddef.h>

/* Writes the export of the database at conninfo to fd (from its offset;
 * fd stays open): 0, or -1 with err filled. */
int export_write(const char *conninfo, int fd, char *err, size_t errlen);

#endif
