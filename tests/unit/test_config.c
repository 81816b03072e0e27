/*
 * Unit tests for app/config.c: Parley's "name = value" settings file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"

/* Parses text, expecting success; the caller frees c. */
static void
parse_ok(struct config *c, const char *text)
{
	char err[256];

	err[0] = '\0';
	cr_assert_eq(config_parse(c, text, err, sizeof(err)), 0,
	    "refused (%s): %s", err, text);
}

/* Parses text, expecting failure with an error that contains want. */
static void
parse_fails(const char *text, const char *want)
{
	struct config c;
	char          err[256];

	memset(err, 0, sizeof(err));
	cr_assert_eq(config_parse(&c, text, err, sizeof(err)), -1,
	    "accepted: %s", text);
	cr_assert_not_null(strstr(err, want),
	    "error \"%s\" does not mention \"%s\"", err, want);
	/* Everything is freed and cleared on failure. */
	cr_assert_null(c.database);
	cr_assert_null(c.assets_dir);
	cr_assert_eq(c.norigins, 0);
}

Test(config, full_example)
{
	struct config c;

	parse_ok(&c,
	    "# Parley settings\n"
	    "database = host=/var/run/postgresql dbname=parley user=parley\n"
	    "assets_dir = /srv/parley/assets\n"
	    "\n"
	    "allowed_origins = https://blog.example, https://www.blog.example"
	    "  http://localhost:4000,,https://x.example\n"
	    "session_ttl_seconds = 7\n");
	cr_assert_str_eq(c.database,
	    "host=/var/run/postgresql dbname=parley user=parley");
	cr_assert_str_eq(c.assets_dir, "/srv/parley/assets");
	cr_assert_eq(c.norigins, 4);
	cr_assert_str_eq(c.origins[0], "https://blog.example");
	cr_assert_str_eq(c.origins[1], "https://www.blog.example");
	cr_assert_str_eq(c.origins[2], "http://localhost:4000");
	cr_assert_str_eq(c.origins[3], "https://x.example");
	cr_assert_eq(c.session_ttl_seconds, 7);
	config_free(&c);
	cr_assert_null(c.database);
	cr_assert_null(c.assets_dir);
	cr_assert_eq(c.norigins, 0);
}

Test(config, defaults)
{
	struct config c;

	parse_ok(&c, "database = dbname=parley\n");
	cr_assert_str_eq(c.database, "dbname=parley");
	cr_assert_str_eq(c.assets_dir, "assets");
	cr_assert_eq(c.session_ttl_seconds, 30 * 86400);
	cr_assert_eq(c.norigins, 0);
	config_free(&c);

	/* No newline at the end. */
	parse_ok(&c, "database=x");
	cr_assert_str_eq(c.database, "x");
	config_free(&c);
}

Test(config, comments_blank_lines_and_whitespace)
{
	struct config c;

	parse_ok(&c,
	    "\n"
	    "   # an indented comment = with an equals sign\n"
	    "\t\n"
	    "#database = commented out\n"
	    "   database\t=   dbname=parley   \r\n"
	    "\r\n"
	    "\tassets_dir=  ./my assets  \n"
	    "allowed_origins =\thttps://a.example\t,\thttps://b.example \n"
	    "  session_ttl_seconds =  3\t\n"
	    "\n\n");
	cr_assert_str_eq(c.database, "dbname=parley");
	cr_assert_str_eq(c.assets_dir, "./my assets");
	cr_assert_eq(c.norigins, 2);
	cr_assert_str_eq(c.origins[0], "https://a.example");
	cr_assert_str_eq(c.origins[1], "https://b.example");
	cr_assert_eq(c.session_ttl_seconds, 3);
	config_free(&c);
}

Test(config, values_keep_equals_and_hash)
{
	struct config c;

	parse_ok(&c, "database = password=a#b=c dbname=p\n");
	cr_assert_str_eq(c.database, "password=a#b=c dbname=p");
	config_free(&c);
}

