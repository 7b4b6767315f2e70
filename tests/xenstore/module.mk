# tests/xenstore: pvxenstored's core driven in-process through its parser
# (as a transport would), and the daemon, libxs, Debian's xenstore-utils and
# a program written for Xen's <xenstore.h> run against each other.
TEST_SRCS += $(wildcard tests/xenstore/*.c)
TEST_OBJS += $(XSD_CORE_OBJS) $(LIBXS)
$(BUILD)/obj/tests/xenstore/%.o: CPPFLAGS += -I$(XSD_DIR) -I$(LIBXS_INC)

# Built only against Xen's own header (/usr/include/xenstore.h from
# libxen-dev: no project include path), linked against libxs.
XS_COMPAT_BIN := $(BUILD)/tests/xs_compat_prog
$(XS_COMPAT_BIN): tests/xenstore/compat/xs_compat_prog.c $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBXS) -lpthread

TEST_DEPS += $(XSD_BIN) $(PVXS_BIN) $(LIBXS_SO) $(XS_COMPAT_BIN)
