/*
 * parley-deliver: the hook deliverer (deliver.c) as a process of its own,
 * for extra nodes beside a database that Parley's workers already deliver
 * from, and for tests that race deliverers or kill one mid-delivery.
 *
 * Env: PARLEY_CONF (conf/parley.conf). SIGTERM or SIGINT: finishes the
 * delivery under way and exits 0.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "ca_bundle.h"
#include "hook_net.h"
#include "config.h"
#include "mail_send.h"
#include "deliver.h"
#include "keys.h"

#define RUN_AS "parley"

static volatile sig_atomic_t stopping;

static void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "deliver: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static int
stop_asked(void)
{
	return (stopping);
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * No SA_RESTART: a signal cuts short the wait for work (poll, sleep),
 * while libcurl, told not to use signals, carries the transfer on.
 */
static void
signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
	/* With CURLOPT_NOSIGNAL, ignoring SIGPIPE is ours to do. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction: %s", strerror(errno));
}

/*
 * Reads the config and the key file while still privileged: both are
 * readable by their owner only.
 */
static void
load_config(struct config *cfg)
{
	const char *path;
	char        err[512];

	if ((path = getenv("PARLEY_CONF")) == NULL || *path == '\0')
		path = "conf/parley.conf";
	if (config_load(cfg, path, err, sizeof(err)) == -1)
		fatal("%s", err);
}

/*
 * The CAs https hooks are checked against: the same as the workers'
 * (module.c), read the same way, so that every deliverer trusts the same.
 */
static void
load_cas(const struct config *cfg)
{
	char err[512];

	if (ca_bundle_check(err, sizeof(err)) == -1)
		fatal("%s", err);
	if (ca_bundle_add_file(ca_bundle_system_path(), err, sizeof(err)) == -1)
		fprintf(stderr,
		    "deliver: no system CA bundle (%s): https "
		    "hooks trust only hook_ca_file\n",
		    err);
	if (cfg->hook_ca_file != NULL &&
	    ca_bundle_add_file(cfg->hook_ca_file, err, sizeof(err)) == -1)
		fatal("hook_ca_file: %s", err);
	hook_net_allow_private(cfg->hook_allow_private_networks);
}

/*
 * Kore creates the key file on its first start, at the same moment as
 * we start: reading it before it is whole would fail, and creating it
 * ourselves could leave Kore reading our half-written file. So wait
 * for it to be there and complete (a key file is written in one go).
 */
static void
load_keys(const char *path)
{
	char err[512];
	int  tries;

	for (tries = 0;; tries++) {
		if (access(path, F_OK) == 0 &&
		    keys_load(path, err, sizeof(err)) == 0)
			return;
		if (stopping)
			exit(0);
		/* A malformed file stays malformed: give up after a while. */
		if (access(path, F_OK) == 0 && tries >= 10)
			fatal("%s", err);
		if (tries == 0)
			fprintf(stderr,
			    "deliver: waiting for the key "
			    "file %s\n",
			    path);
		/* A stop signal cuts the sleep short (no SA_RESTART). */
		(void)sleep(1);
	}
}

/*
 * As root, become the unprivileged user Kore's workers run as: this
 * process talks to arbitrary URLs and parses their answers.
 */
static void
drop_privileges(void)
{
	struct passwd *pw;
	uid_t          uid;
	gid_t          gid;

	if (geteuid() != 0)
		return;
	errno = 0;
	if ((pw = getpwnam(RUN_AS)) == NULL)
		fatal("no user '%s' to run as: %s", RUN_AS,
		    errno ? strerror(errno) : "not found");
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (setgroups(0, NULL) == -1 || setgid(gid) == -1 || setuid(uid) == -1)
		fatal("cannot become '%s': %s", RUN_AS, strerror(errno));
	/* Make sure there is no way back. */
	if (setuid(0) != -1 || geteuid() == 0)
		fatal("still able to become root after dropping privileges");
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: parley-deliver\n"
	    "Sends Parley's event hooks: claims due deliveries from the\n"
	    "database named in PARLEY_CONF (default conf/parley.conf; its\n"
	    "database_listen line, a direct connection, when set), signs\n"
	    "and POSTs them, and records each attempt. Parley's first worker\n"
	    "already runs one (unless deliver_hooks = no); run more on other\n"
	    "machines. With smtp_url set it also sends the mail outbox\n"
	    "(notifications, digests) through that relay. SIGTERM finishes\n"
	    "the delivery under way and exits.\n");
}

int
main(int argc, char **argv)
{
	struct config    cfg;
	struct mail_conf mail;

	if (argc > 1) {
		usage(strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return (strcmp(argv[1], "--help") == 0 ? 0 : 2);
	}
	if (sodium_init() < 0)
		fatal("sodium_init failed");
	signals_init();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatal("curl_global_init failed");
	load_config(&cfg);
	load_cas(&cfg);
	load_keys(cfg.key_file);
	drop_privileges();
	if (deliver_run(cfg.database_listen, mail_conf_of(&cfg, &mail),
	        stop_asked) == -1)
		exit(1);

	ca_bundle_clear();
	curl_global_cleanup();
	keys_wipe();
	config_free(&cfg);
	return (0);
}
