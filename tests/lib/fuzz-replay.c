/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target on the files (or the files in the directories) given: the seed corpus
 * and every crash input found stay plain tests without libFuzzer. A path that does not exist,
 * a directory without inputs or a run of no input at all fails: a replay that runs nothing
 * must not pass for one that ran everything. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/fs-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        char *data = NULL;
        size_t n = 0;

        if (fs_read_full_file(path, &data, &n) < 0) {
                fprintf(stderr, "cannot read %s\n", path);
                return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, n);
        free(data);
        printf("ok %s\n", path);
        return 0;
}

/* Runs every input in dir; returns the number run, or -1 when dir cannot be read. */
static int run_dir(const char *dir, int *failed)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        if (!d) {
                fprintf(stderr, "cannot open %s: %s\n", dir, strerror(errno));
                return -1;
        }
        while ((de = readdir(d))) {
                char p[4096];
                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
                *failed |= run_file(p);
                n++;
        }
        closedir(d);
        return n;
}

int main(int argc, char **argv)
{
        int failed = 0, total = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        failed = 1;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        failed |= run_file(argv[i]);
                        total++;
                        continue;
                }
                int n = run_dir(argv[i], &failed);
                if (n <= 0) {
                        if (n == 0)
                                fprintf(stderr, "%s: no input to replay\n", argv[i]);
                        failed = 1;
                        continue;
                }
                total += n;
        }
        if (total == 0)
                failed = 1;
        printf("%d inputs replayed\n", total);
        return failed;
}
