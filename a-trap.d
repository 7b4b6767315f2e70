trap.o: guest-frontends/libpvfront/include/pvfront/trap.h
