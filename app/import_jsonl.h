/*
 * Reads Parley's own export (scripts/export.sh: gzipped JSON lines, a
 * header first) as a stream, handing posts and comments to the same sink
 * as the WordPress and Disqus readers (import_xml.h), and settings,
 * accounts and bans as their JSON lines. Kore-free, on jansson and zlib.
 */
#ifndef PARLEY_IMPORT_JSONL_H
#define PARLEY_IMPORT_JSONL_H

#include <stddef.h>

#include "import_xml.h"

/* The longest line read (a comment of the largest body, escaped). */
#define IMPORT_JSONL_LINE_MAX (8 * 1024 * 1024)

/* Reads the export open at fd (gzipped or not; fd stays open, as with
 * import_xml_read): 0, or -1 with err filled (not an export of a version
 * this Parley reads, a bad line and its number, or what a sink said). */
int import_jsonl_read(int fd, const struct import_sink *, char *err,
    size_t errlen);

#endif
