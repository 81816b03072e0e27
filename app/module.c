/*
 * Kore's entry points: the parent process reads Parley's configuration,
 * registers the database and loads the assets before the workers fork,
 * chroot and drop privileges; the workers inherit all of it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#include <sodium.h>
#include <curl/curl.h>

#include "api.h"
#include "assets.h"
#include "ca_bundle.h"
#include "hook_net.h"
#include "cache.h"
#include "chroot_etc.h"
#include "listen.h"
#include "replica.h"
#include "db.h"
#include "deliver_thread.h"
#include "handler_metrics.h"
#include "keys.h"
#include "password.h"
#include "stream.h"
#include "parley.h"

#define CONFIG_DEFAULT "conf/parley.conf"
/* Answers cached per worker; the RSS budget is 48 MiB for all processes. */
#define CACHE_BUDGET (4 * 1024 * 1024)

struct config          parley_config;
struct netaddr_proxies parley_proxies;

void kore_parent_configure(int, char **);
void kore_worker_configure(void);

/*
 * What hooks' libcurl needs in the workers' chroot, where /etc is empty:
 * the CAs that https is checked against, read into memory here (the
 * system's bundle, plus hook_ca_file for a private CA), and copies of
 * the resolver's files for host names. As root, before any worker.
 */
static void
hooks_sandbox_prepare(void)
{
	char err[512];
	int  n;

	if (ca_bundle_check(err, sizeof(err)) == -1)
		fatal("parley: %s", err);
	if (ca_bundle_add_file(ca_bundle_system_path(), err, sizeof(err)) == -1)
		kore_log(LOG_WARNING,
		    "parley: no system CA bundle (%s): "
		    "https hooks trust only hook_ca_file",
		    err);
	if (parley_config.hook_ca_file != NULL &&
	    ca_bundle_add_file(parley_config.hook_ca_file, err, sizeof(err)) ==
	        -1)
		fatal("parley: hook_ca_file: %s", err);
	kore_log(LOG_INFO, "parley: hooks trust %zu CA certificates%s",
	    ca_bundle_count(),
	    parley_config.hook_ca_file != NULL ? " (hook_ca_file included)" :
	                                         "");
	hook_net_allow_private(parley_config.hook_allow_private_networks);
	if (parley_config.hook_allow_private_networks)
		kore_log(LOG_NOTICE,
		    "parley: hooks may reach private "
		    "networks (hook_allow_private_networks = yes)");
	/* Without a chroot the workers read the system's /etc itself. */
	if (skip_chroot)
		return;
	if ((n = chroot_etc_copy("/etc", kore_root_path, err, sizeof(err))) ==
	    -1)
		fatal("parley: resolver files for the chroot: %s", err);
	if (n > 0)
		kore_log(LOG_INFO,
		    "parley: copied %d resolver files into "
		    "%s/etc; a later change to /etc/hosts or "
		    "/etc/resolv.conf needs a restart",
		    n, kore_root_path);
}

/*
 * Request bodies up to import_max_mib (an import's file), kept in memory
 * up to API_BODY_MAX and in files under the root's tmp_files/ beyond:
 * the directory must be the workers' to write.
 */
static void
bodies_prepare(void)
{
	struct passwd *pw;
	char           dir[PATH_MAX];

	http_body_max = (size_t)parley_config.import_max_mib * 1024 * 1024;
	http_body_disk_offload = API_BODY_MAX;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", kore_root_path,
	        http_body_disk_path) >= sizeof(dir))
		fatal("parley: the root path is too long");
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		fatal("parley: cannot create %s: %s", dir, errno_s);
	if (skip_runas || kore_runas_user == NULL)
		return;
	if ((pw = getpwnam(kore_runas_user)) == NULL)
		fatal("parley: no user %s", kore_runas_user);
	if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
		fatal("parley: cannot give %s to %s: %s", dir, kore_runas_user,
		    errno_s);
}

void
kore_parent_configure(int argc, char **argv)
{
	const char *path;
	char        err[512];
	char        dummy[PASSWORD_HASH_MAX];

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		fatal("libsodium could not be initialised");
	if ((path = getenv("PARLEY_CONF")) == NULL)
		path = CONFIG_DEFAULT;
	if (config_load(&parley_config, path, err, sizeof(err)) == -1)
		fatal("parley: config: %s", err);
	if (parley_config.trusted_proxies != NULL &&
	    netaddr_proxies_parse(&parley_proxies,
	        parley_config.trusted_proxies) == -1)
		fatal("parley: config: bad trusted_proxies");
	if (!kore_pgsql_register(DB_NAME, parley_config.database))
		fatal("parley: cannot register the database");
	/* Its own pool: a query names which one it goes to (db.c). */
	if (parley_config.database_replica != NULL &&
	    !kore_pgsql_register(DB_REPLICA, parley_config.database_replica))
		fatal("parley: cannot register database_replica");
	db_prepared_statements(parley_config.prepared_statements);
	if (!parley_config.prepared_statements)
		kore_log(LOG_INFO,
		    "parley: prepared_statements = no: queries go unnamed");
	if (assets_load(parley_config.assets_dir, err, sizeof(err)) == -1)
		fatal("parley: assets: %s", err);
	/* As root, before the workers chroot and drop privileges. */
	if (keys_load(parley_config.key_file, err, sizeof(err)) == -1)
		fatal("parley: keys: %s", err);
	/* Before any thread exists, as libcurl asks. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatal("parley: libcurl could not be initialised");
	hooks_sandbox_prepare();
	bodies_prepare();
	/* Shared by the workers forked after this: the node's stream
	 * counts. Kore has read "workers" by now (0: one per CPU) and
	 * adds its key manager's slots only later. */
	if (stream_parent_init(worker_count > 0 ? worker_count : cpu_count,
	        parley_config.stream_max) == -1)
		fatal("parley: no shared memory for the stream counts: %s",
		    errno_s);
	/* The same for /metrics' counters; its listener is bound here too,
	 * as root, like Kore's own. */
	switch (metrics_parent_init(worker_count > 0 ? worker_count : cpu_count,
	    &parley_config)) {
	case -1:
		fatal("parley: no shared memory for the metrics: %s", errno_s);
	case -2:
		fatal("parley: cannot listen for /metrics on %s:%s",
		    parley_config.metrics_host, parley_config.metrics_port);
	default:
		break;
	}
	/* Made once here (no hashing: random bytes) for every worker. */
	if (password_dummy_hash(dummy) == -1)
		fatal("parley: cannot hash a password");
	sodium_memzero(dummy, sizeof(dummy));
	kore_log(LOG_INFO, "parley: config %s, assets from %s", path,
	    parley_config.assets_dir);
}

void
kore_worker_configure(void)
{
	/* libsodium was initialised in the parent; this only checks it. */
	if (sodium_init() < 0)
		fatal("libsodium could not be initialised");
	/* First: what follows may count. */
	metrics_worker_init(worker->id - 1);
	cache_init(CACHE_BUDGET);
	/* Kore's workers are numbered from 1, a restarted one keeping its
	 * number. */
	stream_init(worker->id - 1, parley_config.stream_heartbeat_ms);
	/* LISTEN needs a session of its own: database_listen is a direct
	 * connection even when database goes through PgBouncer. */
	listen_start(parley_config.database_listen);
	replica_start(parley_config.database_replica);
	if (parley_config.deliver_hooks)
		deliver_thread_start(parley_config.database_listen);
}
