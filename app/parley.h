/*
 * Process-wide state set up in Kore's parent process (module.c) and
 * inherited by the workers.
 */
#ifndef PARLEY_H
#define PARLEY_H

#include "config.h"
#include "netaddr.h"

extern struct config          parley_config;
extern struct netaddr_proxies parley_proxies;

/* Mail (notifications, digests) is on: an SMTP relay is configured. */
static inline int
mail_enabled(void)
{
	return (parley_config.smtp_url != NULL);
}

#endif
