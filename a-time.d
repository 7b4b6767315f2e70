time.o: guest-frontends/libpvfront/include/pvfront/time.h
