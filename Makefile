# pvhv: top-level build. One make over the whole tree (no recursion), so
# `make -j` sees every dependency. Each component declares itself in its own
# module.mk; this file holds the rules they share.
#
#   make                 build everything into build/
#   make test            rebuild with ASan+UBSan into build/san/, run every suite
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make clean

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZE ?=

# Every C file: gnu11 (we use GNU inline asm and some Linux extensions in
# dom0 code), all warnings are errors.
WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -fno-strict-aliasing
CPPFLAGS += -I$(BUILD)/include -D_GNU_SOURCE -MMD -MP
LDFLAGS  ?=
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# Filled in by the module.mk files:
BINS      :=   # programs installed into bin/ (paths under $(BUILD)/bin)
LIBS      :=   # static libraries installed into lib/
TEST_SRCS :=   # sources linked into the criterion test binary
TEST_OBJS :=   # extra objects (generated) linked into it
TEST_LDLIBS := -lcriterion
TEST_DEPS :=   # things the tests need built first (daemons, guests)
PKGCONFIG := hypervisor/pvhv-public.pc.in # .pc.in files installed into lib/pkgconfig
INSTALL_HDRS := # dom0 library headers installed into include/pvctrl
INSTALL_HDR_DIRS := # more header sets: each D installs INSTALL_HDRS_D into include/D

.PHONY: all test check install clean headers demo
all: headers

# The public headers appear under <pvhv/...> to every consumer, in the tree
# as after `make install`, so no code can reach them by a second path.
PUBLIC_DIR  := hypervisor/public
PUBLIC_HDRS := $(shell find $(PUBLIC_DIR) -name '*.h' | LC_ALL=C sort)
$(BUILD)/include/pvhv:
	@mkdir -p $(BUILD)/include
	ln -sfn $(abspath $(PUBLIC_DIR)) $@

# Every public header must compile on its own, in strict C11 and freestanding
# (guest kernels have no libc).
HDRCHECK := $(patsubst $(PUBLIC_DIR)/%.h,$(BUILD)/hdrcheck/%.ok,$(PUBLIC_HDRS))
headers: $(HDRCHECK)
$(BUILD)/hdrcheck/%.ok: $(PUBLIC_DIR)/%.h | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -pedantic-errors $(WARN) -fsyntax-only -x c $<
	$(CC) -std=c11 -ffreestanding -nostdlib -pedantic-errors $(WARN) -fsyntax-only -x c $<
	@touch $@

include hypervisor/module.mk
include dom0-tools/module.mk
include xenstore/module.mk
include backends/module.mk
include tests/module.mk
include bench/module.mk
include guest-frontends/module.mk
include dom0-tools/pvctl/module.mk

# ---------------------------------------------------------------------------
# Shared rules
# ---------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -c $< -o $@

TEST_BIN := $(BUILD)/tests/pvhv-tests
$(TEST_BIN): $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRCS)) $(TEST_OBJS) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS)

# `make test` builds a second, sanitized tree so release objects never mix
# with instrumented ones.
test:
	$(MAKE) BUILD=build/san SANITIZE=1 check

check: all $(TEST_BIN) $(TEST_DEPS)
	PVHV_BUILD=$(abspath $(BUILD)) \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	$(TEST_BIN) $(TEST_ARGS)

# Two guests on a private host stack, seconds long (examples/demo.sh).
demo: all
	sh examples/demo.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/include/pvhv
	cd $(PUBLIC_DIR) && find . -name '*.h' -exec install -D -m 0644 {} $(abspath $(DESTDIR)$(PREFIX))/include/pvhv/{} \;
	$(if $(BINS),install -d $(DESTDIR)$(PREFIX)/bin && install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(LIBS),install -d $(DESTDIR)$(PREFIX)/lib && install -m 0644 $(LIBS) $(DESTDIR)$(PREFIX)/lib/)
	$(if $(INSTALL_HDRS),install -d $(DESTDIR)$(PREFIX)/include/pvctrl && install -m 0644 $(INSTALL_HDRS) $(DESTDIR)$(PREFIX)/include/pvctrl/)
	$(foreach d,$(INSTALL_HDR_DIRS),install -d $(DESTDIR)$(PREFIX)/include/$(d) && \
	    install -m 0644 $(INSTALL_HDRS_$(d)) $(DESTDIR)$(PREFIX)/include/$(d)/;)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	for pc in $(PKGCONFIG); do \
	    sed 's|@PREFIX@|$(PREFIX)|g' $$pc > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$(basename $$pc .in); \
	done

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
