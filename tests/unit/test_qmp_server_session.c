// SPDX-License-Identifier: MIT
/*
 * Unit tests for one QMP session over a real UNIX socket: greeting and
 * negotiation, a request split over writes, malformed and oversized input
 * (the session goes on), UTF-8 split across reads or a read slice, events
 * only after negotiation, pretty output, no request run while stopped.
 * Single-threaded: the tests pump the event loop themselves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "qmp_server_test_util.h"

static void test_qmp_server_greeting_then_negotiation(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	assert_string_equal(heard(fd), GREETING);
	say(f, fd, "{\"execute\":\"ping\"}");
	assert_string_equal(heard(fd), "{\"error\": {\"class\": "
			    "\"CommandNotFound\", \"desc\": \"Expecting "
			    "capabilities negotiation with "
			    "'qmp_capabilities'\"}}\r\n");
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), OK);
	say(f, fd, "{\"execute\":\"ping\",\"id\":\"p1\"}");
	assert_string_equal(heard(fd), "{\"return\": {}, \"id\": \"p1\"}\r\n");
	close(fd);
}

static void test_qmp_server_request_split_over_writes(void **state)
{
	struct fixture *f = *state;
	int fd;

	fd = greeted_client(f);
	say(f, fd, "{\"execute\":");
	assert_string_equal(heard(fd), "");
	say(f, fd, "\"qmp_capabilities\"}{\"execute\":\"ping\"}");
	assert_string_equal(heard(fd), OK OK);
	close(fd);
}

/* How many times @unit repeats in @text, which holds nothing else. */
static unsigned count_of(const char *text, const char *unit)
{
	unsigned n = 0;

	while (!strncmp(text, unit, strlen(unit))) {
		text += strlen(unit);
		n++;
	}
	assert_string_equal(text, "");
	return n;
}

static void test_qmp_server_malformed_input_session_goes_on(void **state)
{
	struct fixture *f = *state;
	const char *err = "{\"error\": {\"class\": \"GenericError\", "
			  "\"desc\": \"JSON parse error, expecting "
			  "value\"}}\r\n";
	unsigned got = 0;
	int fd;

	fd = greeted_client(f);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(write(fd, "{\"a\": ]\n", 8), 8);
		if (i % 50 == 49) {	/* read as we go: replies pile up */
			pump(f, 2);
			got += count_of(heard(fd), err);
		}
	}
	pump(f, 20);
	got += count_of(heard(fd), err);
	assert_int_equal(got, 1000);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), OK);
	close(fd);
}

static void test_qmp_server_oversized_request_session_goes_on(void **state)
{
	struct fixture *f = *state;
	size_t len = QMP_STREAM_MAX_MSG + 4096;
	char *big = malloc(len + 1);
	size_t off = 0;
	int fd;

	fd = greeted_client(f);
	memset(big, ' ', len);
	memcpy(big, "{\"id\": \"", 8);
	memcpy(big + len - 2, "\"}", 2);
	big[len] = '\0';
	while (off < len) {
		ssize_t n = write(fd, big + off, len - off);

		if (n > 0)
			off += (size_t)n;
		pump(f, 1);
	}
	free(big);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "{\"error\": {\"class\": "
			    "\"GenericError\", \"desc\": \"JSON token size "
			    "limit exceeded\"}}\r\n" OK);
	close(fd);
}


static void test_qmp_server_utf8_split_across_reads_accepted(void **state)
{
	struct fixture *f = *state;
	int fd;

	fd = negotiated_client(f);
	say(f, fd, "{\"execute\":\"ping\",\"id\":\"\xc3");
	say(f, fd, "\xa9\xf0\x9f");
	say(f, fd, "\x98\x80\"}");
	assert_string_equal(heard(fd),
			    "{\"return\": {}, \"id\": \"\\u00E9\\uD83D\\uDE00\"}\r\n");
	close(fd);
}

static void test_qmp_server_utf8_across_a_slice_accepted(void **state)
{
	struct fixture *f = *state;
	char req[600];
	int fd, pad;

	fd = negotiated_client(f);
	/* "\xe2\x82\xac" (the euro sign) from byte 255 to 257 of one write */
	pad = 255 - (int)strlen("{\"execute\":\"ping\",\"id\":\"");
	snprintf(req, sizeof(req), "{\"execute\":\"ping\",\"id\":\"%0*d"
		 "\xe2\x82\xac\"}", pad, 0);
	assert_int_equal(req[255], '\xe2');
	say(f, fd, req);
	assert_non_null(strstr(heard(fd), "\\u20AC\"}\r\n"));
	close(fd);
}

static void test_qmp_server_events_only_to_negotiated(void **state)
{
	struct fixture *f = *state;
	struct json_object *ev = json_tokener_parse("{\"event\": \"STOP\"}");
	int a, b;

	start(f);
	a = client(f);
	b = client(f);
	heard(a);
	heard(b);
	say(f, a, NEGOTIATE);
	heard(a);
	qmp_server_broadcast(f->srv, ev);
	assert_string_equal(heard(a), "{\"event\": \"STOP\"}\r\n");
	assert_string_equal(heard(b), "");
	json_object_put(ev);
	close(a);
	close(b);
}

static void test_qmp_server_pretty_uses_crlf(void **state)
{
	struct fixture *f = *state;
	int fd;

	f->cfg.pretty = true;
	fd = greeted_client(f);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "{\r\n    \"return\": {\r\n    }\r\n}"
			    "\r\n");
	close(fd);
}

static void test_qmp_server_stopped_runs_no_request(void **state)
{
	struct fixture *f = *state;
	int fd;

	fd = greeted_client(f);
	f->stopped = true;
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "");
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_server_greeting_then_negotiation),
		T(test_qmp_server_request_split_over_writes),
		T(test_qmp_server_malformed_input_session_goes_on),
		T(test_qmp_server_oversized_request_session_goes_on),
		T(test_qmp_server_utf8_split_across_reads_accepted),
		T(test_qmp_server_utf8_across_a_slice_accepted),
		T(test_qmp_server_events_only_to_negotiated),
		T(test_qmp_server_pretty_uses_crlf),
		T(test_qmp_server_stopped_runs_no_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
