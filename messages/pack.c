/*  messages/pack.c: packs, several small frames for the actors of one
    worker in one mailbox frame (see internal.h). Pure: any thread. */
#include "messages/internal.h"

#include <assert.h>
#include <string.h>

#define S_ALIGN(n) (((n) + 7u) & ~7u)
#define S_HEAD ((uint32_t)offsetof(tt_pack_t, items))

/* Only actor messages travel in a pack: a command or a report has its
   own handling in the worker, and a pack in a pack would recurse. */
static bool s_item_type_ok(uint16_t type)
{
    return type < TT_SYS_START && type != TT_MSG_PACK;
}

void tt_pack_reset(tt_pack_t *self)
{
    assert(self);
    self->count = 0;
    self->used = 0;
}

int tt_pack_add(tt_pack_t *self, uint32_t to, uint16_t type, const void *body,
                uint32_t len)
{
    assert(self && (body || !len) && s_item_type_ok(type));
    uint32_t need = (uint32_t)sizeof(tt_pack_item_t) + S_ALIGN(len);
    if (len > UINT16_MAX || need > sizeof self->items - self->used)
        return -1;
    tt_pack_item_t item = {.to = to, .type = type, .len = (uint16_t)len};
    unsigned char *at = self->items + self->used;
    memcpy(at, &item, sizeof item);
    if (len)
        memcpy(at + sizeof item, body, len);
    memset(at + sizeof item + len, 0, S_ALIGN(len) - len);
    self->used += need;
    self->count++;
    return 0;
}

uint32_t tt_pack_len(const tt_pack_t *self)
{
    assert(self);
    return S_HEAD + self->used;
}

/* The item at OFF of the USED bytes of ITEMS, checked: its size, or 0
   when it is malformed. */
static uint32_t s_item_at(const unsigned char *items, uint32_t used,
                          uint32_t off, tt_pack_item_t *item)
{
    if (used - off < sizeof *item)
        return 0;
    memcpy(item, items + off, sizeof *item);
    uint32_t size = (uint32_t)sizeof *item + S_ALIGN(item->len);
    if (!s_item_type_ok(item->type) || size > used - off)
        return 0;
    long expected =
        tt_msg_body_size(item->type, items + off + sizeof *item, item->len);
    return expected >= 0 && expected == item->len ? size : 0;
}

long tt_pack_body_size(const void *body, size_t len)
{
    tt_pack_t pack;
    if (len < S_HEAD || len > sizeof pack)
        return -1;
    memcpy(&pack, body, len);
    if (pack.count == 0 || pack.used != len - S_HEAD)
        return -1;
    uint32_t off = 0, count = 0;
    tt_pack_item_t item;
    while (off < pack.used) {
        uint32_t size = s_item_at(pack.items, pack.used, off, &item);
        if (!size)
            return -1;
        off += size;
        count++;
    }
    return count == pack.count ? (long)len : -1;
}

bool tt_pack_next(const tt_msg_t *pack, uint32_t *off, tt_msg_t *out)
{
    assert(pack && off && out && pack->hdr.type == TT_MSG_PACK);
    const tt_pack_t *p = &pack->body.pack;
    tt_pack_item_t item;
    uint32_t size = s_item_at(p->items, p->used, *off, &item);
    if (!size)
        return false;
    out->hdr = pack->hdr;
    out->hdr.to = item.to;
    out->hdr.type = item.type;
    out->hdr.len = item.len;
    memcpy(out->body.raw, p->items + *off + sizeof item, item.len);
    *off += size;
    return true;
}
