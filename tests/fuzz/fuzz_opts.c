// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for option parsing: either a whole command line (the
 * input split into argv at NUL and newline bytes) through cmdline_parse()
 * and machine_config_validate(), or one option string through
 * opts_parse() in both dialects, the typed getters and the -object
 * memory-backend parser. Help output goes to /dev/null. Checks the
 * documented return values and that an error always has a message.
 * Single-threaded; also run by replay.c over the seed corpus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmdline.h"
#include "config/machine_config.h"
#include "config/memory_backend_config.h"
#include "config/opts.h"
#include "util/log.h"

#include "fuzz.h"

#define MAX_ARGS 64
#define MAX_TEXT 4096

static FILE *null_out(void)
{
	static FILE *out;

	if (!out)
		out = fopen("/dev/null", "w");
	CHECK(out);
	return out;
}

/* An error path must say why; a success must not leave a message. */
static void check_result(int ret, const struct error *err)
{
	if (ret < 0)
		CHECK(error_is_set(err) && err->msg[0]);
	else
		CHECK(!error_is_set(err));
}

static void fuzz_cmdline(char *text, size_t len)
{
	static struct machine_config cfg;
	char *argv[MAX_ARGS + 2] = { "flexvm" };
	struct error err = { 0 };
	int argc = 1, ret;
	size_t start = 0;

	for (size_t i = 0; i <= len && argc <= MAX_ARGS; i++) {
		if (i < len && text[i] != '\n' && text[i] != '\0')
			continue;
		text[i] = '\0';
		argv[argc++] = text + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	machine_config_init(&cfg);
	ret = cmdline_parse(argc, argv, &cfg, null_out(), &err);
	CHECK(ret == 0 || ret == 1 || ret == -EINVAL);
	check_result(ret, &err);
	if (ret)		/* refused, or help/version printed */
		return;
	ret = machine_config_validate(&cfg, &err);
	check_result(ret, &err);
	if (ret == 0) {
		CHECK(cfg.nr_cpus >= 1);
		CHECK(cfg.nr_monitors <= 2 * MACHINE_MAX_MONITORS);
	}
}

static const struct opts_desc desc[] = {
	{ "size", OPTS_TYPE_SIZE },
	{ "slots", OPTS_TYPE_NUMBER },
	{ "maxmem", OPTS_TYPE_SIZE },
	{ "share", OPTS_TYPE_BOOL },
	{ "id", OPTS_TYPE_STRING },
	{ NULL, OPTS_TYPE_STRING },
};

/* The getters on every key the table knows, whatever validate said. */
static void fuzz_getters(const struct opts *o)
{
	struct error err = { 0 };
	uint64_t n;
	bool b;

	check_result(opts_get_size(o, "size", &n, &err), &err);
	error_clear(&err);
	check_result(opts_get_number(o, "slots", &n, &err), &err);
	error_clear(&err);
	check_result(opts_get_bool(o, "share", &b, &err), &err);
}

static void fuzz_one_opts(const char *text, uint8_t mode)
{
	static const char *const implied[] = { NULL, "size", "driver",
					       "qom-type" };
	struct memory_backend_config be[4];
	struct opts o = { 0 };
	struct error err = { 0 };
	unsigned nr = 0;
	int ret;

	ret = opts_parse(&o, text, implied[mode & 3],
			 (mode & 4) ? OPTS_KEYVAL : OPTS_QEMUOPTS, &err);
	CHECK(ret == 0 || ret == -EINVAL || ret == -E2BIG);
	check_result(ret, &err);
	if (ret == 0) {
		CHECK(o.nr <= OPTS_MAX);
		for (unsigned i = 0; i < o.nr; i++)
			CHECK(o.list[i].key && o.list[i].value);
		error_clear(&err);
		check_result(opts_validate(&o, desc, &err), &err);
		fuzz_getters(&o);
	}
	opts_free(&o);
	memset(&err, 0, sizeof(err));
	ret = memory_backend_config_add_object(be, &nr, 4, text, null_out(),
					       &err);
	CHECK(ret == 0 || ret == 1 || ret == -ENOENT || ret == -EINVAL);
	CHECK(nr == (ret == 0 ? 1u : 0u));
	if (ret == -EINVAL)
		CHECK(error_is_set(&err));
}

/*
 * Input: byte 0 picks the mode (bit 3 set: command line; else the bits
 * pick the implied key and dialect of a single option string).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1];
	uint8_t mode;

	/* Warnings about bad input are expected: writing them is waste. */
	log_set_level(LOG_ERROR);
	if (size < 1)
		return 0;
	mode = data[0];
	size = size - 1 < MAX_TEXT ? size - 1 : MAX_TEXT;
	memcpy(text, data + 1, size);
	text[size] = '\0';
	if (mode & 8)
		fuzz_cmdline(text, size);
	else
		fuzz_one_opts(text, mode);
	return 0;
}
