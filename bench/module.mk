# bench/: benchmarks. Not tests: they print figures as ratios against a
# baseline measured in the same run, and assert nothing. `make bench` runs
# them one after another (never in parallel: they time the machine).
COMPUTE_RATIO := $(BUILD)/bench/compute_ratio
EVTCHN_BENCH := $(BUILD)/bench/evtchn_bench
BENCH_PROGS := $(COMPUTE_RATIO) $(EVTCHN_BENCH)

$(COMPUTE_RATIO): $(BUILD)/obj/bench/compute_ratio.o \
                  $(BUILD)/obj/guest-frontends/refguest/compute.o $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/obj/bench/compute_ratio.o: CPPFLAGS += -Iguest-frontends/refguest

$(EVTCHN_BENCH): $(BUILD)/obj/bench/evtchn_bench.o $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# xenstore: pvxenstored ops/s through libxs against a raw unix-socket echo.
XS_BENCH := $(BUILD)/bench/xs_bench
BENCH_PROGS += $(XS_BENCH)
$(BUILD)/obj/bench/xs_bench.o: CPPFLAGS += -I$(LIBXS_INC)
$(XS_BENCH): $(BUILD)/obj/bench/xs_bench.o $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

.PHONY: bench
bench: all $(BENCH_PROGS)
	@for b in $(BENCH_PROGS); do echo "== $$b"; $$b $(BUILD) || exit 1; done
