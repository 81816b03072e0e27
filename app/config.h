/*
 * Parley's own settings file (Kore's config has no room for them): lines of
 * "name = value", '#' comments. Read once in Kore's parent process.
 */
#ifndef PARLEY_CONFIG_H
#define PARLEY_CONFIG_H

#include <stddef.h>

#define CONFIG_ORIGINS_MAX 16

struct config {
	char *database; /* libpq connection string */
	/* A direct connection (never through a transaction-pooling
	 * PgBouncer) for what needs a session of its own: each worker's
	 * LISTEN, the deliverer (which LISTENs too) and imports (a session
	 * lock). Defaults to database. */
	char *database_listen;
	/* A hot standby streaming from database's primary (libpq string),
	 * for anonymous reads (replica.h); NULL: none. */
	char *database_replica;
	/* 1: each pooled connection prepares its statements once, by name;
	 * 0: every query is sent unnamed (Parse, Bind, Execute in one go),
	 * as PgBouncer in transaction mode needs. */
	int    prepared_statements;
	char  *assets_dir; /* read at start-up */
	char  *origins[CONFIG_ORIGINS_MAX]; /* CORS: allowed origins */
	size_t norigins;
	char  *key_file; /* server secrets, created on first start */
	char  *trusted_proxies; /* addresses/blocks believed for XFF */
	int    session_ttl_seconds; /* sliding session lifetime */
	int    deliver_hooks; /* 1: a worker sends event hooks */
	/* PEM file of CAs that hooks' https also trusts (a private CA),
	 * besides the system's bundle; NULL: none. Read at start-up. */
	char *hook_ca_file;
	/* 1: hooks may reach loopback, private and link-local addresses
	 * (hook_net.h); off by default. */
	int hook_allow_private_networks;
	/* The largest file the admin API imports, in MiB (also Kore's
	 * largest request body: every other endpoint refuses more than
	 * 64 KiB itself). */
	int import_max_mib;
	/* Live streams a node holds at most, counted across its workers
	 * in shared memory (stream_caps.h). */
	int stream_max;
	/* How often every stream hears a heartbeat (ms, 15000); shorter
	 * only for tests. */
	int stream_heartbeat_ms;
	/* Parley's public base URL ("https://comments.example.org", no
	 * trailing slash): links in mail and feeds. NULL: not set. */
	char *public_url;
	/* Mail (notifications): off unless smtp_url is set. smtp://host:587
	 * requires STARTTLS, smtps:// is TLS from the start, and plain
	 * smtp:// only to a relay on a loopback address. */
	char *smtp_url;
	char *smtp_user; /* NULL: no login */
	char *smtp_password;
	char *mail_from; /* the sender's address, required with smtp_url */
	/* /metrics' own listener (metrics_listen = HOST:PORT, or off):
	 * a numeric address ([...] for IPv6) and a port; metrics_host NULL:
	 * off. 127.0.0.1:9181 unless set. */
	char *metrics_host;
	char *metrics_port;
};

/* 0 on success; -1 with a message in err (size errlen) otherwise. */
int  config_load(struct config *, const char *path, char *err, size_t errlen);
int  config_parse(struct config *, const char *text, char *err, size_t errlen);
void config_free(struct config *);

#endif
