/*  venues/common/secrets.c: loading and wiping secrets (see secrets.h).
    The file is checked through the descriptor it is read from (fstat after
    open), so the checked file and the read file are the same one. */
#include "venues/common/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tt_secret_t {
    size_t len;
    char value[]; /* len bytes and a NUL */
};

__attribute__((format(printf, 3, 4))) static void
s_err(char *err, size_t errsize, const char *fmt, ...)
{
    if (!err || !errsize)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
}

/* Copies LEN bytes of TEXT without trailing newlines into a new secret. */
static tt_secret_t *s_make(const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (len == 0)
        return NULL;
    tt_secret_t *self = malloc(sizeof *self + len + 1);
    if (!self)
        return NULL;
    self->len = len;
    memcpy(self->value, text, len);
    self->value[len] = '\0';
    return self;
}

tt_secret_t *tt_secret_from_env(const char *name, char *err, size_t errsize)
{
    const char *v = name && *name ? getenv(name) : NULL;
    if (!v || !*v) {
        s_err(err, errsize, "secret variable %s: unset or empty",
              name ? name : "(null)");
        return NULL;
    }
    size_t len = strlen(v);
    tt_secret_t *self = len <= TT_SECRET_MAX ? s_make(v, len) : NULL;
    if (!self)
        s_err(err, errsize, "secret variable %s: %s", name,
              len > TT_SECRET_MAX ? "too long" : "empty");
    return self;
}

/* Checks ownership and mode; 0 or -1 with ERR set. */
static int s_check(const char *path, const struct stat *st, char *err,
                   size_t errsize)
{
    unsigned mode = (unsigned)(st->st_mode & 07777);
    if (!S_ISREG(st->st_mode)) {
        s_err(err, errsize, "secret file %s (mode %04o): not a regular file",
              path, mode);
        return -1;
    }
    if (st->st_uid != geteuid()) {
        s_err(err, errsize,
              "secret file %s (mode %04o): not owned by the "
              "current user",
              path, mode);
        return -1;
    }
    if (st->st_mode & 077) {
        s_err(err, errsize,
              "secret file %s: mode %04o lets group or others read it; "
              "chmod 600 it",
              path, mode);
        return -1;
    }
    if (st->st_size > TT_SECRET_MAX) {
        s_err(err, errsize, "secret file %s (mode %04o): larger than %d bytes",
              path, mode, TT_SECRET_MAX);
        return -1;
    }
    return 0;
}

static tt_secret_t *s_read(int fd, const char *path, char *err, size_t errsize)
{
    char buf[TT_SECRET_MAX + 1];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf &&
           (n = read(fd, buf + len, sizeof buf - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s_err(err, errsize, "secret file %s: read failed: %s", path,
                  strerror(errno));
            explicit_bzero(buf, sizeof buf);
            return NULL;
        }
        len += (size_t)n;
    }
    tt_secret_t *self = len <= TT_SECRET_MAX ? s_make(buf, len) : NULL;
    explicit_bzero(buf, sizeof buf);
    if (!self)
        s_err(err, errsize, "secret file %s: %s", path,
              len > TT_SECRET_MAX ? "too large" : "empty");
    return self;
}

tt_secret_t *tt_secret_from_file(const char *path, char *err, size_t errsize)
{
    if (!path || !*path) {
        s_err(err, errsize, "secret file: no path given");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        s_err(err, errsize, "secret file %s: cannot open: %s", path,
              strerror(errno));
        return NULL;
    }
    struct stat st;
    tt_secret_t *self = NULL;
    if (fstat(fd, &st) != 0)
        s_err(err, errsize, "secret file %s: cannot stat: %s", path,
              strerror(errno));
    else if (s_check(path, &st, err, errsize) == 0)
        self = s_read(fd, path, err, errsize);
    close(fd);
    return self;
}

tt_secret_t *tt_secret_load(const char *spec, char *err, size_t errsize)
{
    if (spec && strncmp(spec, "env:", 4) == 0)
        return tt_secret_from_env(spec + 4, err, errsize);
    if (spec && strncmp(spec, "file:", 5) == 0)
        return tt_secret_from_file(spec + 5, err, errsize);
    /* The spec is not echoed: a secret pasted here by mistake must not
       end up in a log. */
    s_err(err, errsize,
          "secret spec: expected env:NAME or file:PATH (value not shown)");
    return NULL;
}

tt_secret_t *tt_secret_from_value(const char *text, char *err, size_t errsize)
{
    size_t len = text ? strlen(text) : 0;
    tt_secret_t *self = len <= TT_SECRET_MAX ? s_make(text, len) : NULL;
    if (!self)
        s_err(err, errsize, "secret value: %s (value not shown)",
              len > TT_SECRET_MAX ? "too long" : "empty");
    return self;
}

tt_secret_t *tt_secret_resolve(const char *text, char *err, size_t errsize)
{
    if (text &&
        (strncmp(text, "env:", 4) == 0 || strncmp(text, "file:", 5) == 0))
        return tt_secret_load(text, err, errsize);
    return tt_secret_from_value(text, err, errsize);
}

const char *tt_secret_value(const tt_secret_t *self)
{
    return self->value;
}

size_t tt_secret_len(const tt_secret_t *self)
{
    return self->len;
}

void tt_secret_destroy(tt_secret_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_secret_t *self = *self_p;
    explicit_bzero(self->value, self->len);
    free(self);
    *self_p = NULL;
}

char *tt_secret_text(const char *prefix, const char *value)
{
    size_t len = strlen(prefix) + strlen(value) + 1;
    char *text = malloc(len);
    if (text)
        snprintf(text, len, "%s%s", prefix, value);
    return text;
}

void tt_secret_text_free(char **text_p)
{
    if (!*text_p)
        return;
    explicit_bzero(*text_p, strlen(*text_p));
    free(*text_p);
    *text_p = NULL;
}
