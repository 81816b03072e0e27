/*
 * Word lists for moderation: find whether any entry occurs in a text,
 * as a reader would see it (case, compatibility forms such as full-width
 * letters, and invisible format characters such as the soft hyphen make
 * no difference) and on word boundaries ("ass" does not match "class").
 * An entry of several words ("buy now") matches that phrase with the same
 * characters between its words. Built once per list, matched many times:
 * a list of thousands of entries must cost about the same per text as a
 * short one.
 */
#ifndef PARLEY_WORDLIST_H
#define PARLEY_WORDLIST_H

#include <stddef.h>

struct wordlist {
	char **entries; /* lower-cased, NUL-terminated, owned */
	size_t n;
	void  *index; /* private: whatever makes lookups fast */
};

void wordlist_init(struct wordlist *);
/* Adds an entry (lower-cased copy; blank or duplicate entries ignored). */
void wordlist_add(struct wordlist *, const char *, size_t);
/*
 * The first entry occurring in text (UTF-8, len bytes) as a whole word or
 * phrase: preceded and followed by a non-word character or the text's
 * ends, where word characters are letters and digits of any script,
 * '_' and '\''. Text and entries are compared with format characters
 * (Unicode category Cf) removed, in NFKC and case-folded (libunistring).
 * Returns the entry, or NULL.
 */
const char *wordlist_match(const struct wordlist *, const char *, size_t);
void        wordlist_free(struct wordlist *);

#endif