Test(config, later_lines_win_and_origins_add_up)
{
	struct config c;

	parse_ok(&c,
	    "database = first\n"
	    "assets_dir = one\n"
	    "allowed_origins = https://a.example\n"
	    "database = second\n"
	    "assets_dir = two\n"
	    "allowed_origins = https://b.example https://c.example\n"
	    "session_ttl_seconds = 1\n"
	    "session_ttl_seconds = 20\n");
	cr_assert_str_eq(c.database, "second");
	cr_assert_str_eq(c.assets_dir, "two");
	cr_assert_eq(c.norigins, 3);
	cr_assert_str_eq(c.origins[0], "https://a.example");
	cr_assert_str_eq(c.origins[1], "https://b.example");
	cr_assert_str_eq(c.origins[2], "https://c.example");
	cr_assert_eq(c.session_ttl_seconds, 20);
	config_free(&c);
}

Test(config, empty_origins)
{
	struct config c;

	parse_ok(&c,
	    "database = x\nallowed_origins =\nallowed_origins = , ,\n");
	cr_assert_eq(c.norigins, 0);
	config_free(&c);
}

Test(config, missing_database)
{
	parse_fails("", "database");
	parse_fails("# nothing\n\n", "database");
	parse_fails("assets_dir = a\nallowed_origins = https://a.example\n"
	            "session_ttl_seconds = 3\n",
	    "database");
}

Test(config, unknown_setting)
{
	parse_fails("database = x\ncolour = blue\n", "colour");
	parse_fails("database = x\nDatabase = y\n", "Database");
	parse_fails("database = x\nmax depth = 2\n", "max depth");
	parse_fails("database = x\n= y\n", "unknown");
	/* After origins were allocated: they are freed (LeakSanitizer). */
	parse_fails("database = x\nallowed_origins = https://a https://b\n"
	            "assets_dir = y\nbogus = 1\n",
	    "bogus");
}

Test(config, line_without_equals)
{
	parse_fails("database = x\nassets_dir /srv\n", "line 2");
	parse_fails("just words\n", "line 1");
	parse_fails("# comment\ndatabase = x\n  # another\nnope\n", "line 4");
}

/* Blank lines are lines too: the number must be the one an editor shows. */
Test(config, line_number_counts_blank_lines)
{
	struct config c;
	char          err[256];

	memset(err, 0, sizeof(err));
	cr_assert_eq(config_parse(&c, "database = x\n\n\nnope\n", err,
	                 sizeof(err)),
	    -1);
	cr_expect_not_null(strstr(err, "line 4"),
	    "error \"%s\" should name line 4", err);

	memset(err, 0, sizeof(err));
	cr_assert_eq(config_parse(&c, "\n\n\n\n\n\n\n\n\nwrong\n", err,
	                 sizeof(err)),
	    -1);
	cr_expect_not_null(strstr(err, "line 10"),
	    "error \"%s\" should name line 10", err);
}

Test(config, session_ttl_range)
{
	struct config c;
	const char   *k = "session_ttl_seconds";

	parse_fails("database = x\nsession_ttl_seconds = 0\n", k);
	parse_fails("database = x\nsession_ttl_seconds = 31536001\n", k);
	parse_fails("database = x\nsession_ttl_seconds = x\n", k);
	parse_fails("database = x\nsession_ttl_seconds =\n", k);
	parse_fails("database = x\nsession_ttl_seconds = 5x\n", k);
	parse_fails("database = x\nsession_ttl_seconds = 5 6\n", k);
	parse_fails("database = x\nsession_ttl_seconds = -1\n", k);
	parse_fails("database = x\nsession_ttl_seconds = "
	            "99999999999999999999999\n",
	    k);

	parse_ok(&c, "database = x\nsession_ttl_seconds = 1\n");
	cr_assert_eq(c.session_ttl_seconds, 1);
	config_free(&c);
	parse_ok(&c, "database = x\nsession_ttl_seconds = 31536000\n");
	cr_assert_eq(c.session_ttl_seconds, 31536000);
	config_free(&c);
}

