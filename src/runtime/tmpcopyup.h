/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tmpcopyup: a tmpfs mounted over a directory of the rootfs, holding a copy of what it covers. */
#pragma once

#include "basic/error.h"

/* Mounts a tmpfs (MS_* flags, fs options data) over the directory dst (an O_PATH fd resolved in
 * the rootfs) with a copy of its contents; dest_name is its path, for errors. */
int tmpcopyup_mount(int dst, const char *dest_name, unsigned long flags, const char *data,
                       BerthError **err);
