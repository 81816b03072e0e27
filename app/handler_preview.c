/*
 * POST /api/v1/preview {"body"}: the HTML a comment would have, rendered
 * exactly as a posted one is.
 */
#include "api.h"
#include "comment_input.h"
#include "escape.h"
#include "markdown.h"

int	handler_preview(struct http_request *);

int
handler_preview(struct http_request *req)
{
	struct apierr	 e;
	json_t		*json;
	const char	*body;
	size_t		 len;
	struct buf	 html, out;

	if (req->method != HTTP_METHOD_POST) {
		api_method_not_allowed(req, "POST");
		return (KORE_RESULT_OK);
	}
	if (api_read_json(req, &json, &e) == -1) {
		api_error_from(req, &e);
		return (KORE_RESULT_OK);
	}
	if (body_parse(json, &body, &len, &e) == -1) {
		api_error_from(req, &e);
		json_decref(json);
		return (KORE_RESULT_OK);
	}
	buf_init(&html);
	buf_init(&out);
	if (markdown_render(&html, body, len) == -1) {
		api_error(req, 422, "invalid_value",
		    "The comment could not be formatted.", "body");
	} else {
		buf_puts(&out, "{\"html\":");
		escape_json(&out, html.data != NULL ? html.data : "", html.len);
		buf_putc(&out, '}');
		api_send_json(req, 200, &out);
	}
	buf_free(&html);
	buf_free(&out);
	json_decref(json);
	return (KORE_RESULT_OK);
}
