/*  clock/eod.c: end-of-day summary arithmetic (see eod.h for the
    definitions). One line per symbol, looked up linearly: a session
    closes a few hundred trades at most, and this runs once per closed
    trade, off the market-data path. */
#include "clock/eod.h"

#include <stdlib.h>
#include <string.h>

struct tt_eod {
    int32_t session_id;
    size_t capacity;
    size_t count;
    tt_eod_line_t total;
    tt_eod_line_t *lines;
};

tt_eod_t *tt_eod_new(size_t capacity)
{
    tt_eod_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = capacity;
    self->lines = calloc(capacity ? capacity : 1, sizeof *self->lines);
    if (!self->lines)
        tt_eod_destroy(&self);
    return self;
}

void tt_eod_destroy(tt_eod_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->lines);
    free(*self_p);
    *self_p = NULL;
}

void tt_eod_reset(tt_eod_t *self, int32_t session_id)
{
    self->session_id = session_id;
    self->count = 0;
    memset(&self->total, 0, sizeof self->total);
}

int32_t tt_eod_session_id(const tt_eod_t *self)
{
    return self->session_id;
}

static void s_apply(tt_eod_line_t *line, int64_t gross, int64_t fees)
{
    int64_t net = gross - fees;
    line->trades++;
    line->wins += net > 0;
    line->gross += gross;
    line->fees += fees;
    line->net += net;
    if (line->net > line->peak)
        line->peak = line->net;
    if (line->peak - line->net > line->max_drawdown)
        line->max_drawdown = line->peak - line->net;
}

static tt_eod_line_t *s_line(tt_eod_t *self, const char *symbol)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->lines[i].symbol, symbol) == 0)
            return &self->lines[i];
    if (self->count == self->capacity)
        return NULL;
    tt_eod_line_t *line = &self->lines[self->count++];
    memset(line, 0, sizeof *line);
    strcpy(line->symbol, symbol);
    return line;
}

int tt_eod_add_trade(tt_eod_t *self, const char *symbol, int64_t gross,
                     int64_t fees)
{
    if (!symbol || !symbol[0] || strlen(symbol) >= TT_EOD_SYMBOL_MAX ||
        fees < 0)
        return -1;
    tt_eod_line_t *line = s_line(self, symbol);
    if (!line)
        return -1;
    s_apply(line, gross, fees);
    s_apply(&self->total, gross, fees);
    return 0;
}

size_t tt_eod_count(const tt_eod_t *self)
{
    return self->count;
}

const tt_eod_line_t *tt_eod_at(const tt_eod_t *self, size_t i)
{
    return i < self->count ? &self->lines[i] : NULL;
}

const tt_eod_line_t *tt_eod_find(const tt_eod_t *self, const char *symbol)
{
    for (size_t i = 0; symbol && i < self->count; i++)
        if (strcmp(self->lines[i].symbol, symbol) == 0)
            return &self->lines[i];
    return NULL;
}

const tt_eod_line_t *tt_eod_total(const tt_eod_t *self)
{
    return &self->total;
}

int32_t tt_eod_win_rate_bp(const tt_eod_line_t *line)
{
    if (line->trades == 0)
        return 0;
    return (int32_t)((int64_t)line->wins * 10000 / line->trades);
}
