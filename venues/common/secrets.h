/*  venues/common/secrets.h: API keys and secrets, loaded from an
    environment variable or a private file, held in memory that is zeroed
    when freed (invariant 10: secrets are never logged). Used by the venue
    gateways at start-up, on the thread that builds them.

    A secret file must be a regular file owned by the current user with no
    permission bits for group or others (mode & 077 == 0): a key readable
    by other accounts is refused rather than used. Trailing newlines (and
    CRs) are stripped, since editors add them. Error messages name the
    variable or file and, for files, the mode; never the secret. */
#ifndef TT_VENUES_COMMON_SECRETS_H
#define TT_VENUES_COMMON_SECRETS_H

#include <stddef.h>

/* Largest secret accepted, in bytes. */
#define TT_SECRET_MAX 4096

typedef struct tt_secret_t tt_secret_t;

/* The value of environment variable NAME. NULL with a message in ERR
   (ERRSIZE bytes) when it is unset or empty. */
tt_secret_t *tt_secret_from_env(const char *name, char *err, size_t errsize);

/* The content of the file at PATH. NULL with a message in ERR when it is
   missing, unreadable, not a regular file, owned by someone else, open to
   group or others, empty, or larger than TT_SECRET_MAX. */
tt_secret_t *tt_secret_from_file(const char *path, char *err, size_t errsize);

/* "env:NAME" or "file:PATH" (the form config files use). */
tt_secret_t *tt_secret_load(const char *spec, char *err, size_t errsize);

/* A copy of TEXT itself (a key written in the config, or substituted
   from ${NAME} there). NULL with a message in ERR when empty or too
   long. */
tt_secret_t *tt_secret_from_value(const char *text, char *err, size_t errsize);

/* TEXT as the config's key fields take it: "env:NAME" or "file:PATH"
   load from there (tt_secret_load); anything else is the value itself. */
tt_secret_t *tt_secret_resolve(const char *text, char *err, size_t errsize);

/* The secret's bytes (NUL-terminated; owned by SELF) and length. */
const char *tt_secret_value(const tt_secret_t *self);
size_t tt_secret_len(const tt_secret_t *self);

/* Zeroes and frees *SELF_P (NULL allowed), and sets it to NULL. */
void tt_secret_destroy(tt_secret_t **self_p);

/* PREFIX followed by VALUE in a new string (a request header carrying a
   key, "X-MBX-APIKEY: ..."), or NULL when out of memory. Free it with
   tt_secret_text_free, which zeroes it first. */
char *tt_secret_text(const char *prefix, const char *value);

/* Zeroes and frees the string *TEXT_P (NULL allowed), and sets it to
   NULL. */
void tt_secret_text_free(char **text_p);

#endif
