// SPDX-License-Identifier: MIT
/*
 * Command line parsing: whitespace-separated words, each "key=value" or a
 * bare "key" (empty value). The line is split once into a private copy;
 * lookups return pointers into it. The last occurrence of a key wins, as
 * with Linux's kernel parameters. CPL3, BSP only at start-up.
 */
#include "guest.h"

#define MAX_WORDS 64
#define CMDLINE_MAX 1024

struct param {
	const char *key;
	const char *value;
};

static char raw[CMDLINE_MAX];
static char buf[CMDLINE_MAX];
static struct param params[MAX_WORDS];
static unsigned int nr_params;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Terminates the word at p in place; returns where the next one starts. */
static char *split_word(char *p, struct param *prm)
{
	char *eq = NULL;

	prm->key = p;
	for (; *p && !is_space(*p); p++) {
		if (*p == '=' && !eq)
			eq = p;
	}
	if (*p)
		*p++ = '\0';
	if (eq) {
		*eq = '\0';
		prm->value = eq + 1;
	} else {
		prm->value = "";
	}
	return p;
}

void cmdline_init(const char *cmdline)
{
	char *p = buf;

	strlcpy(raw, cmdline ? cmdline : "", sizeof(raw));
	strlcpy(buf, raw, sizeof(buf));
	nr_params = 0;
	while (*p && nr_params < MAX_WORDS) {
		if (is_space(*p)) {
			p++;
			continue;
		}
		p = split_word(p, &params[nr_params++]);
	}
}

const char *cmdline_raw(void)
{
	return raw;
}

const char *cmdline_get(const char *key)
{
	for (unsigned int i = nr_params; i-- > 0;) {
		if (!strcmp(params[i].key, key))
			return params[i].value;
	}
	return NULL;
}

/* Returns 1 and sets *val if present and numeric, 0 if absent, -1 if bad. */
int cmdline_get_u64(const char *key, uint64_t *val)
{
	const char *v = cmdline_get(key);

	if (!v)
		return 0;
	return parse_u64(v, val) ? 1 : -1;
}
