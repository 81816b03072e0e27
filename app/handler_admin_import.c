/*
 * POST /api/v1/admin/import?format=wxr|disqus|parley[&key=id|path],
 * GET /api/v1/admin/import/ID and GET /api/v1/admin/export (admins).
 *
 * An import's file is the request body: Kore keeps it in a file of its
 * own beyond 64 KiB (module.c), which the import thread reads through a
 * descriptor of its own (import_thread.c); the answer, 202 {"job": ID},
 * comes as soon as the job's row is committed, and the thread writes its
 * progress there. An export is written by a thread to a file (unlinked
 * at once) and sent from a read-only mapping of it, so neither the
 * export nor its file is ever in the worker's heap.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "escape.h"
#include "export_task.h"
#include "import_thread.h"
#include "parley.h"

int handler_admin_import(struct http_request *);
int handler_admin_import_job(struct http_request *);
int handler_admin_export(struct http_request *);

/* A file of ours under Kore's tmp_files/, unlinked at once: -1 on
 * failure. */
static int
spool_open(void)
{
	char path[256];
	int  fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/parley-XXXXXX",
	        http_body_disk_path) >= sizeof(path))
		return (-1);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		kore_log(LOG_ERR, "parley: cannot create %s: %s", path,
		    errno_s);
		return (-1);
	}
	(void)unlink(path);
	return (fd);
}

/* The request body as a descriptor of its own at offset 0: -1 on
 * failure. */
static int
body_open(struct http_request *req)
{
	int fd;

	if (req->http_body_fd != -1)
		fd = fcntl(req->http_body_fd, F_DUPFD_CLOEXEC, 0);
	else if ((fd = spool_open()) != -1 && req->http_body != NULL &&
	    write(fd, req->http_body->data, req->http_body_length) !=
	        (ssize_t)req->http_body_length) {
		close(fd);
		fd = -1;
	}
	if (fd != -1 && lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		fd = -1;
	}
	return (fd);
}

static enum import_format
format_of(const char *format)
{
	if (strcmp(format, "disqus") == 0)
		return (IMPORT_DISQUS);
	if (strcmp(format, "parley") == 0)
		return (IMPORT_PARLEY);
	return (IMPORT_WXR);
}

static int
import_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	const char *format, *key;

	if (admin_query_str(req, s, "format", 16, &format, e) == -1 ||
	    admin_query_str(req, s, "key", 16, &key, e) == -1)
		return (-1);
	if (format == NULL ||
	    (strcmp(format, "wxr") != 0 && strcmp(format, "disqus") != 0 &&
	        strcmp(format, "parley") != 0))
		return (apierr_set(e, 422, "invalid_value",
		    "format must be wxr (WordPress), disqus or parley.",
		    "format"));
	if (key == NULL)
		key = "id";
	if (strcmp(key, "id") != 0 && strcmp(key, "path") != 0)
		return (apierr_set(e, 422, "invalid_value",
		    "key must be id or path.", "key"));
	/* For import_respond. */
	s->flag = (int)format_of(format);
	s->id = strcmp(key, "path") == 0 ? IMPORT_KEY_PATH : IMPORT_KEY_ID;
	if (req->http_body_length == 0)
		return (apierr_set(e, 400, "malformed_body",
		    "Send the export file as the request body.", NULL));
	store_import_start_query(&s->q, &s->nums, format, key,
	    (int64_t)req->http_body_length, s->auth.user_id);
	return (0);
}

