# guest-frontends/: libpvfront (the freestanding guest library) and the
# reference guest kernel built on it. Guest code never sees the host's
# CFLAGS (no sanitizers, no libc): it has its own flags below.

PVFRONT_DIR := guest-frontends/libpvfront
REFGUEST_DIR := guest-frontends/refguest

GUEST_CC ?= $(CC)
# Freestanding, no red zone (interrupts run on the interrupted stack), no
# SSE in library code (no FPU state is saved), absolute addresses (the image
# is linked at its load address).
GUEST_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -nostdlib -fno-pic -fno-pie \
    -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
    -fno-asynchronous-unwind-tables -fcf-protection=none -mcmodel=small
GUEST_CPPFLAGS := -I$(BUILD)/include -I$(PVFRONT_DIR)/include -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,-z,noexecstack \
    -Wl,-T,$(PVFRONT_DIR)/pvfront.ld

PVFRONT_SRCS := boot.S pagetables.S entry.S start.c trap.c hypercall.c console.c console_ring.c \
    printf.c string.c cmdline.c shared_info.c time.c shutdown.c smp.c lapic.c \
    evtchn.c gnttab.c xenbus.c blkfront.c blkfront_sync.c blkfront_xenbus.c \
    netfront.c netfront_xenbus.c
PVFRONT_OBJS := $(patsubst %,$(BUILD)/guest/obj/$(PVFRONT_DIR)/%.o,$(basename $(PVFRONT_SRCS)))
PVFRONT_LIB := $(BUILD)/lib/libpvfront.a
PVFRONT_HDRS := $(wildcard $(PVFRONT_DIR)/include/pvfront/*.h)

REFGUEST_SRCS := $(wildcard $(REFGUEST_DIR)/*.c) $(wildcard $(REFGUEST_DIR)/net/*.c)
REFGUEST_OBJS := $(patsubst %.c,$(BUILD)/guest/obj/%.o,$(REFGUEST_SRCS))
REFGUEST_ELF := $(BUILD)/guests/refguest.elf

$(BUILD)/guest/obj/%.o: %.c | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CPPFLAGS) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/obj/%.o: %.S | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CPPFLAGS) -c $< -o $@

$(PVFRONT_LIB): $(PVFRONT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The archive may export only pvfront_*, HYPERVISOR_* and the mem*/str*
# functions the compiler needs: anything else would collide with the
# kernel's own names.
PVFRONT_SYMCHECK := $(BUILD)/guest/pvfront-symbols.ok
$(PVFRONT_SYMCHECK): $(PVFRONT_LIB)
	@bad=$$(nm -g --defined-only $< | awk 'NF==3 {print $$3}' | \
	    grep -Ev '^(pvfront_|HYPERVISOR_|mem(set|cpy|move|cmp)$$|str(len|nlen|cmp|ncmp|chr)$$)'); \
	if [ -n "$$bad" ]; then echo "libpvfront exports unprefixed symbols: $$bad"; exit 1; fi
	@touch $@

# Each public header compiles on its own, freestanding (included, not
# compiled as the main file, so clang does not flag unused static inlines).
PVFRONT_HDRCHECK := $(patsubst $(PVFRONT_DIR)/include/pvfront/%.h,$(BUILD)/guest/hdrcheck/%.ok,$(PVFRONT_HDRS))
$(BUILD)/guest/hdrcheck/%.ok: $(PVFRONT_DIR)/include/pvfront/%.h | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CPPFLAGS) -MF $(@:.ok=.d) -MT $@ $(GUEST_CFLAGS) -fsyntax-only \
	    -include $< -x c /dev/null
	@touch $@

$(REFGUEST_ELF): $(REFGUEST_OBJS) $(PVFRONT_LIB) $(PVFRONT_DIR)/pvfront.ld
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(REFGUEST_OBJS) $(PVFRONT_LIB)

all: $(PVFRONT_LIB) $(PVFRONT_SYMCHECK) $(PVFRONT_HDRCHECK) $(REFGUEST_ELF)
TEST_DEPS += $(REFGUEST_ELF)

.PHONY: install-pvfront
install: install-pvfront
install-pvfront: $(PVFRONT_LIB)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/pvfront \
	    $(DESTDIR)$(PREFIX)/share/pvfront
	install -m 0644 $(PVFRONT_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 $(PVFRONT_HDRS) $(DESTDIR)$(PREFIX)/include/pvfront/
	install -m 0644 $(PVFRONT_DIR)/pvfront.ld $(DESTDIR)$(PREFIX)/share/pvfront/
PKGCONFIG += guest-frontends/libpvfront/libpvfront.pc.in