Test(config, deliver_hooks_flag)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_eq(c.deliver_hooks, 1, "a worker delivers by default");
	config_free(&c);
	parse_ok(&c, "database = x\ndeliver_hooks = no\n");
	cr_assert_eq(c.deliver_hooks, 0);
	config_free(&c);
	parse_ok(&c, "database = x\ndeliver_hooks = no\ndeliver_hooks = yes\n");
	cr_assert_eq(c.deliver_hooks, 1);
	config_free(&c);
	parse_fails("database = x\ndeliver_hooks = 0\n", "deliver_hooks");
	parse_fails("database = x\ndeliver_hooks = YES\n", "deliver_hooks");
	parse_fails("database = x\ndeliver_hooks =\n", "deliver_hooks");
}

Test(config, import_max_mib)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_eq(c.import_max_mib, 256, "256 MiB by default");
	config_free(&c);
	parse_ok(&c, "database = x\nimport_max_mib = 4096\n");
	cr_assert_eq(c.import_max_mib, 4096);
	config_free(&c);
	parse_fails("database = x\nimport_max_mib = 0\n", "import_max_mib");
	parse_fails("database = x\nimport_max_mib = 4097\n", "import_max_mib");
	parse_fails("database = x\nimport_max_mib = 1g\n", "import_max_mib");
}

Test(config, stream_max)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_eq(c.stream_max, 10000);
	config_free(&c);
	parse_ok(&c, "database = x\nstream_max = 2\n");
	cr_assert_eq(c.stream_max, 2);
	config_free(&c);
	parse_fails("database = x\nstream_max = 0\n", "stream_max");
}

Test(config, stream_heartbeat_ms)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_eq(c.stream_heartbeat_ms, 15000);
	config_free(&c);
	parse_ok(&c, "database = x\nstream_heartbeat_ms = 500\n");
	cr_assert_eq(c.stream_heartbeat_ms, 500);
	config_free(&c);
	parse_fails("database = x\nstream_heartbeat_ms = 99\n",
	    "stream_heartbeat_ms");
	parse_fails("database = x\nstream_heartbeat_ms = 60001\n",
	    "stream_heartbeat_ms");
}

Test(config, hook_ca_file)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_null(c.hook_ca_file, "only the system's CAs by default");
	config_free(&c);
	parse_ok(&c, "database = x\nhook_ca_file = /etc/parley/ca one.pem\n");
	cr_assert_str_eq(c.hook_ca_file, "/etc/parley/ca one.pem");
	config_free(&c);
	cr_assert_null(c.hook_ca_file, "freed and cleared");
	/* Later lines win; an empty value (a template's) means none. */
	parse_ok(&c,
	    "database = x\nhook_ca_file = a.pem\nhook_ca_file = b.pem\n");
	cr_assert_str_eq(c.hook_ca_file, "b.pem");
	config_free(&c);
	parse_ok(&c, "database = x\nhook_ca_file = a.pem\nhook_ca_file =\n");
	cr_assert_null(c.hook_ca_file);
	config_free(&c);
	/* Freed on a failure after it (ASan would see the leak). */
	parse_fails("hook_ca_file = a.pem\ndatabase = x\nnope = 1\n", "nope");
}

Test(config, origins_limit)
{
	struct config c;
	char          text[1024];
	size_t        i;
	int           n;

	n = snprintf(text, sizeof(text), "database = x\nallowed_origins =");
	for (i = 0; i < CONFIG_ORIGINS_MAX; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		    " https://o%zu.example", i);
	snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	parse_ok(&c, text);
	cr_assert_eq(c.norigins, CONFIG_ORIGINS_MAX);
	cr_assert_str_eq(c.origins[0], "https://o0.example");
	cr_assert_str_eq(c.origins[CONFIG_ORIGINS_MAX - 1],
	    "https://o15.example");
	config_free(&c);

	/* One more on the same line, or on a line of its own. */
	snprintf(text + n, sizeof(text) - (size_t)n, ",https://x.example\n");
	parse_fails(text, "allowed_origins");
	snprintf(text + n, sizeof(text) - (size_t)n,
	    "\nallowed_origins = https://x.example\n");
	parse_fails(text, "allowed_origins");
}

Test(config, small_error_buffer)
{
	struct config c;
	char          err[8];

	memset(err, 'X', sizeof(err));
	cr_assert_eq(config_parse(&c,
	                 "database = x\n"
	                 "a_very_long_unknown_setting_name = 1\n",
	                 err, sizeof(err)),
	    -1);
	cr_assert_eq(strnlen(err, sizeof(err)), sizeof(err) - 1);
	cr_assert_str_eq(err, "unknown");
}

