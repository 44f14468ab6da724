/*  venues/history/history_job.h: one history request as a job, private
    to venues/history: history.c knows the venues (each page's URL and
    what its reply says), history_many.c moves the bytes (libcurl's multi
    interface) and never looks inside a reply. */
#ifndef TT_VENUES_HISTORY_HISTORY_JOB_H
#define TT_VENUES_HISTORY_HISTORY_JOB_H

#include <curl/curl.h>

#include "venues/history/history.h"
#include "venues/history/http.h"

typedef struct {
    const tt_history_cfg_t *cfg;
    tt_history_req_t *req;
    tt_ns_t now;        /* candles ending after it are left out */
    tt_candle_t *items; /* kept so far, oldest first */
    size_t n, cap;
    int64_t start_ms; /* Binance: the next page's startTime */
    char *token;      /* Alpaca: the next page_token; NULL: the first */
    size_t pages;     /* pages read */
} tt_hjob_t;

/* Checks REQ's arguments for CFG's venue: 0, or -1 with req->err. */
int tt_hjob_init(tt_hjob_t *job, const tt_history_cfg_t *cfg,
                 tt_history_req_t *req, tt_ns_t now);

/* The current page's URL: 0, or -1 with req->err. */
int tt_hjob_url(tt_hjob_t *job, char *url, size_t size);

/* The request headers (Alpaca's keys; NULL for Binance or out of
   memory: the caller checks the venue). The caller frees the list. */
struct curl_slist *tt_hjob_headers(const tt_hjob_t *job);

/* The page's reply (any status but a 429, which the transport rides
   out): 1 when another page is due, 0 when the job is complete, -1 when
   it failed (req->err says why). */
int tt_hjob_reply(tt_hjob_t *job, const tt_http_reply_t *r);

/* Hands the candles to req (RC 0) or frees them, and sets req->rc. */
void tt_hjob_end(tt_hjob_t *job, int rc);

#endif
