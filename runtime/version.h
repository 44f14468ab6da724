/*  runtime/version.h: the one place the version is written. */
#ifndef TT_RUNTIME_VERSION_H
#define TT_RUNTIME_VERSION_H

#define TT_VERSION "0.1.0"

#endif
