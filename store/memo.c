/*  store/memo.c: what the store last wrote of each order that is not
    terminal yet: its row id and state, by client order id (an open-
    addressing hash table, linear probing, deletion by backward shift).
    An order update names the row by id and checks the remembered state
    in its own WHERE clause, so it needs no read before it, and a wrong
    or missing entry (a rolled-back group, another writer) only sends it
    the slow way. Runs on the store's thread (store/store.h). */
#include "store/store_priv.h"

#include <stdlib.h>
#include <string.h>

#define S_MEMO_MIN 1024 /* slots at first use */

static size_t s_hash(const char *coid)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (const unsigned char *p = (const unsigned char *)coid; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)h;
}

/* The slot holding COID, or the free slot where it would go. */
static size_t s_slot(const tt_st_memo_t *m, const char *coid)
{
    size_t mask = m->cap - 1;
    size_t i = s_hash(coid) & mask;
    while (m->slots[i].state && strcmp(m->slots[i].coid, coid) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Doubles the table (or makes the first one); false when out of memory
   (the memo then simply stays as it is). */
static bool s_grow(tt_st_memo_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : S_MEMO_MIN;
    tt_st_memo_slot_t *old = m->slots;
    size_t old_cap = m->cap;
    tt_st_memo_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].state)
            m->slots[s_slot(m, old[i].coid)] = old[i];
    free(old);
    return true;
}

bool tt_st_memo_get(const tt_st_memo_t *m, const char *coid, int64_t *rowid,
                    int *state)
{
    if (!m->cap)
        return false;
    const tt_st_memo_slot_t *s = &m->slots[s_slot(m, coid)];
    if (!s->state)
        return false;
    *rowid = s->rowid;
    *state = s->state;
    return true;
}

void tt_st_memo_put(tt_st_memo_t *m, const char *coid, int64_t rowid, int state)
{
    if (strlen(coid) > TT_COID_MAX || state <= 0)
        return;
    if ((m->count + 1) * 2 > m->cap && !s_grow(m))
        return;
    tt_st_memo_slot_t *s = &m->slots[s_slot(m, coid)];
    if (!s->state) {
        memcpy(s->coid, coid, strlen(coid) + 1);
        m->count++;
    }
    s->rowid = rowid;
    s->state = state;
}

void tt_st_memo_drop(tt_st_memo_t *m, const char *coid)
{
    if (!m->cap)
        return;
    size_t mask = m->cap - 1;
    size_t i = s_slot(m, coid);
    if (!m->slots[i].state)
        return;
    m->count--;
    /* Backward shift: an entry after the hole moves into it unless its
       home slot lies cyclically in (hole, entry]. */
    for (size_t j = (i + 1) & mask; m->slots[j].state; j = (j + 1) & mask) {
        size_t home = s_hash(m->slots[j].coid) & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].state = 0;
}

void tt_st_memo_free(tt_st_memo_t *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
