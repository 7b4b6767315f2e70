# tests/abi: pvhv's public headers against Debian's Xen 4.17 headers (libxen-dev).
# abi_scan.py lists every struct, field, typedef and constant both sets define
# and writes one table per side; the compiler fills each table in from its own
# headers, and test_abi_compat.c compares them name by name.
ABI_DIR     := tests/abi
ABI_GEN     := $(BUILD)/gen/abi
ABI_XEN_DIR ?= /usr/include/xen
ABI_CLANG   ?= clang
ABI_SCAN     = python3 $(ABI_DIR)/abi_scan.py --clang $(ABI_CLANG) \
               --public $(PUBLIC_DIR) --include $(BUILD)/include --xen $(ABI_XEN_DIR) \
               --manifest $(ABI_DIR)/shared_names.txt --not-values $(ABI_DIR)/not_values.txt
ABI_GEN_SRCS := $(ABI_GEN)/abi_ours.c $(ABI_GEN)/abi_xen.c $(ABI_GEN)/abi_xen_legacy.c \
                $(ABI_GEN)/abi_meta.c

# A header added with an old mtime, or removed, changes no prerequisite's
# time; this file changes whenever the list of public headers does.
ABI_HDR_LIST := $(ABI_GEN)/public_headers.list
$(shell mkdir -p $(ABI_GEN) && echo '$(PUBLIC_HDRS)' | cmp -s - $(ABI_HDR_LIST) || \
        echo '$(PUBLIC_HDRS)' > $(ABI_HDR_LIST))

# One run writes them all (grouped target, so make -j runs it once).
$(ABI_GEN_SRCS) &: $(ABI_DIR)/abi_scan.py $(PUBLIC_HDRS) $(ABI_HDR_LIST) \
                   $(ABI_DIR)/shared_names.txt $(ABI_DIR)/not_values.txt | $(BUILD)/include/pvhv
	$(ABI_SCAN) --out $(ABI_GEN)

# abi_xen*.c include <stdint.h> (abi_xen.c also defines __XEN_TOOLS__) before
# Debian's headers; they can see <pvhv/...> too, but never include it.
$(ABI_GEN)/%.o: $(ABI_GEN)/%.c $(ABI_DIR)/abi_row.h | $(BUILD)/include/pvhv
	$(CC) $(CPPFLAGS) -I$(ABI_DIR) $(CFLAGS) -c $< -o $@

TEST_SRCS += $(ABI_DIR)/test_abi_compat.c
TEST_OBJS += $(ABI_GEN_SRCS:.c=.o)

# Accept the names shared now as the new baseline (after adding a header,
# or after a deliberate rename on both sides).
.PHONY: abi-manifest
abi-manifest: | $(BUILD)/include/pvhv
	$(ABI_SCAN) --write-manifest
