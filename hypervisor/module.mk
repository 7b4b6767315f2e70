# hypervisor/: the pvhv daemon. Its objects (all but main.c) are also
# linked into the test binary for unit tests; they are linked as objects,
# not an archive, so every hypercall family's registration is kept.
PVHV_CORE_SRCS := $(filter-out hypervisor/main.c,$(wildcard hypervisor/*.c))
PVHV_CORE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVHV_CORE_SRCS))
PVHV_BIN := $(BUILD)/bin/pvhv

$(PVHV_BIN): $(PVHV_CORE_OBJS) $(BUILD)/obj/hypervisor/main.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

all: $(PVHV_BIN)
BINS += $(PVHV_BIN)
TEST_DEPS += $(PVHV_BIN)
