shutdown.o: guest-frontends/libpvfront/include/pvfront/shutdown.h
