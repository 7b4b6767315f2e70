# dom0-tools/: libpvctrl (dom0's client of pvhv).
LIBPVCTRL_SRCS := $(wildcard dom0-tools/libpvctrl/*.c)
LIBPVCTRL := $(BUILD)/lib/libpvctrl.a
CPPFLAGS += -Idom0-tools/libpvctrl

$(LIBPVCTRL): $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBPVCTRL_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

all: $(LIBPVCTRL)
LIBS += $(LIBPVCTRL)
PKGCONFIG += dom0-tools/libpvctrl/libpvctrl.pc.in
INSTALL_HDRS += dom0-tools/libpvctrl/pvctrl.h
include dom0-tools/xlcfg/module.mk
include dom0-tools/hostnet/module.mk
