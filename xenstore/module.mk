# xenstore/: pvxenstored (the xenstore daemon), libxs (libxenstore's API,
# <xenstore.h>) and pvxs (a small CLI on libxs).

# --- pvxenstored ----------------------------------------------------------
# The core (all but main.c and the transports) has no sockets in it, so
# the unit tests and the fuzzer link it as objects and drive it directly.
XSD_DIR       := xenstore/pvxenstored
XSD_TRANSPORTS := $(XSD_DIR)/main.c $(XSD_DIR)/unix_transport.c $(XSD_DIR)/ring_transport.c
XSD_CORE_SRCS := $(filter-out $(XSD_TRANSPORTS),$(wildcard $(XSD_DIR)/*.c)) hypervisor/log.c
XSD_CORE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(XSD_CORE_SRCS))
XSD_BIN       := $(BUILD)/bin/pvxenstored

# The ring transport reaches pvhv through libpvctrl.
$(XSD_BIN): $(XSD_CORE_OBJS) $(patsubst %.c,$(BUILD)/obj/%.o,$(XSD_TRANSPORTS)) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# --- libxs ----------------------------------------------------------------
# Its header is our own <xenstore.h>; it is put on the include path only of
# the code that uses libxs, so that elsewhere <xenstore.h> stays Xen's.
LIBXS_DIR  := xenstore/libxs
LIBXS_INC  := $(LIBXS_DIR)/include
LIBXS_SRCS := $(wildcard $(LIBXS_DIR)/*.c)
LIBXS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBXS_SRCS))
LIBXS      := $(BUILD)/lib/libxs.a

$(BUILD)/obj/$(LIBXS_DIR)/%.o: CPPFLAGS += -I$(LIBXS_INC)

$(LIBXS): $(LIBXS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# A drop-in libxenstore.so.4 (same soname and symbol version as Debian's),
# so Xen's own programs can run on libxs: LD_LIBRARY_PATH=build/lib/xenstore-compat.
# Never sanitized (it is loaded into programs built without sanitizers) and
# not installed (it would shadow the system's libxenstore).
LIBXS_SO      := $(BUILD)/lib/xenstore-compat/libxenstore.so.4
LIBXS_PIC_CFLAGS := $(filter-out -fsanitize% -fno-sanitize%,$(CFLAGS)) -fPIC
LIBXS_PIC_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(LIBXS_SRCS))

$(BUILD)/pic/$(LIBXS_DIR)/%.o: $(LIBXS_DIR)/%.c | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(LIBXS_INC) $(LIBXS_PIC_CFLAGS) -c $< -o $@

$(LIBXS_SO): $(LIBXS_PIC_OBJS) $(LIBXS_DIR)/libxs.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libxenstore.so.4 -Wl,--version-script=$(LIBXS_DIR)/libxs.map \
	    -o $@ $(LIBXS_PIC_OBJS) -lpthread

# --- pvxs -----------------------------------------------------------------
PVXS_BIN := $(BUILD)/bin/pvxs
$(BUILD)/obj/xenstore/pvxs/%.o: CPPFLAGS += -I$(LIBXS_INC)

$(PVXS_BIN): $(BUILD)/obj/xenstore/pvxs/pvxs.o $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

all: $(XSD_BIN) $(LIBXS) $(LIBXS_SO) $(PVXS_BIN)
BINS += $(XSD_BIN) $(PVXS_BIN)
LIBS += $(LIBXS)
PKGCONFIG += $(LIBXS_DIR)/libxs.pc.in
INSTALL_HDR_DIRS += pvxs
INSTALL_HDRS_pvxs := $(LIBXS_INC)/xenstore.h $(LIBXS_INC)/xenstore_lib.h

# --- make fuzz ------------------------------------------------------------
# libFuzzer (clang, not in `make test`), FUZZ_TIME seconds each (default 60):
# first the message parser and dispatcher (corpus in $(BUILD)/fuzz/corpus),
# then the saved-state loader, persist.c ($(BUILD)/fuzz/corpus_persist,
# seeded by the harness itself from states the core saves).
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_DIR  := $(BUILD)/fuzz
FUZZ_BIN  := $(FUZZ_DIR)/fuzz_xsd
FUZZ_SRCS := $(XSD_CORE_SRCS) xenstore/fuzz/fuzz_xsd.c
FUZZ_PERSIST_BIN  := $(FUZZ_DIR)/fuzz_persist
FUZZ_PERSIST_SRCS := $(XSD_CORE_SRCS) xenstore/fuzz/fuzz_persist.c
FUZZ_FLAGS := -std=gnu11 $(WARN) -g -O1 -D_GNU_SOURCE -I$(BUILD)/include -I$(XSD_DIR) \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(FUZZ_BIN): $(FUZZ_SRCS) $(XSD_DIR)/xsd.h | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRCS)

$(FUZZ_PERSIST_BIN): $(FUZZ_PERSIST_SRCS) $(XSD_DIR)/xsd.h | $(BUILD)/include/pvhv
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_PERSIST_SRCS)

.PHONY: fuzz
fuzz: $(FUZZ_BIN) $(FUZZ_PERSIST_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/corpus_persist
	python3 xenstore/fuzz/make_seeds.py $(FUZZ_DIR)/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -max_len=16384 \
	    -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus
	FUZZ_PERSIST_SEEDS=$(FUZZ_DIR)/corpus_persist \
	$(FUZZ_PERSIST_BIN) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -max_len=16384 \
	    -artifact_prefix=$(FUZZ_DIR)/persist- $(FUZZ_DIR)/corpus_persist
