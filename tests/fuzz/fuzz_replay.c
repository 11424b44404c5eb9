/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * main() for a fuzz target built without libFuzzer (gcc, or the sanitizer
 * build): runs LLVMFuzzerTestOneInput() once on every file named on the
 * command line or found in a directory named there, in name order.  Used
 * as a unit test that replays the corpus kept in the repository, and to
 * reproduce a crash: `fuzz_vu_msg_replay crash-1234`.
 *
 * Exit status: 0 when every input ran (a broken invariant aborts), 1 when
 * an input cannot be read or no input was found at all.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

/* libFuzzer's default -max_len is far below this; corpus files are tiny. */
#define INPUT_MAX (1024 * 1024)

static int
run_file(const char *path)
{
	static uint8_t buf[INPUT_MAX];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs @path (a file, or every regular file in a directory); -1 on error. */
static int
run_path(const char *path, unsigned int *count)
{
	struct dirent **names;
	struct stat st;
	char file[4096];
	int i, n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	n = scandir(path, &names, NULL, name_cmp);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(file, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			(*count)++;
			if (run_file(file) != 0)
				rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned int count = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (run_path(argv[i], &count) != 0)
			rc = 1;
	}
	if (count == 0) {
		fprintf(stderr, "%s: no input found\n", argv[0]);
		return 1;
	}
	printf("%s: %u input(s) replayed\n", argv[0], count);
	return rc;
}
