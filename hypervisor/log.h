/* log.h: diagnostic messages of pvhv and the other host daemons, one line
 * each to stderr with the program's name and a level. */
#ifndef PVHV_LOG_H
#define PVHV_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped. Set once at start-up. */
extern enum log_level log_threshold;

/* The program named at the start of each line ("pvhv" unless a program
 * sharing this logger, such as pvxenstored, sets it at start-up). */
extern const char *log_prog;

/* Print one line (a newline is added). Thread-safe: one write(2) a line. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
