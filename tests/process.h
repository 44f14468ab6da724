/*  tests/process.h: the real `ticktree` binary under test. Starts it on a
    config written to a scratch directory (control on an ipc:// endpoint
    inside it, so parallel tests never collide), talks to it through its
    real control socket, and waits on conditions with a bound in time and
    count: never a sleep that a result depends on. */
#ifndef TT_TESTS_PROCESS_H
#define TT_TESTS_PROCESS_H

#include "tests/harness.h"

#include "control.pb-c.h"

typedef struct {
    char *dir;      /* scratch directory, removed by tth_proc_destroy */
    char *config;   /* config file path */
    char *endpoint; /* control endpoint */
    char *log;      /* stderr of the service */
    pid_t pid;
    int status; /* wait status once reaped */
    bool reaped;
} tth_proc_t;

/* The sim venue's params for configs written from now on (YAML flow
   mapping, default "{}"). */
extern const char *tth_venue_params;
/* The sma_cross params of configs written from now on (flow mapping). */
extern const char *tth_strategy_params;
/* Extra lines under symbol_defaults (indented YAML, default ""). */
extern const char *tth_symbol_extra;

/* Token sent with every request the harness makes (NULL: none). */
extern const char *tth_token;

/* Writes a config with SYMBOLS symbols (S0, S1, ...) on the sim venue,
   EXTRA appended under `service:` (indented YAML lines, may be ""), and
   SUPERVISION replacing the supervision block's body when not NULL. */
char *tth_config_text(const char *endpoint, int symbols, const char *extra,
                      const char *supervision);

/* Starts `ticktree run -c CONFIG` and waits (bounded) until health answers
   with every symbol RUNNING (or PAUSED, e.g. stale). Fails the test
   otherwise. */
tth_proc_t *tth_proc_start(int symbols, const char *extra,
                           const char *supervision);
void tth_proc_destroy(tth_proc_t **self_p);

/* Starts `ticktree run` on the config TEXT, written into DIR, which the
   returned process takes over (tth_proc_destroy removes it): control on
   ipc://DIR/control, the service's output in DIR/ticktree.log. Does not
   wait for anything. */
tth_proc_t *tth_proc_spawn_text(char *dir, const char *text);

/* Prints the service's log line by line (print_error cuts long text). */
void tth_proc_dump_log(const tth_proc_t *self);

/* Health, or NULL (no reply). Free with tt__reply__free_unpacked on
 *REPLY_P, which holds the storage. */
Tt__Health *tth_health(tth_proc_t *self, Tt__Reply **reply_p);

/* Sends a request and returns the reply status (-1: no reply). ERR gets
   the error text. */
int tth_request(tth_proc_t *self, Tt__Request *req, char *err, size_t size);
int tth_symbol_cmd(tth_proc_t *self, const char *cmd, const char *symbol,
                   char *err, size_t size);
int tth_fault(tth_proc_t *self, const char *symbol, const char *actor,
              uint32_t hang_ms, char *err, size_t size);

/* State of SYMBOL (actor NULL) or one of its actors, as a tt.State value;
   -1 if unknown or no reply. */
int tth_state(tth_proc_t *self, const char *symbol, const char *actor);

/* Polls tth_state until it equals STATE, at most TIMEOUT_MS. */
bool tth_wait_state(tth_proc_t *self, const char *symbol, const char *actor,
                    int state, int timeout_ms);

/* Sends SIG and waits up to TIMEOUT_MS for exit; returns the exit code,
   or -1 if it did not exit (then it is killed). */
int tth_proc_signal_wait(tth_proc_t *self, int sig, int timeout_ms);

/* Starts the binary with ARGS (NULL-terminated, without argv[0]) in the
   background, its stdout and stderr into LOG_PATH; returns its pid. */
pid_t tth_spawn(const char *const *args, const char *log_path);

/* Runs the binary with ARGV (NULL-terminated, without argv[0]) to
   completion; returns the exit code and captures stdout+stderr into
   *OUTPUT (caller frees). */
int tth_run_binary(const char *const *args, char **output);

#endif