Test(config, load_missing_file)
{
	struct config c;
	char          err[256];

	memset(err, 0, sizeof(err));
	cr_assert_eq(config_load(&c, "/nonexistent/parley.conf", err,
	                 sizeof(err)),
	    -1);
	cr_assert_not_null(strstr(err, "/nonexistent/parley.conf"), "%s", err);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
}

Test(config, load_directory)
{
	struct config c;
	char          err[256];

	memset(err, 0, sizeof(err));
	cr_assert_eq(config_load(&c, "/", err, sizeof(err)), -1);
	cr_assert_gt(strlen(err), 0);
}

/* Writes text to a new temporary file; returns its path (free it). */
static char *
temp_file(const char *text)
{
	char *path;
	FILE *f;
	int   fd;

	path = strdup("/tmp/parley-test-config-XXXXXX");
	cr_assert_not_null(path);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp failed");
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
	return (path);
}

Test(config, load_file)
{
	struct config c;
	char          err[256];
	char         *path;
	int           rc;

	path = temp_file(
	    "# test\ndatabase = dbname=parley_test\n"
	    "allowed_origins = http://127.0.0.1:8080\nsession_ttl_seconds = 4\n");
	err[0] = '\0';
	rc = config_load(&c, path, err, sizeof(err));
	unlink(path);
	free(path);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(c.database, "dbname=parley_test");
	cr_assert_str_eq(c.assets_dir, "assets");
	cr_assert_eq(c.norigins, 1);
	cr_assert_str_eq(c.origins[0], "http://127.0.0.1:8080");
	cr_assert_eq(c.session_ttl_seconds, 4);
	config_free(&c);
}

Test(config, load_file_with_error)
{
	struct config c;
	char          err[256];
	char         *path;
	int           rc;

	path = temp_file("database = x\nsession_ttl_seconds = 0\n");
	err[0] = '\0';
	rc = config_load(&c, path, err, sizeof(err));
	unlink(path);
	free(path);
	cr_assert_eq(rc, -1);
	cr_assert_not_null(strstr(err, "session_ttl_seconds"), "%s", err);
	cr_assert_null(c.database);
}

Test(config, load_empty_file)
{
	struct config c;
	char          err[256];
	char         *path;
	int           rc;

	path = temp_file("");
	err[0] = '\0';
	rc = config_load(&c, path, err, sizeof(err));
	unlink(path);
	free(path);
	cr_assert_eq(rc, -1);
	cr_assert_not_null(strstr(err, "database"), "%s", err);
}

Test(config, mail_settings)
{
	struct config c;

	parse_ok(&c,
	    "database = x\n"
	    "public_url = https://comments.example.org/\n"
	    "smtp_url = smtp://mail.example.org:587\n"
	    "smtp_user = parley\nsmtp_password = p=w#1\n"
	    "mail_from = Blog comments <c@example.org>\n");
	cr_assert_str_eq(c.public_url, "https://comments.example.org");
	cr_assert_str_eq(c.smtp_url, "smtp://mail.example.org:587");
	cr_assert_str_eq(c.smtp_password, "p=w#1");
	cr_assert_str_eq(c.mail_from, "Blog comments <c@example.org>");
	config_free(&c);
	/* Mail is off unless smtp_url is set; empty values are unset. */
	parse_ok(&c, "database = x\nsmtp_url =\nmail_from =\n");
	cr_assert_null(c.smtp_url);
	cr_assert_null(c.mail_from);
	cr_assert_null(c.public_url);
	config_free(&c);
}

Test(config, mail_settings_refused)
{
	parse_fails("database = x\nsmtp_url = http://mail.example.org\n",
	    "smtp_url must be");
	parse_fails("database = x\nmail_from = not an address\n",
	    "mail_from must be");
	parse_fails("database = x\nmail_from = Caf\xc3\xa9 <c@example.org>\n",
	    "mail_from must be");
	parse_fails("database = x\npublic_url = ftp://example.org\n",
	    "public_url must be");
	parse_fails("database = x\nsmtp_url = smtps://mail.example.org\n"
	            "mail_from = c@example.org\n",
	    "smtp_url needs mail_from and public_url");
}

