# dom0-tools/xlcfg: libxlcfg, the parser of xl domain config files (xl.cfg)
# that pvctl reads. Internal to pvhv's tools: built and unit-tested, not
# installed.
LIBXLCFG_SRCS := $(wildcard dom0-tools/xlcfg/*.c)
LIBXLCFG := $(BUILD)/lib/libxlcfg.a
CPPFLAGS += -Idom0-tools/xlcfg

$(LIBXLCFG): $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBXLCFG_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

all: $(LIBXLCFG)
TEST_OBJS += $(LIBXLCFG)
