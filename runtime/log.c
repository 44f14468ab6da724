/*  runtime/log.c: the service log (see log.h). JSON lines are built with
    jansson so that any text, including a hostile symbol name or an error
    string from a venue, is escaped correctly. */
#include "runtime/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static struct {
    tt_log_level_t level;
    bool json;
    int fd;
    pthread_mutex_t lock;
} s_log = {TT_LOG_INFO, false, 2, PTHREAD_MUTEX_INITIALIZER};

static const char *s_level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void tt_log_setup(tt_log_level_t level, bool json, int fd)
{
    s_log.level = level;
    s_log.json = json;
    s_log.fd = fd;
}

tt_log_level_t tt_log_level(void)
{
    return s_log.level;
}

int tt_log_level_parse(const char *name)
{
    for (int level = TT_LOG_DEBUG; level <= TT_LOG_ERROR; level++)
        if (name && strcasecmp(name, tt_log_level_name(level)) == 0)
            return level;
    return -1;
}

static void s_timestamp(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + len, size - len, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void s_write_all(const char *buf, size_t len)
{
    pthread_mutex_lock(&s_log.lock);
    while (len > 0) {
        ssize_t rc = write(s_log.fd, buf, len);
        if (rc <= 0)
            break;
        buf += rc;
        len -= (size_t)rc;
    }
    pthread_mutex_unlock(&s_log.lock);
}

static void s_emit_json(const char *stamp, tt_log_level_t level,
                        const char *path, const char *text)
{
    json_t *line =
        json_pack("{s:s, s:s, s:s, s:s}", "ts", stamp, "level",
                  tt_log_level_name(level), "path", path, "msg", text);
    char *out = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (out) {
        s_write_all(out, strlen(out));
        s_write_all("\n", 1);
    }
    free(out);
    json_decref(line);
}

void tt_log(tt_log_level_t level, const char *path, const char *format, ...)
{
    if (level < s_log.level)
        return;
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    char stamp[40];
    s_timestamp(stamp, sizeof stamp);
    if (!path)
        path = "-";
    if (s_log.json) {
        s_emit_json(stamp, level, path, text);
        return;
    }
    char line[1200];
    int len = snprintf(line, sizeof line, "%s %-5s %s: %s\n", stamp,
                       s_level_names[level], path, text);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof line) {
        len = (int)sizeof line - 1;
        line[len - 1] = '\n';
    }
    s_write_all(line, (size_t)len);
}

bool tt_log_gate_pass(tt_log_gate_t *self, int64_t now, int64_t *held,
                      int64_t *since)
{
    if (held)
        *held = 0;
    if (since)
        *since = 0;
    if (!self->start || now - self->start >= self->window_ns ||
        now < self->start) {
        self->start = now ? now : 1;
        self->said = 0;
    }
    if (self->said >= self->per_window) {
        if (!self->held)
            self->held_since = self->start;
        self->held++;
        return false;
    }
    self->said++;
    if (held && self->held) {
        *held = self->held;
        if (since)
            *since = self->held_since;
        self->held = 0;
    }
    return true;
}
