/*
 * The standalone thread page's words and dates (see page_lang.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "page_lang.h"

static const struct page_lang langs[] = {
	{ "en", "Comments on", "1 comment", "%lld comments",
	    "This comment was deleted.",
	    "Name the post whose comments to show: thread.html?post=KEY.",
	    "No post named", "Comments feed",
	    { "January", "February", "March", "April", "May", "June", "July",
	        "August", "September", "October", "November", "December" },
	    "%m %d, %y, %t UTC", "Show 1 more reply", "Show %lld more replies",
	    "More comments" },
	{ "de", "Kommentare zu", "1 Kommentar", "%lld Kommentare",
	    "Dieser Kommentar wurde gelöscht.",
	    "Nennen Sie den Beitrag, dessen Kommentare gezeigt werden sollen: "
	    "thread.html?post=KEY.",
	    "Kein Beitrag genannt", "Kommentare als Feed",
	    { "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
	        "August", "September", "Oktober", "November", "Dezember" },
	    "%d. %m %y, %t UTC", "1 weitere Antwort zeigen",
	    "%lld weitere Antworten zeigen", "Weitere Kommentare" },
	{ "fr", "Commentaires sur", "1 commentaire", "%lld commentaires",
	    "Ce commentaire a été supprimé.",
	    "Indiquez l’article dont afficher les commentaires : "
	    "thread.html?post=KEY.",
	    "Aucun article indiqué", "Flux des commentaires",
	    { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	        "août", "septembre", "octobre", "novembre", "décembre" },
	    "%d %m %y à %t UTC", "Afficher 1 autre réponse",
	    "Afficher %lld autres réponses", "Plus de commentaires" },
};

const struct page_lang *
page_lang_find(const char *tag)
{
	size_t i, n;

	if (tag == NULL)
		return (&langs[0]);
	n = strcspn(tag, "-_");
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		if (n == strlen(langs[i].code) &&
		    strncasecmp(tag, langs[i].code, n) == 0)
			return (&langs[i]);
	}
	return (&langs[0]);
}

void
page_lang_date(struct buf *b, const struct page_lang *l, const char *at)
{
	int         y, mo, d, h, mi, s, end = 0;
	const char *p;

	if (at == NULL ||
	    sscanf(at, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s,
	        &end) != 6 ||
	    end != (int)strlen(at) || mo < 1 || mo > 12) {
		if (at != NULL)
			buf_puts(b, at);
		return;
	}
	for (p = l->date_pattern; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf_putc(b, *p);
			continue;
		}
		switch (*++p) {
		case 'd':
			buf_printf(b, "%d", d);
			break;
		case 'm':
			buf_puts(b, l->months[mo - 1]);
			break;
		case 'y':
			buf_printf(b, "%d", y);
			break;
		case 't':
			buf_printf(b, "%02d:%02d", h, mi);
			break;
		default:
			buf_putc(b, *p);
		}
	}
}