Test(config, metrics_listen)
{
	struct config c;

	parse_ok(&c, "database = x\n");
	cr_assert_str_eq(c.metrics_host, "127.0.0.1");
	cr_assert_str_eq(c.metrics_port, "9181");
	config_free(&c);

	parse_ok(&c, "database = x\nmetrics_listen = 10.0.0.5:9300\n");
	cr_assert_str_eq(c.metrics_host, "10.0.0.5");
	cr_assert_str_eq(c.metrics_port, "9300");
	config_free(&c);

	parse_ok(&c, "database = x\nmetrics_listen = [::1]:9181\n");
	cr_assert_str_eq(c.metrics_host, "::1");
	cr_assert_str_eq(c.metrics_port, "9181");
	config_free(&c);

	parse_ok(&c, "database = x\nmetrics_listen = off\n");
	cr_assert_null(c.metrics_host);
	cr_assert_null(c.metrics_port);
	config_free(&c);

	parse_fails("database = x\nmetrics_listen = localhost:9181\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen = 127.0.0.1\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen = 127.0.0.1:0\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen = 127.0.0.1:65536\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen = ::1:9181\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen = [::1:9181\n",
	    "metrics_listen");
	parse_fails("database = x\nmetrics_listen =\n", "metrics_listen");
}

Test(config, pgbouncer_settings)
{
	struct config c;

	/* By default statements are prepared and LISTEN uses database. */
	parse_ok(&c, "database = host=127.0.0.1 port=6432 dbname=parley\n");
	cr_assert_eq(c.prepared_statements, 1);
	cr_assert_str_eq(c.database_listen,
	    "host=127.0.0.1 port=6432 dbname=parley");
	/* No replica unless one is named. */
	cr_assert_null(c.database_replica);
	/* Its own copy: freed apart from database. */
	cr_assert_neq(c.database_listen, c.database);
	config_free(&c);
	cr_assert_null(c.database_listen);

	/* Through PgBouncer: unnamed statements, LISTEN direct. */
	parse_ok(&c,
	    "database = host=127.0.0.1 port=6432 dbname=parley user=parley\n"
	    "prepared_statements = no\n"
	    "database_listen = host=127.0.0.1 port=5432 dbname=parley "
	    "user=parley password=p=w#1\n"
	    "database_replica = host=10.0.0.2 port=5432 dbname=parley\n");
	cr_assert_eq(c.prepared_statements, 0);
	cr_assert_str_eq(c.database_replica,
	    "host=10.0.0.2 port=5432 dbname=parley");
	cr_assert_str_eq(c.database,
	    "host=127.0.0.1 port=6432 dbname=parley user=parley");
	cr_assert_str_eq(c.database_listen,
	    "host=127.0.0.1 port=5432 dbname=parley user=parley "
	    "password=p=w#1");
	config_free(&c);

	/* Order does not matter; empty (a template's) means database. */
	parse_ok(&c,
	    "prepared_statements = yes\ndatabase_listen =\n"
	    "database = x\n");
	cr_assert_eq(c.prepared_statements, 1);
	cr_assert_str_eq(c.database_listen, "x");
	config_free(&c);
	/* The last line wins, as for every setting. */
	parse_ok(&c,
	    "database = x\ndatabase_listen = y\ndatabase_listen = z\n"
	    "prepared_statements = no\nprepared_statements = yes\n");
	cr_assert_str_eq(c.database_listen, "z");
	cr_assert_eq(c.prepared_statements, 1);
	config_free(&c);
}

Test(config, pgbouncer_settings_refused)
{
	parse_fails("database = x\nprepared_statements = off\n",
	    "prepared_statements must be yes or no");
	parse_fails("database = x\nprepared_statements =\n",
	    "prepared_statements must be yes or no");
	parse_fails("database = x\nprepared_statements = 0\n",
	    "prepared_statements must be yes or no");
	/* database_listen does not stand in for database. */
	parse_fails("database_listen = x\n", "'database' is not set");
	parse_fails("database_listen = x\nprepared_statements = maybe\n",
	    "prepared_statements");
}
