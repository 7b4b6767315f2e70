/* SPDX-License-Identifier: MIT */
/* xenstore_lib.h: for programs that include libxenstore's second header
 * by name; libxs declares everything in <xenstore.h>. */
#ifndef PVHV_LIBXS_XENSTORE_LIB_H
#define PVHV_LIBXS_XENSTORE_LIB_H
#include "xenstore.h"
#endif
