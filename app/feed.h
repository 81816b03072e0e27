/*
 * Atom feeds of comments (RFC 4287, with RFC 4685's thr:in-reply-to):
 * a post's newest approved comments, or the whole site's. Written from
 * plain structs that storage fills; no Kore types, so unit tests check
 * the XML directly. Every string is hostile (names, titles, post URLs
 * and keys come from readers): each is escaped, and what XML 1.0 cannot
 * hold (most C0 controls, U+FFFE, U+FFFF, surrogates, invalid UTF-8) is
 * removed, so the document is always well-formed.
 */
#ifndef PARLEY_FEED_H
#define PARLEY_FEED_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define FEED_ENTRIES_MAX 50 /* comments in one feed */
#define FEED_TYPE        "application/atom+xml; charset=utf-8"
/* The date of every tag: id ("tag:HOST,2026:comment-7"). It names the
 * year the ids were first minted and must never change, or every feed
 * reader would see every comment again as new. */
#define FEED_TAG_DATE      "2026"
#define FEED_AUTHORITY_MAX 253 /* a DNS name's bytes */
/* The authority of tag: ids when no DNS name is known (an IPv6 Host). */
#define FEED_AUTHORITY_FALLBACK "localhost"

/* One approved comment, as storage reads it; strings borrowed. */
struct feed_entry {
	int64_t     id;
	int64_t     parent_id; /* 0: top level */
	const char *author_name;
	const char *html; /* the stored, sanitised rendering */
	const char *created_at; /* RFC 3339 UTC */
	const char *edited_at; /* NULL: never edited */
	const char *post_key; /* the post it is under */
	const char *post_title; /* "" or NULL: none */
	const char *post_url; /* "" or NULL: none */
};

struct feed {
	/* The authority of every tag: id (feed_authority). */
	const char *authority;
	/* Parley's address without a trailing slash ("https://c.example.org"):
	 * the feed's own link, and thread.html for posts without a URL. */
	const char *base;
	/* NULL: the site's feed; else the post's key (the post itself may be
	 * unknown: an empty feed). */
	const char *post_key;
	const char *post_title; /* NULL or "": none */
	const char *post_url; /* NULL or "": none */
	const char *post_created; /* RFC 3339; NULL: no such post */
	const struct feed_entry *entries; /* newest first */
	size_t                   nentries;
};

/*
 * The host of url ("https://User@Comments.Example.org:8443/x" gives
 * "comments.example.org"), lower case, as a tag: URI's authority (RFC
 * 4151: a DNS name, so no port). A host that is not a DNS name (an IPv6
 * literal, anything malformed) gives FEED_AUTHORITY_FALLBACK.
 */
void feed_authority(const char *url, char out[FEED_AUTHORITY_MAX + 1]);

/* Writes the feed, an XML document in UTF-8. */
void feed_write_atom(struct buf *, const struct feed *);

/*
 * The feed's address, escaped for a double-quoted attribute in XML or
 * HTML: base ("" for a link relative to Parley's root), then
 * "/feed/comments.atom", then "?post=" and the key percent-encoded when
 * key is not NULL.
 */
void feed_write_url(struct buf *, const char *base, const char *key);

/*
 * Appends n bytes of s as XML character data: & < > " ' escaped, and
 * every character XML 1.0 does not allow removed, with each byte that
 * is not part of valid UTF-8. In an attribute (in_attribute 1) tab, LF
 * and CR become character references, which attribute-value
 * normalisation would otherwise turn into spaces; CR does everywhere.
 */
void feed_escape_xml(struct buf *, const char *, size_t, int in_attribute);

#endif