static void
import_respond(struct http_request *req, struct admin_state *s)
{
	struct import_job *job;
	struct buf         b;
	int64_t            id;

	if ((id = store_import_started(&s->q)) == 0) {
		api_error(req, 409, "import_running",
		    "Another import has not finished yet; try again once it "
		    "is done.",
		    NULL);
		return;
	}
	/* The thread frees it (import_job_run), with free(). */
	if ((job = calloc(1, sizeof(*job))) == NULL) {
		api_error(req, 503, "unavailable",
		    "The import could not start; try again.", NULL);
		return;
	}
	job->id = id;
	job->bytes = (off_t)req->http_body_length;
	job->options.format = (enum import_format)s->flag;
	job->options.key = (enum import_key)s->id;
	job->options.locked = 1; /* import_job_run takes it */
	/* Session locks (import_job.c): never through transaction
	 * pooling. */
	job->conninfo = strdup(parley_config.database_listen);
	if ((job->fd = body_open(req)) == -1 || job->conninfo == NULL ||
	    import_thread_start(job) == -1) {
		/* The job's row stays queued: after a minute it shows as
		 * failed (import_jobs_abandoned()). */
		if (job->fd != -1)
			close(job->fd);
		free(job->conninfo);
		free(job);
		api_error(req, 503, "unavailable",
		    "The import could not start; try again.", NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"job\":%lld}", (long long)id);
	api_send_json(req, 202, &b);
	buf_free(&b);
}

static const struct admin_op import_ops[] = {
	{ HTTP_METHOD_POST, ADMIN_ADMIN, import_prepare, import_respond },
};

int
handler_admin_import(struct http_request *req)
{
	return (admin_run(req, import_ops, 1, "POST"));
}

static int
job_prepare(struct http_request *req, struct admin_state *s, struct apierr *e)
{
	if ((s->id = api_path_id(req->path, "/api/v1/admin/import/")) == 0)
		return (apierr_set(e, 404, "not_found",
		    "There is no such import.", NULL));
	store_import_job_query(&s->q, &s->nums, s->id);
	return (0);
}

static void
job_respond(struct http_request *req, struct admin_state *s)
{
	struct import_job_row r;
	struct buf            b;

	if (store_import_job_row(&s->q, &r) == -1) {
		api_error(req, 404, "not_found", "There is no such import.",
		    NULL);
		return;
	}
	buf_init(&b);
	buf_printf(&b, "{\"job\":%lld,\"state\":", (long long)r.id);
	escape_json_cstr(&b, r.state);
	buf_puts(&b, ",\"format\":");
	escape_json_cstr(&b, r.format);
	buf_printf(&b,
	    ",\"bytes\":%lld,\"bytes_read\":%lld,\"read\":%lld,"
	    "\"imported\":%lld,\"skipped\":%lld,\"already\":%lld,"
	    "\"orphans\":%lld,\"errors\":%s,\"created_at\":",
	    (long long)r.bytes, (long long)r.bytes_read, (long long)r.read,
	    (long long)r.imported, (long long)r.skipped, (long long)r.already,
	    (long long)r.orphans, r.errors != NULL ? r.errors : "[]");
	escape_json_cstr(&b, r.created_at);
	buf_puts(&b, ",\"finished_at\":");
	escape_json_cstr(&b, r.finished_at);
	buf_putc(&b, '}');
	api_send_json(req, 200, &b);
	buf_free(&b);
}

static const struct admin_op job_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_ADMIN, job_prepare, job_respond },
};

int
handler_admin_import_job(struct http_request *req)
{
	return (admin_run(req, job_ops, 1, "GET"));
}

/* The export's file, mapped while Kore sends it. */
struct mapped {
	void  *base;
	size_t len;
};

static int
mapped_sent(struct netbuf *nb)
{
	struct mapped *m = nb->extra;

	(void)munmap(m->base, m->len);
	kore_free(m);
	return (KORE_RESULT_OK);
}

static void
export_send(struct http_request *req, int fd)
{
	struct mapped *m;
	struct stat    st;
	struct tm      tm;
	time_t         now;
	void          *base;
	char           disposition[96];

	if (fstat(fd, &st) == -1 || st.st_size == 0 ||
	    (base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd,
	         0)) == MAP_FAILED) {
		api_error(req, 503, "unavailable",
		    "The export could not be sent; try again.", NULL);
		return;
	}
	m = kore_malloc(sizeof(*m));
	m->base = base;
	m->len = (size_t)st.st_size;
	now = time(NULL);
	(void)gmtime_r(&now, &tm);
	(void)strftime(disposition, sizeof(disposition),
	    "attachment; filename=\"parley-export-%Y%m%d.jsonl.gz\"", &tm);
	api_common_headers(req);
	http_response_header(req, "content-type", "application/gzip");
	http_response_header(req, "content-disposition", disposition);
	http_response_header(req, "cache-control", "no-store");
	http_response_stream(req, 200, m->base, m->len, mapped_sent, m);
}

static int
export_resume(struct http_request *req, struct admin_state *s)
{
	struct export_task *t = s->work;

	if (!export_task_run(req, t))
		return (0);
	if (t->rc == -1) {
		kore_log(LOG_ERR, "parley: export: %s", t->err);
		api_error(req, 503, "unavailable",
		    "The export could not be written; try again.", NULL);
	} else {
		export_send(req, t->fd);
	}
	return (1);
}

static void
export_cleanup(struct admin_state *s)
{
	struct export_task *t = s->work;

	export_task_cleanup(t);
	if (t->fd != -1)
		close(t->fd);
	kore_free(t);
	s->work = NULL;
}

static int
export_prepare(struct http_request *req, struct admin_state *s,
    struct apierr *e)
{
	struct export_task *t;

	(void)req;
	t = kore_calloc(1, sizeof(*t));
	t->fd = -1;
	s->work = t;
	s->cleanup = export_cleanup;
	if (export_task_reserve(t) == -1)
		return (apierr_set(e, 409, "export_running",
		    "An export is being written; try again once it is done.",
		    NULL));
	store_export_audit_query(&s->q, &s->nums, s->auth.user_id);
	return (0);
}

static void
export_respond(struct http_request *req, struct admin_state *s)
{
	struct export_task *t = s->work;

	if ((t->fd = spool_open()) == -1) {
		api_error(req, 503, "unavailable",
		    "The export could not be written; try again.", NULL);
		return;
	}
	t->conninfo = parley_config.database;
	s->resume = export_resume;
}

static const struct admin_op export_ops[] = {
	{ HTTP_METHOD_GET, ADMIN_ADMIN, export_prepare, export_respond },
};

int
handler_admin_export(struct http_request *req)
{
	return (admin_run(req, export_ops, 1, "GET"));
}
