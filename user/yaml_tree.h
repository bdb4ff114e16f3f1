/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * YAML policy text to a small node tree, shared by the policy parser and the
 * importer. libyaml's event API is used rather than its document API: every
 * node keeps its position, and anchors, aliases, tags and extra documents are
 * refused instead of being silently resolved. Pure C and libyaml, no BPF.
 */
#ifndef SECIMPORT_YAML_TREE_H
#define SECIMPORT_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest input read or parsed, in bytes (the messages say "1 MiB"). */
#define YAML_TREE_MAX_BYTES (1024 * 1024)
/* Policies nest 4 deep; the cap keeps the readers' recursion bounded. */
#define YAML_TREE_MAX_DEPTH 32
/* Quoted user text in messages is cut to this many bytes. */
#define SHOW_MAX 60
/* What show_text() and node_show() need for SHOW_MAX bytes. */
#define SHOW_BUF (SHOW_MAX * 4 + 8)

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

struct node {
	enum node_kind kind;
	unsigned int line, column; /* 1-based */
	char *value; /* scalars: NUL-terminated, may hold NULs (len is exact) */
	size_t len;
	bool plain; /* unquoted scalar: only those can be null or booleans */
	struct node **items; /* sequences: items; mappings: key, value, key, ... */
	size_t nr_items, cap;
};

/* Where diagnostics go: "SOURCE:LINE:COL: error: MESSAGE" into @msg. */
struct yaml_tree_diag {
	const char *source;
	char *msg; /* NULL: the caller wants no message */
	size_t size;
	unsigned int line, column; /* of the last error; 0 for a whole-file one */
};

/* Diagnostics about @source into @msg (emptied), or none if @msg is NULL. */
void yaml_tree_diag_init(struct yaml_tree_diag *d, const char *source, char *msg, size_t size);

/*
 * Write a diagnostic at @line:@column, or about the whole file ("SOURCE:
 * error: ...") when @line is 0; overlong messages are cut. Returns -1.
 */
int __attribute__((format(printf, 4, 5)))
yaml_tree_error(struct yaml_tree_diag *d, unsigned int line, unsigned int column, const char *fmt,
		...);

/* Makes a reader's result from the tree; @root is NULL for an empty input. */
typedef int (*yaml_tree_fn)(const struct node *root, void *arg);

/*
 * Parse @len bytes of UTF-8 at @buf (NULL reads as empty) into a tree, hand
 * it to @fn with @arg, then free it. Inputs over YAML_TREE_MAX_BYTES,
 * nesting over YAML_TREE_MAX_DEPTH, anchors, aliases, tags and a second
 * document are errors. Returns what @fn returned, or -1 with a diagnostic
 * if there is no tree (@fn is not called then).
 */
int yaml_tree_read(struct yaml_tree_diag *d, const void *buf, size_t len, yaml_tree_fn fn,
		   void *arg);
/* The same for the file named d->source. */
int yaml_tree_read_file(struct yaml_tree_diag *d, yaml_tree_fn fn, void *arg);

void node_free(struct node *n);

/* An unquoted null: empty, ~, null, Null or NULL. */
bool node_is_null(const struct node *n);
/* A scalar that is exactly @s. */
bool node_is_str(const struct node *n, const char *s);
/* The key before key @i of mapping @map that has its text, or NULL. */
const struct node *node_earlier_key(const struct node *map, size_t i);

/*
 * User text for a message: control bytes escaped so that the diagnostic
 * stays one printable line, text over @max bytes cut at a UTF-8 character
 * boundary. @buf holds @max * 4 + 8 bytes.
 */
const char *show_max(const char *s, size_t len, size_t max, char *buf);
/* The same cut at SHOW_MAX, into a SHOW_BUF buffer. */
const char *show_text(const char *s, size_t len, char *buf);
/* A node for a message: its text, or <mapping> / <list>. */
const char *node_show(const struct node *n, char *buf);

#endif
