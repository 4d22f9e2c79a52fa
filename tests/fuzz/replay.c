// SPDX-License-Identifier: MIT
/*
 * Plain main() that feeds files to a libFuzzer harness, so every harness
 * runs over its corpus under gcc in the unit suite (no clang needed).
 * Arguments are files or directories (their regular files, in name order,
 * not recursive). A crashing input aborts the process; an argument with
 * no input at all is an error, so a lost corpus cannot pass silently.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Inputs larger than this are cut, like libFuzzer's default -max_len. */
#define REPLAY_MAX_INPUT (1u << 20)

static int run_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	uint8_t *copy;
	size_t n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* A private copy of the exact size lets ASan catch over-reads. */
	copy = malloc(n ? n : 1);
	if (!copy)
		return -1;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int is_regular(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Returns the number of inputs run, or -1. */
static long run_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	long count = 0;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && is_regular(path) &&
		    run_file(path) == 0)
			count++;
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0, count;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (is_regular(argv[i]))
			count = run_file(argv[i]) == 0 ? 1 : -1;
		else
			count = run_dir(argv[i]);
		if (count <= 0) {
			fprintf(stderr, "replay: no input run from %s\n",
				argv[i]);
			return 1;
		}
		printf("replay: %ld inputs from %s\n", count, argv[i]);
		total += count;
	}
	printf("replay: %ld inputs, no crash\n", total);
	return 0;
}
