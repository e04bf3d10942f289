/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Programs whose output the engine reads: the runtime's `ps`, `update -r -` and `--version`,
 * and the host's ps for top. Input goes in through a pipe, output comes back bounded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

/* The runtime's and ps's error: its first line. */
static int run(char *const *argv, bool path_lookup, const char *input, size_t max, char **ret_out,
               char **ret_err)
{
        int r = process_run_output(argv, NULL, path_lookup, input, max, ret_out, ret_err);

        if (ret_err && *ret_err)
                (*ret_err)[strcspn(*ret_err, "\n")] = 0;
        return r;
}

int engine_runtime_output(Engine *e, const char *runtime, char *const *args, const char *input,
                          size_t max, char **ret_stdout, char **ret_stderr)
{
        _cleanup_free_ char *bin = NULL, *root = engine_runtime_root(e);
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        *ret_stdout = NULL;
        if (ret_stderr)
                *ret_stderr = NULL;
        r = engine_runtime_resolve(e, runtime, &bin);
        if (r < 0)
                return r;
        if (!root || strv_extend(&argv, bin) < 0 || strv_extend(&argv, "--root") < 0 ||
            strv_extend(&argv, root) < 0)
                return -ENOMEM;
        for (char *const *a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        _cleanup_free_ char *ignored = NULL;
        return run(argv, false, input, max, ret_stdout, ret_stderr ? ret_stderr : &ignored);
}

int engine_program_output(char *const *argv, size_t max, char **ret)
{
        *ret = NULL;
        return run(argv, true, NULL, max, ret, NULL);
}
