# bench/: benchmarks. Not tests: they print figures as ratios against a
# baseline measured in the same run, and assert nothing. `make bench`.
COMPUTE_RATIO := $(BUILD)/bench/compute_ratio

$(COMPUTE_RATIO): $(BUILD)/obj/bench/compute_ratio.o \
                  $(BUILD)/obj/guest-frontends/refguest/compute.o $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/obj/bench/compute_ratio.o: CPPFLAGS += -Iguest-frontends/refguest

.PHONY: bench
bench: all $(COMPUTE_RATIO)
	$(COMPUTE_RATIO) $(BUILD)

EVTCHN_BENCH := $(BUILD)/bench/evtchn_bench
$(EVTCHN_BENCH): $(BUILD)/obj/bench/evtchn_bench.o $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^
bench: $(EVTCHN_BENCH)
	$(EVTCHN_BENCH) $(BUILD)
